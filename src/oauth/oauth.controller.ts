import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import OAuthServer, { OAuthError } from '@node-oauth/oauth2-server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator';
import { consentPage, errorPage, PAGE_HEADERS } from './consent-page';
import { newFamilyId, type GrantUser } from './oauth.model';
import type { ActiveMcpServer } from '../mcp-servers/mcp-server-cache';
import { OAuthProblem, OAuthService, type AuthorizationRequest } from './oauth.service';

/** The parameters of an authorization request the consent form carries; anything else is dropped. */
const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'code_challenge',
  'code_challenge_method',
  'state',
  'scope',
  'resource',
] as const;

/** Routes whose bodies are application/x-www-form-urlencoded (RFC 6749); every other route takes JSON only. */
export const OAUTH_FORM_PATHS = ['/oauth/token', '/oauth/authorize', '/oauth/revoke'];

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** A request's parameters as single strings; a repeated parameter is an invalid_request (RFC 6749 §3.1). */
function single(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (source === null || typeof source !== 'object') return out;
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    if (Array.isArray(v)) throw new OAuthProblem('invalid_request', `Parameter ${k.slice(0, 40)} is repeated`);
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function pick(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of AUTHORIZE_PARAMS) if (params[k] !== undefined) out[k] = params[k];
  return out;
}

/**
 * OAuth 2.1 for the gateway's MCP servers (MCP authorization spec 2025-06-18): the gateway is the
 * authorization server. Metadata (RFC 8414, with the OpenID alias and path-suffixed variants; RFC
 * 9728 per MCP URL), dynamic client registration (RFC 7591), the authorization endpoint with its
 * consent page (approved by pasting a gateway API token), and the token endpoint. Errors are RFC
 * 6749 JSON (`error`, `error_description`), or an HTML page when the redirect URI is not trusted.
 */
