/**
 * Origin/Host validation (issue 26, item 1; the DNS-rebinding scenario of the MCP conformance
 * suite): over real HTTP against a gateway listening on 127.0.0.1, on the MCP routes (Streamable
 * HTTP, legacy SSE and its messages path) and on the admin API. Raw requests set Host and Origin
 * exactly as a browser on a rebound name would; the MCP SDK client (no Origin) keeps working.
 */
import { request } from 'undici';
import type { TestApp } from './support/test-app';
import { TEST_ADMIN_KEY } from './support/test-app';
import { closeClients, connect, createServer, startMcpApp } from './mcp-helpers';

let t: TestApp;
let accountId: string;
let server: { id: string; token: string; url: string };
let port: string;

const ALLOWED = 'https://app.example.com';
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'origin-test', version: '1' } },
});

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp({ ALLOWED_ORIGINS: `${ALLOWED}, http://localhost:5173` }));
  server = await createServer(t, accountId, {});
  port = new URL(t.url).port;
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function raw(method: string, path: string, headers: Record<string, string>, body?: string) {
  const res = await request(`${t.url}${path}`, {
    method: method as 'POST',
    headers: {
      accept: 'application/json, text/event-stream',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body,
  });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, text, json };
}

const mcpPath = () => `/mcp/${server.token}`;

describe('Origin on the MCP routes', () => {
  it('serves a request with no Origin (non-browser clients), and the SDK client over both transports', async () => {
    const r = await raw('POST', mcpPath(), {}, INIT);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).toContain('planhat-gateway');
    for (const sse of [false, true]) {
      const c = await connect(server.url, { sse });
      expect((await c.listTools()).tools.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ['an ALLOWED_ORIGINS origin', ALLOWED],
    ['another listed origin', 'http://localhost:5173'],
    ["PUBLIC_URL's origin", `http://localhost:${'PORT'}`],
    ['the gateway itself on 127.0.0.1', `http://127.0.0.1:${'PORT'}`],
  ])('serves %s', async (_label, origin) => {
    const r = await raw('POST', mcpPath(), { origin: origin.replace('PORT', port) }, INIT);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).toContain('planhat-gateway');
  });

  it.each([
    ['a foreign origin', 'http://evil.example.com'],
    ['a listed host on another scheme', 'http://app.example.com'],
    ['localhost on another port', 'http://localhost:8080'],
    ['the opaque origin null', 'null'],
    ['garbage', 'not an origin'],
  ])('refuses %s with 403 in the error shape, before the token is even looked up', async (_label, origin) => {
    for (const path of [mcpPath(), '/mcp/phm_unknown_token']) {
      const r = await raw('POST', path, { origin }, INIT);
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ statusCode: 403, error: 'FORBIDDEN', message: 'Origin not allowed' });
      expect(r.text).not.toContain(server.token);
    }
  });

  it('refuses a foreign origin on GET/DELETE, the legacy SSE stream and its messages path', async () => {
    const origin = 'http://evil.example.com';
    expect((await raw('GET', mcpPath(), { origin })).status).toBe(403);
    expect((await raw('DELETE', mcpPath(), { origin })).status).toBe(403);
    const sse = await raw('GET', `${mcpPath()}/sse`, { origin, accept: 'text/event-stream' });
    expect(sse.status).toBe(403);
    expect(sse.json).toMatchObject({ error: 'FORBIDDEN' });
    const msg = await raw('POST', `${mcpPath()}/messages?sessionId=x`, { origin }, INIT);
    expect(msg.status).toBe(403);
    expect(msg.json).toMatchObject({ error: 'FORBIDDEN', message: 'Origin not allowed' });
  });
});

describe('Host on a loopback listener', () => {
  it('refuses the DNS-rebinding request (foreign Host and Origin) and a foreign Host without Origin', async () => {
    const rebound = await raw('POST', mcpPath(), { host: 'evil.example.com', origin: 'http://evil.example.com' }, INIT);
    expect(rebound.status).toBe(403);
    expect(rebound.json).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
    expect(JSON.stringify(rebound.json)).not.toContain('planhat-gateway');
    const sameOriginGet = await raw('GET', `${mcpPath()}/sse`, { host: `evil.example.com:${port}` });
    expect(sameOriginGet.status).toBe(403);
    expect(sameOriginGet.json).toMatchObject({ error: 'FORBIDDEN', message: 'Host not allowed' });
    const admin = await raw('GET', '/integrated-account', {
      host: 'evil.example.com',
      authorization: `Bearer ${TEST_ADMIN_KEY}`,
    });
    expect(admin.status).toBe(403);
  });

  it('serves loopback names', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      expect((await raw('POST', mcpPath(), { host }, INIT)).status).toBe(200);
    }
  });
});

describe('Origin on the admin API', () => {
  const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

  it('serves no Origin and an allowed Origin; refuses a foreign one before authentication', async () => {
    expect((await raw('GET', '/integrated-account', auth)).status).toBe(200);
    expect((await raw('GET', '/integrated-account', { ...auth, origin: ALLOWED })).status).toBe(200);
    const foreign = await raw('GET', '/integrated-account', { ...auth, origin: 'https://evil.example.com' });
    expect(foreign.status).toBe(403);
    expect(foreign.json).toMatchObject({ error: 'FORBIDDEN', message: 'Origin not allowed' });
    const write = await raw(
      'POST',
      '/api-token',
      { ...auth, origin: 'https://evil.example.com' },
      JSON.stringify({ name: 'x', scope: 'mcp' }),
    );
    expect(write.status).toBe(403);
    const list = await raw('GET', '/api-token', auth);
    expect(JSON.stringify(list.json)).not.toContain('"name":"x"');
  });
});
