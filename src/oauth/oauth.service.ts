import { randomUUID } from 'node:crypto';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import OAuthServer from '@node-oauth/oauth2-server';
import { LessThan, Repository } from 'typeorm';
import { ApiTokensService } from '../auth/api-tokens.service';
import { IntegratedAccountsService } from '../accounts/integrated-accounts.service';
import type { ActiveMcpServer } from '../mcp-servers/mcp-server-cache';
import { McpServersService } from '../mcp-servers/mcp-servers.service';
import { isApiTokenScope } from '../common/auth/public.decorator';
import { TokenService } from '../common/crypto/token.service';
import { SelfAddress } from '../common/self-address';
import { AppConfig } from '../config/app-config';
import { OAuthClientEntity, OAuthCodeEntity, OAuthTokenEntity } from './oauth.entities';
import { CLIENT_ID, OAUTH_CLIENT_SECRET_PREFIX, OAUTH_SCOPES, oauthModel, type OAuthRepos } from './oauth.model';

/** Authorization codes live this long (OAuth 2.1 recommends minutes at most). */
export const CODE_TTL_S = 120;
const SWEEP_MS = 10 * 60_000;
/** A registered client with no code or token is deleted after this long. */
export const UNUSED_CLIENT_MS = 24 * 3600_000;
export const TOKEN_AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;
export const MAX_REDIRECT_URIS = 10;
/** Control characters (NUL included, which PostgreSQL refuses in text): never in stored client metadata. */
const CONTROL = { test: (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) };

/** An RFC 6749/7591 error: `error` code, description, HTTP status. */
export class OAuthProblem extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/**
 * Whether a redirect URI may be registered: absolute, no fragment, https, http on a loopback host
 * (native apps, mcp-remote), or a private-use scheme (`cursor://…`); never javascript:, data:, file:….
 */
