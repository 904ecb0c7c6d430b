import { Injectable } from '@nestjs/common';
import { bearerOf, isApiTokenScope } from '../common/auth/public.decorator';
import { ApiTokensService } from '../auth/api-tokens.service';
import { McpServersService } from '../mcp-servers/mcp-servers.service';
import { OAUTH_ACCESS_PREFIX } from '../oauth/oauth.model';
import { OAuthService } from '../oauth/oauth.service';
import { ErrorCode, GatewayError } from '../common/errors';
import type { McpContext } from './context';
import { requiresApiToken } from '../mcp-servers/policy';

export const SERVER_INFO = { name: 'planhat-gateway', version: '0.1.0' };

/**
 * Resolves an MCP URL token to its server: 404 when unknown, deleted or expired; 401 when the server
 * requires an API token and none valid is sent; 403 for a token whose stored scope is unusable.
 */
@Injectable()
export class McpAccessService {
  constructor(
    private readonly servers: McpServersService,
    private readonly apiTokens: ApiTokensService,
    private readonly oauth: OAuthService,
  ) {}
  async resolve(
    token: string,
    authorization: string | string[] | undefined,
  ): Promise<McpContext & { serverId: string }> {
    const found = token && token.length <= 200 ? await this.servers.findActiveByToken(token) : null;
    if (!found) {
      throw GatewayError.notFound(
        'Unknown or expired MCP server',
        'Check the MCP URL; an admin can list servers with GET /integrated-account/:id/mcp or create one with POST.',
      );
    }
    if (requiresApiToken(found.server.config)) {
      const bearer = bearerOf(authorization);
      // The 401 names the server's protected-resource metadata (RFC 9728), where OAuth clients start.
      const challenge = (error?: string) => ({
        'www-authenticate': `Bearer resource_metadata="${this.oauth.resourceMetadataUrl(token)}"${error ? `, error="${error}"` : ''}`,
      });
      const hint =
        'Sign in with OAuth (the MCP client does it from the WWW-Authenticate header), or send `Authorization: Bearer <api token>` (a token from POST /api-token) with every MCP request.';
      if (bearer?.startsWith(OAUTH_ACCESS_PREFIX)) {
        // An OAuth access token: valid only for the one server it was issued for.
        if (!(await this.oauth.verifyAccess(bearer, found.server.id))) {
          throw new GatewayError(
            ErrorCode.UNAUTHORIZED,
            'Invalid, expired or revoked access token for this MCP server',
            { hint, headers: challenge('invalid_token') },
          );
        }
      } else {
        const principal = bearer ? await this.apiTokens.verify(bearer) : null;
        if (!principal) {
          throw new GatewayError(
            ErrorCode.UNAUTHORIZED,
            bearer ? 'Invalid or revoked API token' : 'This MCP server requires an API token',
            {
              hint,
              headers: challenge(bearer ? 'invalid_token' : undefined),
            },
          );
        }
        // Scope admin or mcp; a stored scope that is neither is refused (fail closed).
        if (!isApiTokenScope(principal.scope)) {
          throw new GatewayError(ErrorCode.FORBIDDEN, 'This API token has no valid scope', {
            hint: 'Create an API token with scope mcp (or admin) with POST /api-token.',
          });
        }
      }
    }
    return { accountId: found.accountId, config: found.server.config, serverId: found.server.id };
  }
}
