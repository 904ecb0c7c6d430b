import { createHash } from 'node:crypto';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { AppConfig } from '../../config/app-config';
import { bearerOf } from '../auth/public.decorator';
import { ErrorCode, GatewayError } from '../errors';

type Req = { headers?: Record<string, unknown>; params?: Record<string, unknown>; query?: Record<string, unknown>; url?: string };

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 24);

/** The caller's credential: the bearer API token, or the MCP URL token. Hashed: never kept in clear. */
export function tokenTracker(req: Req): string | undefined {
  const bearer = bearerOf(req.headers?.authorization);
  if (bearer) return `t:${hash(bearer)}`;
  const mcp = req.params?.token;
  if (typeof mcp === 'string' && mcp) return `m:${hash(mcp)}`;
  return undefined;
}

/** The integrated account a request works on (query parameter, or the admin route's :id). */
export function accountTracker(req: Req): string | undefined {
  const q = req.query?.integrated_account_id;
  if (typeof q === 'string' && q) return `a:${q.slice(0, 100)}`;
  return undefined;
}

const reqOf = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Req>();

/**
 * The gateway's own throttle (CONTRACT §8): THROTTLE_PER_MIN requests per minute per API token
 * (or MCP URL token) and per integrated account. Storage is in memory by default.
 */
export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const limit = config.throttlePerMin;
  return {
    setHeaders: false,
    skipIf: () => limit === 0,
    // One budget per token / account across all routes (the default key is per route).
    generateKey: (_ctx, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'token',
        ttl: 60_000,
        limit,
        skipIf: (ctx) => limit === 0 || tokenTracker(reqOf(ctx)) === undefined,
        getTracker: (req) => tokenTracker(req as Req) ?? 'none',
      },
      {
        name: 'account',
        ttl: 60_000,
        limit,
        skipIf: (ctx) => limit === 0 || accountTracker(reqOf(ctx)) === undefined,
        getTracker: (req) => accountTracker(req as Req) ?? 'none',
      },
    ],
  };
}

/** ThrottlerGuard whose 429 is a GatewayError with `retry-after`, like every other error. */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retry = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    const per = detail.key.includes('-account-') || detail.tracker.startsWith('a:') ? 'integrated account' : 'API token';
    throw new GatewayError(ErrorCode.RATE_LIMITED, `Too many requests for this ${per}: at most ${detail.limit} per minute`, {
      headers: { 'retry-after': String(retry) },
      hint: `Retry after ${retry} s.`,
    });
  }
}