@ApiExcludeController()
@Public()
@Controller()
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Get([
    '.well-known/oauth-authorization-server',
    '.well-known/oauth-authorization-server/mcp/:token',
    '.well-known/openid-configuration',
    '.well-known/openid-configuration/mcp/:token',
    'mcp/:token/.well-known/openid-configuration',
    'mcp/:token/.well-known/oauth-authorization-server',
  ])
  authorizationServer(@Res() reply: FastifyReply): void {
    void reply.headers({ 'cache-control': 'public, max-age=300' }).send(this.oauth.authorizationServerMetadata());
  }

  @Get(['.well-known/oauth-protected-resource/mcp/:token', '.well-known/oauth-protected-resource/mcp/:token/sse'])
  async protectedResource(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const meta = await this.oauth.protectedResourceMetadata(token);
    if (!meta) {
      void reply
        .status(404)
        .headers(NO_STORE)
        .send({ error: 'invalid_target', error_description: 'Unknown or expired MCP server' });
      return;
    }
    void reply.headers(NO_STORE).send(meta);
  }

  @Post('oauth/register')
  @HttpCode(201)
  async register(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    try {
      void reply
        .status(201)
        .headers(NO_STORE)
        .send(await this.oauth.register(body));
    } catch (err) {
      this.jsonError(reply, err);
    }
  }

  @Get('oauth/authorize')
  async authorizePage(@Query() query: unknown, @Res() reply: FastifyReply): Promise<void> {
    let req: AuthorizationRequest;
    let params: Record<string, string>;
    try {
      params = single(query);
      req = await this.oauth.checkClient(params);
    } catch (err) {
      return this.page(reply, err);
    }
    try {
      await this.consent(reply, 200, await this.oauth.checkRequest(req, params), params);
    } catch (err) {
      this.redirectError(reply, req, err);
    }
  }

  @Post('oauth/authorize')
  async authorize(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    let req: AuthorizationRequest;
    let params: Record<string, string>;
    try {
      params = single(body);
      req = await this.oauth.checkClient(params);
    } catch (err) {
      return this.page(reply, err);
    }
    try {
      if (params.decision !== 'approve') throw new OAuthProblem('access_denied', 'The person denied the request');
      const checked = await this.oauth.checkRequest(req, params);
      const approver = await this.oauth.approver(params.api_token);
      if (typeof approver === 'string') return this.consent(reply, 401, checked, params, approver);
      const user: GrantUser = {
        apiTokenId: approver.id,
        mcpServerId: checked.target.server.id,
        familyId: newFamilyId(),
      };
      const response = new OAuthServer.Response();
      const oauthRequest = new OAuthServer.Request({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        query: {},
        body: { ...pick(params), redirect_uri: req.redirectUri },
      });
      await this.oauth
        .server(checked.target.server.id)
        .authorize(oauthRequest, response, { authenticateHandler: { handle: () => user } });
      void reply
        .status(302)
        .headers({ ...NO_STORE, location: String(response.get('location')) })
        .send();
    } catch (err) {
      this.redirectError(reply, req, err);
    }
  }

  @Post('oauth/token')
  async token(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      const params = single(body);
      if (params.grant_type === undefined) throw new OAuthProblem('invalid_request', 'Missing parameter: grant_type');
      if (params.grant_type !== 'authorization_code' && params.grant_type !== 'refresh_token') {
        throw new OAuthProblem('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
      }
      let expected: string | undefined;
      if (params.resource !== undefined) {
        const target = await this.oauth.resolveResource(params.resource);
        if (!target)
          throw new OAuthProblem('invalid_target', 'resource is not the URL of an MCP server of this gateway');
        expected = target.server.id;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (typeof v === 'string') headers[k] = v;
      const response = new OAuthServer.Response();
      const oauthRequest = new OAuthServer.Request({ method: 'POST', headers, query: {}, body: params });
      try {
        await this.oauth.server(expected).token(oauthRequest, response);
      } catch (err) {
        const auth = response.get('www-authenticate');
        if (auth) void reply.header('www-authenticate', String(auth));
        throw err;
      }
      void reply.status(200).headers(NO_STORE).send(response.body);
    } catch (err) {
      this.jsonError(reply, err);
    }
  }

  /** The consent page of a checked request (again, with the error, when the pasted API token is refused). */
  private async consent(
    reply: FastifyReply,
    status: number,
    checked: AuthorizationRequest & { target: ActiveMcpServer },
    params: Record<string, string>,
    error?: string,
  ): Promise<void> {
    const { accountName } = await this.oauth.describe(checked.target);
    const { server } = checked.target;
    const view = {
      clientName: checked.client.name,
      redirectUri: checked.redirectUri,
      serverName: server.name,
      accountName,
      config: server.config,
      params: { ...pick(params), redirect_uri: checked.redirectUri },
      error,
    };
    void reply.status(status).headers(PAGE_HEADERS).send(consentPage(view));
  }

  /** RFC 7009 token revocation (a client signing out): 200 whether or not the token was known. */
  @Post('oauth/revoke')
  async revoke(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      const params = single(body);
      if (typeof params.token !== 'string' || params.token === '')
        throw new OAuthProblem('invalid_request', 'Missing parameter: token');
      let clientId = params.client_id;
      let secret = params.client_secret;
      const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(String(request.headers.authorization ?? ''));
      if (basic) {
        const [user, ...pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        clientId = decodeURIComponent(user);
        secret = decodeURIComponent(pass.join(':'));
      }
      if (!(await this.oauth.authenticateClient(clientId, secret))) {
        throw new OAuthProblem('invalid_client', 'Client authentication failed', 401);
      }
      await this.oauth.revoke(params.token, clientId!);
      void reply.status(200).headers(NO_STORE).send({});
    } catch (err) {
      this.jsonError(
        reply,
        err instanceof URIError ? new OAuthProblem('invalid_request', 'Malformed client credentials') : err,
      );
    }
  }

  /** RFC 6749 §5.2 JSON error; anything that is not an OAuth error is the server's (500, logged by the filter). */
  private jsonError(reply: FastifyReply, err: unknown): void {
    const problem = toProblem(err);
    if (!problem) throw err;
    void reply
      .status(problem.status)
      .headers(NO_STORE)
      .send({ error: problem.error, error_description: problem.description });
  }

  private page(reply: FastifyReply, err: unknown): void {
    const problem = toProblem(err);
    if (!problem) throw err;
    void reply
      .status(problem.status === 401 ? 401 : 400)
      .headers(PAGE_HEADERS)
      .send(errorPage(problem.error, problem.description));
  }

  /** An error of a request whose client and redirect URI are known: back to the client (RFC 6749 §4.1.2.1). */
  private redirectError(reply: FastifyReply, req: AuthorizationRequest, err: unknown): void {
    const problem = toProblem(err);
    if (!problem) throw err;
    const to = new URL(req.redirectUri);
    to.searchParams.set('error', problem.error);
    to.searchParams.set('error_description', problem.description);
    if (req.state !== undefined) to.searchParams.set('state', req.state);
    void reply
      .status(302)
      .headers({ ...NO_STORE, location: to.toString() })
      .send();
  }
}

function toProblem(err: unknown): OAuthProblem | undefined {
  if (err instanceof OAuthProblem) return err;
  if (err instanceof OAuthError) {
    if (err.name === 'server_error') return undefined;
    return new OAuthProblem(err.name, err.message, err.code >= 400 && err.code < 500 ? err.code : 400);
  }
  return undefined;
}
