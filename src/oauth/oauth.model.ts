import { randomUUID } from 'node:crypto';
import OAuthServer, {
  InvalidRequestError,
  OAuthError,
  type AuthorizationCode,
  type AuthorizationCodeModel,
  type Client,
  type RefreshToken,
  type RefreshTokenModel,
  type Token,
} from '@node-oauth/oauth2-server';
import { IsNull, type Repository } from 'typeorm';
import type { TokenService } from '../common/crypto/token.service';
import { OAuthClientEntity, OAuthCodeEntity, OAuthTokenEntity } from './oauth.entities';

/** Prefixes of what the authorization server hands out (recognisable in a leak; redacted from logs). */

export const OAUTH_ACCESS_PREFIX = 'phoa_';
export const OAUTH_REFRESH_PREFIX = 'phor_';
export const OAUTH_CODE_PREFIX = 'phoc_';
export const OAUTH_CLIENT_SECRET_PREFIX = 'phos_';

/** What a client id may look like before it is looked up. */
export const CLIENT_ID = /^[\x21-\x7e]{1,64}$/;

/** The one scope: use of the MCP server the grant is bound to (what the server's policy allows). */
export const OAUTH_SCOPES = ['mcp'];

/** RFC 8707's error for a `resource` that is not the one the grant is bound to (or no MCP server of this gateway). */
export class InvalidTargetError extends OAuthError {
  constructor(message: string) {
    super(message, { code: 400, name: 'invalid_target' });
  }
}

/** Who approved what: the `user` of @node-oauth/oauth2-server's grants. */
export interface GrantUser {
  apiTokenId: string;
  mcpServerId: string;
  familyId: string;
}

export interface OAuthRepos {
  clients: Repository<OAuthClientEntity>;
  codes: Repository<OAuthCodeEntity>;
  tokens: Repository<OAuthTokenEntity>;
}

export function toClient(row: OAuthClientEntity): Client {
  return {
    id: row.id,
    name: row.name,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grants: ['authorization_code', 'refresh_token'],
  };
}

const scopeText = (scope: string[] | undefined) => (scope && scope.length > 0 ? scope.join(' ') : null);
const scopeList = (scope: string | null) => (scope ? scope.split(' ') : undefined);

/**
 * The storage model @node-oauth/oauth2-server runs the authorization-code and refresh-token grants
 * on, over the gateway's database. Codes and tokens are stored as SHA-256 only. One model per
 * token request: `expectedServerId` is the MCP server the request's `resource` names (RFC 8707), and
 * a code or refresh token bound to another server is refused with invalid_target.
 *
 * Replays: a code presented a second time, or a refresh token presented after it was rotated, revokes
 * every token of its grant family (OAuth 2.1 §4.3.1, §6.1), then fails with invalid_grant.
 */
