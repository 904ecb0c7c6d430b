import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { AppConfig } from '../../config/app-config';
import { ApiTokenVerifier } from '../auth/api-token-verifier';
import { bearerOf, IS_PUBLIC } from '../auth/public.decorator';
import { ErrorCode, GatewayError } from '../errors';

type Req = {
  headers?: Record<string, unknown>;
  query?: Record<string, unknown>;
  ip?: string;
  socket?: { remoteAddress?: string };
};

/**
 * The budgets, each THROTTLE_PER_MIN requests per minute:
 * - `address`: requests that did not authenticate (no or a bad bearer, public routes, an unknown
 *   MCP URL token), per client address (IPv6 per /64);
 * - `token` and `account`: requests authenticated with an API token, per token and per the
 *   integrated account they name;
 * - `mcp`: requests on a resolved MCP URL token, per MCP server.
 * A budget is spent only by requests that proved the identity it is keyed on, so nobody can spend
 * another client's budget by naming its account or sending made-up credentials.
 */
export const BUDGETS = ['address', 'token', 'account', 'mcp'] as const;
export type Budget = (typeof BUDGETS)[number];

const WHAT: Record<Budget, string> = {
  address: 'client address',
  token: 'API token',
  account: 'integrated account',
  mcp: 'MCP server',
};

/** The caller's address as the socket sees it (trustProxy is off: forwarded headers are ignored). */
export function addressOf(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  const ip = req.ip ?? req.socket?.remoteAddress ?? '';
  return ip ? normalizeIp(ip) : 'unknown';
}

/** The integrated account a request names (query parameter), if any. */
export function accountOf(req: Req): string | undefined {
  const q = req.query?.integrated_account_id;
  return typeof q === 'string' && q ? q.slice(0, 100) : undefined;
}

/** Options of ThrottlerModule: one throttler per budget (storage in memory, or Redis). */
export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const limit = config.throttlePerMin;
  return { setHeaders: false, throttlers: BUDGETS.map((name) => ({ name, ttl: 60_000, limit })) };
}

/** Counts requests against the budgets (shared storage with REDIS_URL); RATE_LIMITED once spent. */
@Injectable()
export class GatewayThrottle {
  private readonly budgets: Map<string, ThrottlerOptions>;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {
    const list = Array.isArray(options) ? options : options.throttlers;
    this.budgets = new Map(list.map((t) => [t.name ?? 'default', t]));
  }

  /** False with THROTTLE_PER_MIN=0. */
  get enabled(): boolean {
    return [...this.budgets.values()].some((t) => Number(t.limit) > 0);
  }

  async hit(budget: Budget, id: string): Promise<void> {
    const t = this.budgets.get(budget);
    const limit = Number(t?.limit);
    const ttl = Number(t?.ttl);
    if (!t || !(limit > 0) || !(ttl > 0)) return; // THROTTLE_PER_MIN=0: throttling is off
    const r = await this.storage.increment(`${budget}:${id}`, ttl, limit, ttl, budget);
    if (!r.isBlocked) return;
    const retry = Math.max(1, Math.ceil(r.timeToBlockExpire));
    throw new GatewayError(
      ErrorCode.RATE_LIMITED,
      `Too many requests for this ${WHAT[budget]}: at most ${limit} per minute`,
      {
        headers: { 'retry-after': String(retry) },
        hint: `Retry after ${retry} s.`,
      },
    );
  }
}

/** Routes that count their requests themselves once they know who calls (the MCP URL-token routes). */
export const THROTTLED_BY_HANDLER = 'throttle:byHandler';

/**
 * The gateway's throttle (docs/contract.md §8), a global guard that runs before the API-token guard. It
 * checks the bearer itself (ApiTokenVerifier, cached) so that only an authenticated request is
 * counted against its token and the account it names; everything else is counted per address.
 */
@Injectable()
export class GatewayThrottlerGuard implements CanActivate {
  private verifier?: ApiTokenVerifier | null;

  constructor(
    private readonly throttle: GatewayThrottle,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http' || !this.throttle.enabled) return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(THROTTLED_BY_HANDLER, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Req>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const bearer = isPublic ? undefined : bearerOf(req.headers?.authorization);
    const principal = bearer ? await this.verifierOf()?.verify(bearer) : null;
    if (!principal) {
      await this.throttle.hit('address', addressOf(req));
      return true;
    }
    await this.throttle.hit('token', principal.id);
    const account = accountOf(req);
    if (account !== undefined) await this.throttle.hit('account', account);
    return true;
  }

  /** The API token verifier (src/auth) (looked up once; without one every request counts as unauthenticated). */
  private verifierOf(): ApiTokenVerifier | null {
    if (this.verifier === undefined) {
      try {
        this.verifier = this.moduleRef.get(ApiTokenVerifier, { strict: false });
      } catch {
        this.verifier = null;
      }
    }
    return this.verifier;
  }
}
