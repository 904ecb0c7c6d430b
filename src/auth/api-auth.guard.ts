import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiPrincipal, bearerOf, IS_PUBLIC } from '../common/auth/public.decorator';
import { ErrorCode, GatewayError } from '../common/errors';
import { ApiTokensService } from './api-tokens.service';

interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  apiToken?: ApiPrincipal;
  raw?: { apiToken?: ApiPrincipal };
}

/**
 * Global guard (APP_GUARD): every HTTP route not marked @Public() needs a valid API token of scope
 * `admin` (an `mcp` token, or one whose stored scope is unknown, is a 403). Attaches
 * the principal as `req.apiToken` on the Fastify request and on `req.raw`.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokensService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AuthRequest>();
    const bearer = bearerOf(req.headers.authorization);
    if (!bearer) {
      throw new GatewayError(ErrorCode.UNAUTHORIZED, 'Missing API token', {
        hint: 'Send `Authorization: Bearer <api token>` (ADMIN_API_KEY or a token from POST /api-token).',
      });
    }
    const principal = await this.tokens.verify(bearer);
    if (!principal) {
      throw new GatewayError(ErrorCode.UNAUTHORIZED, 'Invalid or revoked API token', {
        hint: 'Use ADMIN_API_KEY or create a token with POST /api-token; revoked tokens stop working at once.',
      });
    }
    if (principal.scope !== 'admin') {
      throw new GatewayError(
        ErrorCode.FORBIDDEN,
        principal.scope === 'mcp'
          ? 'This API token has scope mcp: it only works as the second factor of MCP servers with require_api_token_auth'
          : 'This API token has no valid scope',
        {
          hint: 'Use ADMIN_API_KEY or an API token with scope admin (POST /api-token {"name": "…", "scope": "admin"}).',
        },
      );
    }
    req.apiToken = principal;
    if (req.raw) req.raw.apiToken = principal;
    return true;
  }
}
