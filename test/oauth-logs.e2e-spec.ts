/**
 * OAuth secrets in logs. The built gateway runs with LOG_LEVEL=debug and every byte it prints is
 * captured while a client goes through the whole OAuth flow over raw HTTP (registration as a
 * confidential client, the authorization request and consent POST, the code exchange, a wrong
 * verifier, a refresh, a replayed refresh token, MCP calls with the access token, secrets put in
 * query strings by mistake). No line holds a code, verifier, access or refresh token, client
 * secret, the pasted API token or the MCP URL token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ensureBuilt, freePort, json, spawnGateway, tmpDir, type Child } from './reliability-helpers';

const ADMIN = 'phg_admin_oauth_logs_0123456789abcdef';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('OAuth codes, verifiers, tokens and secrets never reach the logs', () => {
  let gw: Child;

  beforeAll(async () => {
    ensureBuilt();
    gw = await spawnGateway({
      DATA_DIR: tmpDir('phg-oauth-logs-'),
      PORT: String(await freePort()),
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'debug',
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
    });
  }, 300_000);

  afterAll(async () => {
    await gw?.stop('SIGKILL');
  });

  it('runs the whole flow and finds none of its secrets in the output', async () => {
    const secrets: string[] = [];
    const accounts = (await json(`${gw.url}/integrated-account`, { token: ADMIN })).body.result as {
      id: string;
      name: string;
    }[];
    const accountId = accounts.find((a) => a.name === 'sandbox')!.id;
    const server = await json(`${gw.url}/integrated-account/${accountId}/mcp`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({ name: 'logs', config: { require_api_token_auth: true } }),
    });
    const mcpToken = server.body.token as string;
    secrets.push(mcpToken.slice(4));
    const apiToken = (
      await json(`${gw.url}/api-token`, {
        method: 'POST',
        token: ADMIN,
        body: JSON.stringify({ name: 'approver', scope: 'mcp' }),
      })
    ).body.token as string;
    secrets.push(apiToken.slice(4));
    const resource = (await json(`${gw.url}/.well-known/oauth-protected-resource/mcp/${mcpToken}`)).body
      .resource as string;
    const reg = await json(`${gw.url}/oauth/register`, {
      method: 'POST',
      body: JSON.stringify({
        client_name: 'logs',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'client_secret_post',
      }),
    });
    expect(reg.status).toBe(201);
    const clientId = reg.body.client_id as string;
    const clientSecret = reg.body.client_secret as string;
    secrets.push(clientSecret.slice(5));

    const post = async (path: string, fields: Record<string, string>) => {
      const res = await fetch(gw.url + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      const text = await res.text();
      return {
        status: res.status,
        location: res.headers.get('location'),
        body: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, string>,
      };
    };
    const authorize = async () => {
      const verifier = randomBytes(32).toString('base64url');
      secrets.push(verifier);
      const params = {
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        state: 's',
        resource,
      };
      expect((await fetch(`${gw.url}/oauth/authorize?${new URLSearchParams(params)}`)).status).toBe(200);
      const approved = await post('/oauth/authorize', { ...params, api_token: apiToken, decision: 'approve' });
      const code = new URL(approved.location!).searchParams.get('code')!;
      secrets.push(code.slice(5));
      return { code, verifier };
    };

    const first = await authorize();
    const wrong = await post('/oauth/token', {
      grant_type: 'authorization_code',
      code: first.code,
      code_verifier: randomBytes(32).toString('base64url'),
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: REDIRECT,
    });
    expect(wrong.body.error).toBe('invalid_grant');
    const second = await authorize();
    const tokens = await post('/oauth/token', {
      grant_type: 'authorization_code',
      code: second.code,
      code_verifier: second.verifier,
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: REDIRECT,
      resource,
    });
    expect(tokens.status).toBe(200);
    secrets.push(tokens.body.access_token.slice(5), tokens.body.refresh_token.slice(5));
    const refreshed = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.access_token.slice(5), refreshed.body.refresh_token.slice(5));
    expect(
      (
        await post('/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: tokens.body.refresh_token,
          client_id: clientId,
          client_secret: clientSecret,
        })
      ).body.error,
    ).toBe('invalid_grant');

    const list = (bearer: string) =>
      fetch(`${gw.url}/mcp/${mcpToken}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${bearer}`,
        },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
    expect((await list(tokens.body.access_token)).status).toBe(401);
    const third = await authorize();
    const live = await post('/oauth/token', {
      grant_type: 'authorization_code',
      code: third.code,
      code_verifier: third.verifier,
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: REDIRECT,
    });
    secrets.push(live.body.access_token.slice(5), live.body.refresh_token.slice(5));
    expect((await list(live.body.access_token)).status).toBe(200);
    // Secrets sent where they do not belong: in query strings.
    await fetch(
      `${gw.url}/oauth/token?code=${third.code}&code_verifier=${third.verifier}&refresh_token=${live.body.refresh_token}&client_secret=${clientSecret}`,
      { method: 'POST' },
    );
    await fetch(`${gw.url}/proxy/companies?access_token=${live.body.access_token}`);

    await new Promise((r) => setTimeout(r, 300));
    const out = gw.output();
    expect(out).toContain('/oauth/token');
    const leaks = secrets.filter((s) => out.includes(s));
    expect(leaks).toEqual([]);
  }, 120_000);
});