export function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0 || uri.length > 2000)
    return 'must be a string of 1 to 2000 characters';
  if (CONTROL.test(uri)) return 'must not contain control characters';
  if (!URL.canParse(uri)) return 'is not an absolute URI';
  const u = new URL(uri);
  if (u.hash || uri.includes('#')) return 'must not have a fragment';
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (scheme === 'https') return u.hostname ? undefined : 'has no host';
  if (scheme === 'http') {
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
      ? undefined
      : 'http is allowed for loopback hosts only (localhost, 127.0.0.1, [::1]); use https';
  }
  if (['javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'ws', 'wss', 'ftp'].includes(scheme))
    return `the ${scheme}: scheme is not allowed`;
  return undefined;
}

export interface RegisteredClient {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: string;
  scope: string;
  client_secret?: string;
  client_secret_expires_at?: number;
}

/** What the consent page and the authorization POST need about a validated authorization request. */
export interface AuthorizationRequest {
  client: OAuthClientEntity;
  redirectUri: string;
  state?: string;
  /** The MCP server the `resource` names, once resolved. */
  target?: ActiveMcpServer;
}

/**
 * The gateway as OAuth 2.1 authorization server for its own MCP servers (MCP authorization spec
 * 2025-06-18): metadata, dynamic client registration, the authorization request checks behind the
 * consent page, the token endpoint (through @node-oauth/oauth2-server on a storage model over the
 * gateway's database) and the verification of access tokens presented to one MCP server.
 */
@Injectable()
export class OAuthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly repos: OAuthRepos;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectRepository(OAuthClientEntity) clients: Repository<OAuthClientEntity>,
    @InjectRepository(OAuthCodeEntity) codes: Repository<OAuthCodeEntity>,
    @InjectRepository(OAuthTokenEntity) tokens: Repository<OAuthTokenEntity>,
    private readonly hasher: TokenService,
    private readonly self: SelfAddress,
    private readonly config: AppConfig,
    private readonly servers: McpServersService,
    private readonly accounts: IntegratedAccountsService,
    private readonly apiTokens: ApiTokensService,
  ) {
    this.repos = { clients, codes, tokens };
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /**
   * Expired codes and tokens are deleted (a used code or rotated refresh token is kept until it
   * expires, for replay detection), then clients registered over a day ago that hold no code or
   * token (registration is open to anyone: abandoned registrations do not pile up).
   */
  async sweep(): Promise<void> {
    const now = new Date();
    await this.repos.codes.delete({ expires_at: LessThan(now.toISOString()) });
    await this.repos.tokens.delete({ expires_at: LessThan(now.toISOString()) });
    await this.repos.clients
      .createQueryBuilder()
      .delete()
      .where('created_at < :cutoff', { cutoff: new Date(now.getTime() - UNUSED_CLIENT_MS).toISOString() })
      .andWhere('NOT EXISTS (SELECT 1 FROM oauth_code c WHERE c.client_id = oauth_client.id)')
      .andWhere('NOT EXISTS (SELECT 1 FROM oauth_token k WHERE k.client_id = oauth_client.id)')
      .execute();
  }

  issuer(): string {
    return this.self.publicUrl();
  }

  /** RFC 8414 authorization-server metadata (also served as the OpenID alias clients probe). */
  authorizationServerMetadata(): Record<string, unknown> {
    const base = this.issuer();
    return {
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      registration_endpoint: `${base}/oauth/register`,
      revocation_endpoint: `${base}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS],
      scopes_supported: OAUTH_SCOPES,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: [...TOKEN_AUTH_METHODS],
      code_challenge_methods_supported: ['S256'],
      service_documentation: `${base}/docs`,
    };
  }

  /** The canonical resource URL of an MCP server token (what the `resource` parameter must name). */
  resourceUrl(mcpToken: string): string {
    return `${this.issuer()}/mcp/${mcpToken}`;
  }

  resourceMetadataUrl(mcpToken: string): string {
    return `${this.issuer()}/.well-known/oauth-protected-resource/mcp/${mcpToken}`;
  }

  /** RFC 9728 protected-resource metadata of one MCP server, or undefined when the token names none. */
  async protectedResourceMetadata(mcpToken: string): Promise<Record<string, unknown> | undefined> {
    const found = mcpToken.length <= 200 ? await this.servers.findActiveByToken(mcpToken) : null;
    if (!found) return undefined;
    return {
      resource: this.resourceUrl(mcpToken),
      authorization_servers: [this.issuer()],
      scopes_supported: OAUTH_SCOPES,
      bearer_methods_supported: ['header'],
      resource_name: found.server.name,
    };
  }

  /** The MCP server a `resource` parameter names (`<PUBLIC_URL>/mcp/<token>`), or undefined. */
  async resolveResource(resource: unknown): Promise<ActiveMcpServer | undefined> {
    if (typeof resource !== 'string' || resource.length > 1000) return undefined;
    const prefix = `${this.issuer()}/mcp/`;
    if (!resource.startsWith(prefix)) return undefined;
    const token = resource.slice(prefix.length).replace(/\/$/, '');
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return undefined;
    return (await this.servers.findActiveByToken(token)) ?? undefined;
  }

  /** RFC 7591 dynamic client registration. */
  async register(body: unknown): Promise<RegisteredClient> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new OAuthProblem('invalid_client_metadata', 'The body must be a JSON object of client metadata');
    }
    const m = body as Record<string, unknown>;
    const uris = m.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS) {
      throw new OAuthProblem(
        'invalid_redirect_uri',
        `redirect_uris must be an array of 1 to ${MAX_REDIRECT_URIS} URIs`,
      );
    }
    uris.forEach((u, i) => {
      const why = redirectUriProblem(u);
      if (why) throw new OAuthProblem('invalid_redirect_uri', `redirect_uris[${i}] ${why}`);
    });
    const name = m.client_name ?? 'Unnamed client';
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200 || CONTROL.test(name)) {
      throw new OAuthProblem(
        'invalid_client_metadata',
        'client_name must be a string of 1 to 200 characters, without control characters',
      );
    }
    const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
    if (typeof method !== 'string' || !(TOKEN_AUTH_METHODS as readonly string[]).includes(method)) {
      throw new OAuthProblem(
        'invalid_client_metadata',
        `token_endpoint_auth_method must be one of ${TOKEN_AUTH_METHODS.join(', ')}`,
      );
    }
    const grants = m.grant_types ?? ['authorization_code', 'refresh_token'];
    if (
      !Array.isArray(grants) ||
      grants.length === 0 ||
      !grants.every((g) => g === 'authorization_code' || g === 'refresh_token') ||
      !grants.includes('authorization_code')
    ) {
      throw new OAuthProblem(
        'invalid_client_metadata',
        'grant_types must be authorization_code, optionally with refresh_token',
      );
    }
    const responseTypes = m.response_types ?? ['code'];
    if (!Array.isArray(responseTypes) || responseTypes.length === 0 || !responseTypes.every((r) => r === 'code')) {
      throw new OAuthProblem('invalid_client_metadata', 'response_types must be ["code"]');
    }
    const secret = method === 'none' ? undefined : this.hasher.generate(OAUTH_CLIENT_SECRET_PREFIX);
    const row: OAuthClientEntity = {
      id: randomUUID(),
      name: name.trim(),
      redirect_uris: JSON.stringify(uris),
      token_endpoint_auth_method: method,
      secret_hash: secret ? this.hasher.hash(secret) : null,
      created_at: new Date().toISOString(),
    };
    await this.repos.clients.insert(row);
    return {
      client_id: row.id,
      client_id_issued_at: Math.floor(Date.parse(row.created_at) / 1000),
      client_name: row.name,
      redirect_uris: uris as string[],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: method,
      scope: OAUTH_SCOPES.join(' '),
      ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    };
  }

  /**
   * Checks the client and redirect URI of an authorization request. These errors must not be sent
   * to the redirect URI (it is not trusted yet): the caller shows them on a page.
   */
  async checkClient(params: Record<string, unknown>): Promise<AuthorizationRequest> {
    const clientId = params.client_id;
    const client =
      typeof clientId === 'string' && CLIENT_ID.test(clientId)
        ? await this.repos.clients.findOne({ where: { id: clientId } })
        : null;
    if (!client)
      throw new OAuthProblem(
        'invalid_client',
        'Unknown client_id: register the client first (POST /oauth/register)',
        401,
      );
    const registered = JSON.parse(client.redirect_uris) as string[];
    const given = params.redirect_uri;
    const redirectUri = given === undefined && registered.length === 1 ? registered[0] : given;
    if (typeof redirectUri !== 'string' || !registered.includes(redirectUri)) {
      throw new OAuthProblem('invalid_request', 'redirect_uri is not one this client registered');
    }
    const state = typeof params.state === 'string' && params.state !== '' ? params.state : undefined;
    return { client, redirectUri, state };
  }

  /**
   * The rest of an authorization request, whose errors go back to the client's redirect URI:
   * response_type code, PKCE S256 (mandatory; plain refused), a `resource` naming one MCP server.
   */
  async checkRequest(
    req: AuthorizationRequest,
    params: Record<string, unknown>,
  ): Promise<AuthorizationRequest & { target: ActiveMcpServer }> {
    if (params.response_type !== 'code')
      throw new OAuthProblem('unsupported_response_type', 'response_type must be code');
    if (params.code_challenge === undefined)
      throw new OAuthProblem('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256');
    if (params.code_challenge_method !== 'S256')
      throw new OAuthProblem('invalid_request', 'code_challenge_method must be S256 (plain is not allowed)');
    if (typeof params.code_challenge !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) {
      throw new OAuthProblem(
        'invalid_request',
        'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)',
      );
    }
    if (params.resource === undefined)
      throw new OAuthProblem('invalid_request', 'resource is required: the URL of the MCP server (RFC 8707)');
    const target = await this.resolveResource(params.resource);
    if (!target) throw new OAuthProblem('invalid_target', 'resource is not the URL of an MCP server of this gateway');
    return { ...req, target };
  }

  /** Account name and policy shown on the consent page. */
  async describe(target: ActiveMcpServer): Promise<{ accountName: string }> {
    const account = await this.accounts.find(target.accountId).catch(() => undefined);
    return { accountName: account?.name ?? target.accountId };
  }

  /**
   * The API token pasted on the consent page: a stored API token (scope admin or mcp). ADMIN_API_KEY
   * is refused: a grant must die with the token that approved it, and the root key cannot be deleted.
   */
  async approver(token: unknown): Promise<{ id: string } | string> {
    if (typeof token !== 'string' || token.trim() === '' || token.length > 500) return 'Paste a gateway API token.';
    const principal = await this.apiTokens.verify(token.trim());
    if (!principal) return 'That API token is not valid (unknown or deleted).';
    if (principal.id === 'admin')
      return 'The admin key cannot approve access: create an API token (POST /api-token, scope mcp) and paste it.';
    if (!isApiTokenScope(principal.scope)) return 'That API token has no valid scope.';
    return { id: principal.id };
  }

  /** An OAuth2Server running on this database, for one request (`expectedServerId`: the server `resource` names). */
  server(expectedServerId?: string): OAuthServer {
    return new OAuthServer({
      model: oauthModel(this.repos, this.hasher, expectedServerId),
      accessTokenLifetime: this.config.oauth.accessTokenTtlS,
      refreshTokenLifetime: this.config.oauth.refreshTokenTtlS,
      authorizationCodeLifetime: CODE_TTL_S,
      allowEmptyState: true,
      alwaysIssueNewRefreshToken: true,
      requireClientAuthentication: { authorization_code: false, refresh_token: false },
    });
  }

  /**
   * RFC 7009 revocation by the client the token was issued to: a refresh token revokes its whole
   * grant (every token of the family), an access token itself. An unknown token, or one of another
   * client, changes nothing and is not an error (the answer must not tell).
   */
  async revoke(token: string, clientId: string): Promise<void> {
    const row =
      token.length <= 500 ? await this.repos.tokens.findOne({ where: { token_hash: this.hasher.hash(token) } }) : null;
    if (!row || row.client_id !== clientId) return;
    const now = new Date().toISOString();
    if (row.kind === 'refresh') await this.repos.tokens.update({ family_id: row.family_id }, { revoked_at: now });
    else await this.repos.tokens.update({ token_hash: row.token_hash }, { revoked_at: now });
  }

  /** Client authentication for the revocation endpoint, as at the token endpoint (public clients: client_id only). */
  async authenticateClient(clientId: string | undefined, secret: string | undefined): Promise<boolean> {
    if (!clientId) return false;
    return Boolean(await oauthModel(this.repos, this.hasher).getClient(clientId, secret as string));
  }

  /**
   * Whether an access token may be used on this MCP server: known, an access token, not revoked,
   * not expired, issued for this very server. Its approving API token and its client still exist
   * (their deletion deleted it).
   */
  async verifyAccess(bearer: string, mcpServerId: string): Promise<boolean> {
    const row = await this.repos.tokens.findOne({ where: { token_hash: this.hasher.hash(bearer), kind: 'access' } });
    return (
      row !== null &&
      row.revoked_at === null &&
      row.expires_at > new Date().toISOString() &&
      row.mcp_server_id === mcpServerId
    );
  }
}