export function oauthModel(
  repos: OAuthRepos,
  hasher: TokenService,
  expectedServerId?: string,
): AuthorizationCodeModel & RefreshTokenModel {
  const now = () => new Date().toISOString();
  const revokeFamily = async (familyId: string) => {
    await repos.tokens.update({ family_id: familyId, revoked_at: IsNull() }, { revoked_at: now() });
  };
  /**
   * The client and user of a stored code or refresh token, or undefined: a replayed one (already
   * used) revokes its family first; one bound to another server than `resource` names is invalid_target.
   */
  const grantOf = async (
    row: OAuthCodeEntity | OAuthTokenEntity,
    replayed: boolean,
  ): Promise<{ client: Client; user: GrantUser } | undefined> => {
    if (replayed) {
      await revokeFamily(row.family_id);
      return undefined;
    }
    if (expectedServerId !== undefined && expectedServerId !== row.mcp_server_id) {
      throw new InvalidTargetError('Invalid target: `resource` is not the MCP server this grant is bound to');
    }
    const client = await repos.clients.findOne({ where: { id: row.client_id } });
    if (!client) return undefined;
    return {
      client: toClient(client),
      user: { apiTokenId: row.api_token_id, mcpServerId: row.mcp_server_id, familyId: row.family_id },
    };
  };
  return {
    async getClient(clientId: string, clientSecret: string | null) {
      // Printable ASCII only (client ids are UUIDs): a NUL byte would make PostgreSQL fail the query.
      const row = CLIENT_ID.test(clientId) ? await repos.clients.findOne({ where: { id: clientId } }) : null;
      if (!row) return false;
      if (row.secret_hash !== null) {
        // A confidential client authenticates at the token endpoint (getClient(id, null) is the authorization request).
        if (
          clientSecret !== null &&
          (clientSecret === undefined || !hasher.equals(hasher.hash(clientSecret), row.secret_hash))
        )
          return false;
      } else if (clientSecret) {
        return false;
      }
      return toClient(row);
    },

    async generateAccessToken() {
      return hasher.generate(OAUTH_ACCESS_PREFIX);
    },
    async generateRefreshToken() {
      return hasher.generate(OAUTH_REFRESH_PREFIX);
    },
    async generateAuthorizationCode() {
      return hasher.generate(OAUTH_CODE_PREFIX);
    },

    /**
     * Every grant gets the one scope `mcp`, whatever was asked (RFC 6749 §3.3: the token response
     * says what was granted). Clients ask for `openid`, `profile` or nothing; the scope gives no power
     * of its own: what a token can do is the policy of the one MCP server it is bound to.
     */
    async validateScope() {
      return OAUTH_SCOPES;
    },

    async saveAuthorizationCode(code, client, user: GrantUser) {
      if (!code.codeChallenge || code.codeChallengeMethod !== 'S256') {
        throw new InvalidRequestError('Invalid request: PKCE with `code_challenge_method=S256` is required');
      }
      await repos.codes.insert({
        code_hash: hasher.hash(code.authorizationCode),
        client_id: client.id,
        api_token_id: user.apiTokenId,
        mcp_server_id: user.mcpServerId,
        family_id: user.familyId,
        scope: scopeText(code.scope),
        expires_at: code.expiresAt.toISOString(),
        created_at: now(),
        redirect_uri: code.redirectUri,
        code_challenge: code.codeChallenge,
        code_challenge_method: code.codeChallengeMethod,
        used_at: null,
      });
      return { ...code, client, user } as AuthorizationCode;
    },

    async getAuthorizationCode(authorizationCode: string) {
      const row = await repos.codes.findOne({ where: { code_hash: hasher.hash(authorizationCode) } });
      const grant = row ? await grantOf(row, row.used_at !== null) : undefined;
      if (!row || !grant) return false;
      return {
        authorizationCode,
        expiresAt: new Date(row.expires_at),
        redirectUri: row.redirect_uri,
        scope: scopeList(row.scope),
        codeChallenge: row.code_challenge,
        codeChallengeMethod: row.code_challenge_method,
        ...grant,
      };
    },

    /** Marks the code used (once: a concurrent second exchange finds it used and fails). */
    async revokeAuthorizationCode(code: AuthorizationCode) {
      const r = await repos.codes.update(
        { code_hash: hasher.hash(code.authorizationCode), used_at: IsNull() },
        { used_at: now() },
      );
      return (r.affected ?? 0) > 0;
    },

    async saveToken(token: Token, client: Client, user: GrantUser) {
      const base = {
        client_id: client.id,
        api_token_id: user.apiTokenId,
        mcp_server_id: user.mcpServerId,
        family_id: user.familyId,
        scope: scopeText(token.scope),
        created_at: now(),
        revoked_at: null,
      };
      const rows: Partial<OAuthTokenEntity>[] = [
        {
          ...base,
          token_hash: hasher.hash(token.accessToken),
          kind: 'access',
          expires_at: token.accessTokenExpiresAt!.toISOString(),
        },
      ];
      if (token.refreshToken) {
        rows.push({
          ...base,
          token_hash: hasher.hash(token.refreshToken),
          kind: 'refresh',
          expires_at: token.refreshTokenExpiresAt!.toISOString(),
        });
      }
      await repos.tokens.insert(rows);
      return { ...token, client, user };
    },

    async getAccessToken() {
      // MCP requests are checked by OAuthService.verifyAccess (bound to one server), not by the library.
      return false;
    },

    async getRefreshToken(refreshToken: string) {
      const row = await repos.tokens.findOne({ where: { token_hash: hasher.hash(refreshToken), kind: 'refresh' } });
      const grant = row ? await grantOf(row, row.revoked_at !== null) : undefined;
      if (!row || !grant) return false;
      return {
        refreshToken,
        refreshTokenExpiresAt: new Date(row.expires_at),
        scope: scopeList(row.scope),
        ...grant,
      } as RefreshToken;
    },

    /** Rotation: the presented refresh token is revoked (once) before a new pair is issued. */
    async revokeToken(token: RefreshToken | Token) {
      if (!token.refreshToken) return false;
      const r = await repos.tokens.update(
        { token_hash: hasher.hash(token.refreshToken), kind: 'refresh', revoked_at: IsNull() },
        { revoked_at: now() },
      );
      return (r.affected ?? 0) > 0;
    },
  };
}

export function newFamilyId(): string {
  return randomUUID();
}

export { OAuthServer };
