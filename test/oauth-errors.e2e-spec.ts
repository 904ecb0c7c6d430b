import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { api, createServer, startMcpApp, type Json } from './mcp-helpers';
import type { TestApp } from './support/test-app';
import { OAuthService } from '../src/oauth/oauth.service';

/**
 * The gateway as OAuth 2.1 authorization server for its MCP servers, request by request over real
 * HTTP: discovery from the 401, metadata, registration, the authorization endpoint's refusals
 * (unknown client, unregistered redirect URI, no PKCE, plain PKCE, no or foreign resource, bad API
 * token, admin key, denial), the token endpoint's (wrong verifier, wrong redirect_uri, unknown
 * client, wrong resource, expired code, code reuse, refresh reuse), and token binding: one server
 * only, dead once its approving API token is deleted. Every error is RFC 6749 JSON with a 4xx.
 */
const REDIRECT = 'http://127.0.0.1:9/callback';

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

describe('OAuth 2.1 for MCP servers: endpoints and refusals', () => {
  let t: TestApp;
  let base: string;
  let serverA: { id: string; token: string };
  let serverB: { id: string; token: string };
  let apiToken: { id: string; token: string };
  let clientId: string;

  const resourceOf = (s: { token: string }) => `${base}/mcp/${s.token}`;

  const form = async (
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    const res = await fetch(t.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      /* html */
    }
    return { status: res.status, location: res.headers.get('location'), body: json, text, headers: res.headers };
  };

  const authParams = (over: Record<string, string | undefined> = {}) => {
    const { verifier, challenge } = pkce();
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-123',
      resource: resourceOf(serverA),
    };
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete params[k];
      else params[k] = v;
    }
    return { params, verifier };
  };

  const getAuthorize = async (params: Record<string, string>) => {
    const res = await fetch(`${t.url}/oauth/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), text: await res.text(), headers: res.headers };
  };

  /** Approves on the consent form's POST; returns the code and the verifier. */
  const approve = async (over: Record<string, string | undefined> = {}, token = apiToken.token) => {
    const { params, verifier } = authParams(over);
    const res = await form('/oauth/authorize', { ...params, api_token: token, decision: 'approve' });
    expect(res.status).toBe(302);
    const loc = new URL(res.location!);
    expect(loc.searchParams.get('error')).toBeNull();
    expect(loc.searchParams.get('state')).toBe('st-123');
    return { code: loc.searchParams.get('code')!, verifier };
  };

  const exchange = (code: string, verifier: string, over: Record<string, string> = {}) =>
    form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: clientId,
      redirect_uri: REDIRECT,
      resource: resourceOf(serverA),
      ...over,
    });

  const toolsList = async (server: { token: string }, bearer: string) => {
    const res = await fetch(`${t.url}/mcp/${server.token}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${bearer}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const text = await res.text();
    return { status: res.status, text, wwwAuthenticate: res.headers.get('www-authenticate') };
  };

  beforeAll(async () => {
    const started = await startMcpApp();
    t = started.t;
    base = t.config.publicUrl;
    serverA = await createServer(t, started.accountId, { require_api_token_auth: true, methods: ['read'] });
    serverB = await createServer(t, started.accountId, { require_api_token_auth: true });
    const tok = await api(t, 'POST', '/api-token', { name: 'oauth approver', scope: 'mcp' });
    expect(tok.status).toBe(201);
    apiToken = { id: tok.body.id, token: tok.body.token };
    const reg = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'Test <client>', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      null,
    );
    expect(reg.status).toBe(201);
    expect(reg.body.client_secret).toBeUndefined();
    clientId = reg.body.client_id;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('a 401 from a protected MCP URL names its protected-resource metadata, which names the authorization server', async () => {
    const r = await toolsList(serverA, 'nope');
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp/${serverA.token}", error="invalid_token"`,
    );
    const none = await fetch(`${t.url}/mcp/${serverA.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp/${serverA.token}"`,
    );

    const prm = await api(t, 'GET', `/.well-known/oauth-protected-resource/mcp/${serverA.token}`, undefined, null);
    expect(prm.status).toBe(200);
    expect(prm.body).toMatchObject({
      resource: resourceOf(serverA),
      authorization_servers: [base],
      bearer_methods_supported: ['header'],
    });
    expect((await api(t, 'GET', '/.well-known/oauth-protected-resource/mcp/phm_unknown', undefined, null)).status).toBe(
      404,
    );

    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      `/.well-known/oauth-authorization-server/mcp/${serverA.token}`,
      `/mcp/${serverA.token}/.well-known/openid-configuration`,
    ]) {
      const as = await api(t, 'GET', path, undefined, null);
      expect(as.status).toBe(200);
      expect(as.body).toMatchObject({
        issuer: base,
        authorization_endpoint: `${base}/oauth/authorize`,
        token_endpoint: `${base}/oauth/token`,
        registration_endpoint: `${base}/oauth/register`,
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
      });
    }
  });

  it('registration refuses bad client metadata with RFC 7591 errors', async () => {
    const reg = (body: unknown) => api(t, 'POST', '/oauth/register', body, null);
    const cases: [unknown, string][] = [
      [{}, 'invalid_redirect_uri'],
      [{ redirect_uris: [] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://evil.example.com/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://app.example.com/cb#frag'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['not a uri'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT], grant_types: ['password'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT], response_types: ['token'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT], client_name: 'x'.repeat(201) }, 'invalid_client_metadata'],
      [[1, 2], 'invalid_client_metadata'],
    ];
    for (const [body, error] of cases) {
      const r = await reg(body);
      expect({ body, status: r.status, error: r.body.error }).toEqual({ body, status: 400, error });
      expect(typeof r.body.error_description).toBe('string');
    }
    const badJson = await fetch(`${t.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"redirect_uris": [',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as Json).error).toBe('invalid_request');
    const asForm = await form('/oauth/register', { redirect_uris: REDIRECT });
    expect(asForm.status).toBe(415);
    expect(asForm.body.error).toBe('invalid_request');
    // Forms are accepted by the OAuth endpoints only.
    const elsewhere = await form('/api-token', { name: 'x' }, { authorization: 'Bearer test-admin-key-0123456789' });
    expect(elsewhere.status).toBe(415);

    const confidential = await reg({
      client_name: 'conf',
      redirect_uris: ['https://app.example.com/cb', 'cursor://anysphere.cursor-retrieval/oauth/cb'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(confidential.status).toBe(201);
    expect(confidential.body.client_secret).toMatch(/^phos_/);
  });

  it('the authorization endpoint shows errors about the client on a page, and sends the others back to the redirect URI', async () => {
    const unknown = await getAuthorize(authParams({ client_id: 'no-such-client' }).params);
    expect(unknown.status).toBe(401);
    expect(unknown.location).toBeNull();
    expect(unknown.text).toContain('invalid_client');
    expect(unknown.headers.get('content-type')).toMatch(/text\/html/);

    const wrongRedirect = await getAuthorize(authParams({ redirect_uri: 'http://127.0.0.1:9/other' }).params);
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.location).toBeNull();

    const back = async (over: Record<string, string | undefined>) => {
      const r = await getAuthorize(authParams(over).params);
      expect(r.status).toBe(302);
      const loc = new URL(r.location!);
      expect(loc.origin + loc.pathname).toBe(REDIRECT);
      expect(loc.searchParams.get('state')).toBe('st-123');
      return loc.searchParams.get('error');
    };
    expect(await back({ code_challenge: undefined, code_challenge_method: undefined })).toBe('invalid_request');
    expect(await back({ code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await back({ code_challenge_method: undefined })).toBe('invalid_request');
    expect(await back({ code_challenge: 'short' })).toBe('invalid_request');
    expect(await back({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await back({ resource: undefined })).toBe('invalid_request');
    expect(await back({ resource: 'https://elsewhere.example.com/mcp/x' })).toBe('invalid_target');
    expect(await back({ resource: `${base}/mcp/phm_unknown` })).toBe('invalid_target');

    // A good request shows the consent page: client, server, account and policy, escaped.
    const page = await getAuthorize(authParams().params);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('Test &#60;client&#62;');
    expect(page.text).not.toContain('Test <client>');
    expect(page.text).toContain('sandbox');
    expect(page.text).toContain('methods: read');
  });

  it('the consent POST refuses a bad API token and the admin key, and a denial goes back as access_denied', async () => {
    const { params } = authParams();
    const bad = await form('/oauth/authorize', { ...params, api_token: 'phg_not-a-token', decision: 'approve' });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('not valid');
    const admin = await form('/oauth/authorize', {
      ...params,
      api_token: 'test-admin-key-0123456789',
      decision: 'approve',
    });
    expect(admin.status).toBe(401);
    expect(admin.text).toContain('admin key cannot approve');
    const denied = await form('/oauth/authorize', { ...params, api_token: apiToken.token, decision: 'deny' });
    expect(denied.status).toBe(302);
    expect(new URL(denied.location!).searchParams.get('error')).toBe('access_denied');
    const plain = await form('/oauth/authorize', {
      ...params,
      code_challenge_method: 'plain',
      api_token: apiToken.token,
      decision: 'approve',
    });
    expect(new URL(plain.location!).searchParams.get('error')).toBe('invalid_request');
    const repeated = await form('/oauth/authorize', {
      ...params,
      state: ['a', 'b'],
      api_token: apiToken.token,
      decision: 'approve',
    });
    expect(repeated.status).toBe(400);
    // The origin guard lets the consent form's own POST through (the browser sends the page's origin,
    // which `referrer-policy: same-origin` keeps; `no-referrer` made Chromium send `Origin: null`).
    const own = await form(
      '/oauth/authorize',
      { ...params, api_token: apiToken.token, decision: 'approve' },
      { origin: new URL(base).origin },
    );
    expect(own.status).toBe(302);
    expect(new URL(own.location!).searchParams.get('code')).toBeTruthy();
    const foreign = await form(
      '/oauth/authorize',
      { ...params, api_token: apiToken.token, decision: 'approve' },
      { origin: 'https://evil.example.com' },
    );
    expect(foreign.status).toBe(403);
    const page = await getAuthorize(params);
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
  });

  it('app schemes (Cursor) and https redirect URIs get their code back, with the query they registered kept; any scope asked is granted as `mcp`', async () => {
    for (const redirect of [
      'cursor://anysphere.cursor-retrieval/oauth/user-planhat/callback',
      'https://claude.example.com/api/mcp/auth_callback?x=1',
    ]) {
      const reg = await api(
        t,
        'POST',
        '/oauth/register',
        { client_name: 'app', redirect_uris: [redirect], token_endpoint_auth_method: 'none' },
        null,
      );
      expect(reg.status).toBe(201);
      const { params, verifier } = authParams({
        client_id: reg.body.client_id,
        redirect_uri: redirect,
        scope: 'openid profile',
      });
      const res = await form('/oauth/authorize', { ...params, api_token: apiToken.token, decision: 'approve' });
      expect(res.status).toBe(302);
      const loc = new URL(res.location!);
      expect(`${loc.protocol}//${loc.host}${loc.pathname}`).toBe(redirect.split('?')[0]);
      if (redirect.includes('?x=1')) expect(loc.searchParams.get('x')).toBe('1');
      const code = loc.searchParams.get('code')!;
      const ok = await form('/oauth/token', {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        client_id: reg.body.client_id,
        redirect_uri: redirect,
      });
      expect(ok.status).toBe(200);
      // Whatever scope was asked, the grant says what it is: `mcp`.
      expect(ok.body.scope).toBe('mcp');
    }
  });

  it('the token endpoint refuses a wrong verifier (and the code is spent), a wrong redirect_uri, an unknown client, a wrong resource, an expired code', async () => {
    const wrongVerifier = await approve();
    const r1 = await exchange(wrongVerifier.code, pkce().verifier);
    expect([r1.status, r1.body.error]).toEqual([400, 'invalid_grant']);
    const r1again = await exchange(wrongVerifier.code, wrongVerifier.verifier);
    expect([r1again.status, r1again.body.error]).toEqual([400, 'invalid_grant']);

    const noVerifier = await approve();
    const r0 = await form('/oauth/token', {
      grant_type: 'authorization_code',
      code: noVerifier.code,
      client_id: clientId,
      redirect_uri: REDIRECT,
    });
    expect([r0.status, r0.body.error]).toEqual([400, 'invalid_grant']);

    const wrongRedirect = await approve();
    const r2 = await exchange(wrongRedirect.code, wrongRedirect.verifier, { redirect_uri: 'http://127.0.0.1:9/other' });
    expect(r2.status).toBe(400);
    expect(r2.body.error).toMatch(/^invalid_(request|grant)$/);

    const unknownClient = await approve();
    const r3 = await exchange(unknownClient.code, unknownClient.verifier, { client_id: 'no-such-client' });
    expect(r3.status).toBeGreaterThanOrEqual(400);
    expect(r3.status).toBeLessThan(500);
    expect(r3.body.error).toBe('invalid_client');

    const wrongResource = await approve();
    const r4 = await exchange(wrongResource.code, wrongResource.verifier, { resource: resourceOf(serverB) });
    expect([r4.status, r4.body.error]).toEqual([400, 'invalid_target']);
    const r4b = await exchange(wrongResource.code, wrongResource.verifier, {
      resource: 'https://elsewhere.example.com/mcp/x',
    });
    expect([r4b.status, r4b.body.error]).toEqual([400, 'invalid_target']);

    const expired = await approve();
    await t.app
      .get(DataSource)
      .createQueryBuilder()
      .update('oauth_code')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .execute();
    const r5 = await exchange(expired.code, expired.verifier);
    expect([r5.status, r5.body.error]).toEqual([400, 'invalid_grant']);

    for (const [fields, error] of [
      [{}, 'invalid_request'],
      [{ grant_type: 'authorization_code', client_id: clientId }, 'invalid_request'],
      [{ grant_type: 'password', client_id: clientId, username: 'a', password: 'b' }, 'unsupported_grant_type'],
      [{ grant_type: 'refresh_token', client_id: clientId, refresh_token: 'phor_nope' }, 'invalid_grant'],
      [{ grant_type: ['authorization_code', 'refresh_token'], client_id: clientId }, 'invalid_request'],
    ] as [Record<string, string>, string][]) {
      const r = await form('/oauth/token', fields);
      expect({ fields, status: r.status, error: r.body.error }).toEqual({ fields, status: 400, error });
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    const json = await fetch(`${t.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as Json).error).toBe('invalid_request');
  });

  it('a confidential client must authenticate at the token endpoint (client_secret_post or client_secret_basic)', async () => {
    const reg = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'confidential', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' },
      null,
    );
    const { client_id: id, client_secret: secret } = reg.body as { client_id: string; client_secret: string };
    const a = await approve({ client_id: id });
    const none = await exchange(a.code, a.verifier, { client_id: id });
    expect([none.status, none.body.error]).toEqual([400, 'invalid_client']);
    const wrong = await exchange(a.code, a.verifier, { client_id: id, client_secret: 'phos_wrong' });
    expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_client']);
    const good = await exchange(a.code, a.verifier, { client_id: id, client_secret: secret });
    expect(good.status).toBe(200);
    expect(good.body.access_token).toMatch(/^phoa_/);

    const b = await approve({ client_id: id });
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(user)}:${encodeURIComponent(pass)}`).toString('base64')}`;
    const badBasic = await form(
      '/oauth/token',
      { grant_type: 'authorization_code', code: b.code, code_verifier: b.verifier, redirect_uri: REDIRECT },
      { authorization: basic(id, 'phos_wrong') },
    );
    expect([badBasic.status, badBasic.body.error]).toEqual([401, 'invalid_client']);
    expect(badBasic.headers.get('www-authenticate')).toMatch(/^Basic/);
    const okBasic = await form(
      '/oauth/token',
      { grant_type: 'authorization_code', code: b.code, code_verifier: b.verifier, redirect_uri: REDIRECT },
      { authorization: basic(id, secret) },
    );
    expect(okBasic.status).toBe(200);
    // A public client cannot present a secret it was never given.
    const c = await approve();
    const publicWithSecret = await exchange(c.code, c.verifier, { client_secret: secret });
    expect([publicWithSecret.status, publicWithSecret.body.error]).toEqual([400, 'invalid_client']);
  });

  it('tokens work on their own server only; code reuse and refresh reuse revoke the grant; deleting the API token revokes everything', async () => {
    const { code, verifier } = await approve();
    const ok = await exchange(code, verifier);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', scope: 'mcp' });
    expect(ok.body.expires_in).toBeGreaterThan(3590);
    expect(ok.body.expires_in).toBeLessThanOrEqual(3600);
    expect(ok.body.access_token).toMatch(/^phoa_/);
    expect(ok.body.refresh_token).toMatch(/^phor_/);
    expect((await toolsList(serverA, ok.body.access_token)).status).toBe(200);
    const other = await toolsList(serverB, ok.body.access_token);
    expect(other.status).toBe(401);
    expect(other.wwwAuthenticate).toContain(`/.well-known/oauth-protected-resource/mcp/${serverB.token}`);

    // Code reuse: refused, and the tokens it gave are revoked.
    const reuse = await exchange(code, verifier);
    expect([reuse.status, reuse.body.error]).toEqual([400, 'invalid_grant']);
    expect((await toolsList(serverA, ok.body.access_token)).status).toBe(401);

    // Refresh rotates; presenting the old refresh token again revokes the family.
    const second = await approve();
    const pair = (await exchange(second.code, second.verifier)).body;
    const refresh = (rt: string, extra: Record<string, string> = {}) =>
      form('/oauth/token', { grant_type: 'refresh_token', refresh_token: rt, client_id: clientId, ...extra });
    const wrongTarget = await refresh(pair.refresh_token, { resource: resourceOf(serverB) });
    expect([wrongTarget.status, wrongTarget.body.error]).toEqual([400, 'invalid_target']);
    const rotated = await refresh(pair.refresh_token, { resource: resourceOf(serverA) });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(pair.refresh_token);
    expect((await toolsList(serverA, rotated.body.access_token)).status).toBe(200);
    const replay = await refresh(pair.refresh_token);
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant']);
    expect((await toolsList(serverA, rotated.body.access_token)).status).toBe(401);
    expect((await refresh(rotated.body.refresh_token)).body.error).toBe('invalid_grant');

    // Static API tokens keep working; deleting the approving API token kills its OAuth tokens.
    const third = await approve();
    const live = (await exchange(third.code, third.verifier)).body;
    expect((await toolsList(serverA, live.access_token)).status).toBe(200);
    expect((await toolsList(serverA, apiToken.token)).status).toBe(200);
    expect((await api(t, 'DELETE', `/api-token/${apiToken.id}`)).status).toBeLessThan(300);
    expect((await toolsList(serverA, live.access_token)).status).toBe(401);
    expect((await refresh(live.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('the sweep deletes expired codes and tokens and clients registered over a day ago that hold none', async () => {
    const idle = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'idle', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      null,
    );
    const used = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'used', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      null,
    );
    const tok = await api(t, 'POST', '/api-token', { name: 'sweep approver', scope: 'mcp' });
    apiToken = { id: tok.body.id, token: tok.body.token };
    const a = await approve({ client_id: used.body.client_id });
    expect((await exchange(a.code, a.verifier, { client_id: used.body.client_id })).status).toBe(200);
    const ds = t.app.get(DataSource);
    await ds.createQueryBuilder().update('oauth_client').set({ created_at: '2000-01-01T00:00:00.000Z' }).execute();
    await t.app.get(OAuthService).sweep();
    const ids = (await ds.createQueryBuilder().select('id').from('oauth_client', 'c').getRawMany<{ id: string }>()).map(
      (r) => r.id,
    );
    expect(ids).toContain(used.body.client_id);
    expect(ids).not.toContain(idle.body.client_id);
    const expired = await ds
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from('oauth_token', 'k')
      .where('k.expires_at < :now', { now: new Date().toISOString() })
      .getRawOne<{ n: string | number }>();
    expect(Number(expired?.n)).toBe(0);
  });

  it('revocation (RFC 7009): an access token alone, a refresh token with its whole grant; unknown tokens are not an error', async () => {
    const tok = await api(t, 'POST', '/api-token', { name: 'revoke approver', scope: 'mcp' });
    apiToken = { id: tok.body.id, token: tok.body.token };
    const reg = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'revoker', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      null,
    );
    clientId = reg.body.client_id;
    const a = await approve();
    const pair = (await exchange(a.code, a.verifier)).body;
    expect((await toolsList(serverA, pair.access_token)).status).toBe(200);

    const revoke = (fields: Record<string, string>) => form('/oauth/revoke', fields);
    expect((await revoke({ token: pair.access_token, client_id: clientId })).status).toBe(200);
    expect((await toolsList(serverA, pair.access_token)).status).toBe(401);
    const next = await form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_id: clientId,
    });
    expect(next.status).toBe(200);
    expect((await toolsList(serverA, next.body.access_token)).status).toBe(200);

    // Another client cannot revoke it; unknown tokens answer 200 all the same.
    const other = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'other', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      null,
    );
    expect((await revoke({ token: next.body.access_token, client_id: other.body.client_id })).status).toBe(200);
    expect((await toolsList(serverA, next.body.access_token)).status).toBe(200);
    expect((await revoke({ token: 'phoa_unknown', client_id: clientId })).status).toBe(200);

    expect((await revoke({ token: next.body.refresh_token, client_id: clientId })).status).toBe(200);
    expect((await toolsList(serverA, next.body.access_token)).status).toBe(401);

    const missing = await revoke({ client_id: clientId });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    const unknownClient = await revoke({ token: 'x', client_id: 'no-such-client' });
    expect([unknownClient.status, unknownClient.body.error]).toEqual([401, 'invalid_client']);
    const conf = await api(
      t,
      'POST',
      '/oauth/register',
      { client_name: 'conf', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic' },
      null,
    );
    const noSecret = await revoke({ token: 'x', client_id: conf.body.client_id });
    expect([noSecret.status, noSecret.body.error]).toEqual([401, 'invalid_client']);
    const withBasic = await form(
      '/oauth/revoke',
      { token: 'x' },
      { authorization: `Basic ${Buffer.from(`${conf.body.client_id}:${conf.body.client_secret}`).toString('base64')}` },
    );
    expect(withBasic.status).toBe(200);
    const garbledBasic = await form(
      '/oauth/revoke',
      { token: 'x' },
      { authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}` },
    );
    expect([garbledBasic.status, garbledBasic.body.error]).toEqual([400, 'invalid_request']);
  });

  it('garbage to every OAuth endpoint is a 4xx, never a 5xx', async () => {
    const bodies: (string | Buffer)[] = [
      '',
      '{}',
      '[]',
      'null',
      '"x"',
      '{"a":',
      'a=1&a=2',
      '%%%&=&==',
      Buffer.from([0xff, 0xfe, 0x3d]),
      `token=${'x'.repeat(100_000)}`,
      'grant_type=authorization_code&code=%00&client_id=%00',
      'token=x&client_id=%00',
      'token=%00&client_id=a%01b',
    ];
    const types = ['application/json', 'application/x-www-form-urlencoded', 'text/plain'];
    const seen: string[] = [];
    for (const path of ['/oauth/register', '/oauth/token', '/oauth/revoke', '/oauth/authorize']) {
      for (const body of bodies) {
        for (const type of types) {
          const res = await fetch(t.url + path, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'content-type': type },
            body,
          });
          await res.arrayBuffer();
          if (res.status >= 500) seen.push(`${path} ${type} ${String(body).slice(0, 30)} -> ${res.status}`);
        }
      }
    }
    // NUL bytes (PostgreSQL refuses them in text) in every field that reaches a query.
    for (const body of [
      { client_name: 'a\u0000b', redirect_uris: [REDIRECT] },
      { redirect_uris: ['https://a.example.com/\u0000'] },
    ]) {
      const r = await api(t, 'POST', '/oauth/register', body, null);
      if (r.status !== 400) seen.push(`register ${JSON.stringify(body)} -> ${r.status}`);
    }
    for (const [path, fields] of [
      ['/oauth/revoke', { token: 'x', client_id: 'a\u0000b' }],
      ['/oauth/revoke', { token: 'a\u0000b', client_id: clientId }],
      ['/oauth/token', { grant_type: 'refresh_token', refresh_token: 'a\u0000b', client_id: clientId }],
      [
        '/oauth/authorize',
        {
          client_id: clientId,
          redirect_uri: REDIRECT,
          api_token: 'a\u0000b',
          decision: 'approve',
          response_type: 'code',
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
          resource: `${base}/mcp/\u0000`,
        },
      ],
    ] as [string, Record<string, string>][]) {
      const r = await form(path, fields);
      if (r.status >= 500) seen.push(`${path} ${JSON.stringify(fields).slice(0, 60)} -> ${r.status}`);
    }
    for (const q of [
      '',
      'client_id=',
      'client_id=%ZZ',
      `client_id=${clientId}&redirect_uri=${REDIRECT}&resource=${'a'.repeat(5000)}`,
      'client_id=x&redirect_uri=javascript:alert(1)',
      `client_id=${clientId}&redirect_uri=${REDIRECT}&state=%C3%A9t%C3%A9&response_type=code`,
      'client_id[]=x',
    ]) {
      const res = await fetch(`${t.url}/oauth/authorize?${q}`, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status >= 500) seen.push(`GET /oauth/authorize?${q.slice(0, 60)} -> ${res.status}`);
    }
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp/%00',
      `/.well-known/oauth-protected-resource/mcp/${'a'.repeat(900)}`,
      '/.well-known/oauth-protected-resource',
      '/.well-known/nothing',
    ]) {
      const res = await fetch(t.url + path);
      await res.arrayBuffer();
      if (res.status >= 500) seen.push(`GET ${path.slice(0, 60)} -> ${res.status}`);
    }
    expect(seen).toEqual([]);
  });
});
