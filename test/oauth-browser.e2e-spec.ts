import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Browser } from 'playwright-core';
import { describeBrowser, launchChromium } from './browser';
import { api, startMcpApp } from './mcp-helpers';
import type { TestApp } from './support/test-app';

/**
 * The whole OAuth sign-in as a real MCP client does it: the MCP SDK's own OAuth support (an
 * OAuthClientProvider) meets the 401, discovers the metadata, registers, and sends the person to the
 * consent page, which headless Chromium fills in (pastes the API token, approves); the browser is
 * redirected to the client's loopback callback server, the SDK exchanges the code and lists the
 * tools. Then: the token is refused by another MCP server, the SDK refreshes (rotation), and
 * deleting the approving API token ends access. One browser launch for the file.
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); missing it fails under CI=true.
 */

/** An in-memory OAuthClientProvider, as an MCP client application keeps one. */
class TestProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  authorizationUrl?: URL;

  constructor(private readonly callback: string) {}

  get redirectUrl(): string {
    return this.callback;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'E2E MCP client',
      redirect_uris: [this.callback],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describeBrowser('OAuth sign-in with the MCP SDK client and a browser on the consent page', () => {
  let t: TestApp;
  let browser: Browser;
  let callbackServer: Server;
  let codes: Promise<string>;
  let deliverCode: (code: string) => void;
  const clients: Client[] = [];

  beforeAll(async () => {
    ({ t } = await startMcpApp({ OAUTH_ACCESS_TOKEN_TTL_S: '600' }));
    codes = new Promise((resolve) => (deliverCode = resolve));
    callbackServer = createHttpServer((req, res) => {
      const code = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('code');
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(code ? 'Signed in, you can close this window.' : 'No code');
      if (code) deliverCode(code);
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await new Promise((resolve) => callbackServer?.close(resolve));
    await t?.close();
  });

  it('signs in, lists tools, is refused elsewhere, refreshes, and loses access with its API token', async () => {
    const accounts = await api(t, 'GET', '/integrated-account');
    const accountId = accounts.body.result.find((a: { name: string }) => a.name === 'sandbox').id as string;
    const mk = async (name: string) => {
      const r = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
        name,
        config: { require_api_token_auth: true, methods: ['read'] },
      });
      expect(r.status).toBe(201);
      return r.body.url as string;
    };
    const urlA = await mk('Renewals desk');
    const urlB = await mk('Another server');
    expect(urlA.startsWith(t.config.publicUrl)).toBe(true);
    const tok = await api(t, 'POST', '/api-token', { name: 'person', scope: 'mcp' });
    const port = (callbackServer.address() as AddressInfo).port;
    const provider = new TestProvider(`http://127.0.0.1:${port}/callback`);

    // 1. The SDK meets the 401, discovers, registers and asks the person to authorize.
    const first = new StreamableHTTPClientTransport(new URL(urlA), { authProvider: provider });
    const c1 = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    clients.push(c1);
    await expect(c1.connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.info?.client_id).toBeTruthy();
    expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(urlA);

    // 2. The person approves on the consent page in a browser.
    const page = await browser.newPage();
    await page.goto(provider.authorizationUrl!.toString(), { waitUntil: 'load' });
    expect(await page.locator('#client-name').innerText()).toBe('E2E MCP client');
    expect(await page.locator('#server-name').innerText()).toBe('Renewals desk');
    expect(await page.locator('#account-name').innerText()).toBe('sandbox');
    expect(await page.locator('#policy').innerText()).toContain('methods: read');
    await page.locator('#api_token').fill(tok.body.token);
    // The form posts to the gateway with the page's own Origin, which the origin guard allows.
    await Promise.all([page.waitForURL(/\/callback\?/, { timeout: 15_000 }), page.locator('#approve').click()]);
    expect(await page.locator('body').innerText()).toContain('Signed in');
    await page.close();
    await first.finishAuth(await codes);
    expect(provider.saved?.access_token).toMatch(/^phoa_/);
    // OAUTH_ACCESS_TOKEN_TTL_S=600 sets the lifetime.
    expect(provider.saved?.expires_in).toBeGreaterThan(590);
    expect(provider.saved?.expires_in).toBeLessThanOrEqual(600);

    // 3. The issued token lists the tools of server A.
    const c2 = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    clients.push(c2);
    await c2.connect(new StreamableHTTPClientTransport(new URL(urlA), { authProvider: provider }));
    const tools = await c2.listTools();
    expect(tools.tools.length).toBeGreaterThan(10);

    // 4. The same token is refused by server B.
    const onB = await fetch(urlB, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${provider.saved!.access_token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(onB.status).toBe(401);

    // 5. The SDK refreshes: a new pair, the refresh token rotated, and the new access token works.
    const before = provider.saved!;
    expect(await auth(provider, { serverUrl: urlA })).toBe('AUTHORIZED');
    expect(provider.saved!.refresh_token).toBeTruthy();
    expect(provider.saved!.refresh_token).not.toBe(before.refresh_token);
    expect(provider.saved!.access_token).not.toBe(before.access_token);
    expect((await c2.listTools()).tools.length).toBe(tools.tools.length);

    // 6. Deleting the API token that approved the grant ends access at once.
    expect((await api(t, 'DELETE', `/api-token/${tok.body.id}`)).status).toBeLessThan(300);
    const after = await fetch(urlA, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${provider.saved!.access_token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(after.status).toBe(401);
    await expect(c2.listTools()).rejects.toThrow();
  }, 60_000);
});
