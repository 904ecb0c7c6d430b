/**
 * MCP URL tokens in logs (issue 20, item 7). The built gateway runs as a child process with
 * LOG_LEVEL=debug and every byte it prints is captured while it is sent an MCP token under every
 * spelling of its URL: percent-encoded (`/%6Dcp/<token>`, `/mcp/%70hm_…`, twice-encoded), other
 * cases (`/MCP/<token>`), extra segments (`/mcp/<token>/anything`) and in other routes' paths and
 * queries. No spelling other than the canonical `/mcp/<token>` is served (404, without echoing the
 * token), and no line the process prints holds the token's secret part in any form.
 */
import { closeClients, connect } from './mcp-helpers';
import { ensureBuilt, freePort, json, spawnGateway, tmpDir, type Child } from './reliability-helpers';

const ADMIN = 'phg_admin_log_hygiene_0123456789abcdef';

/** Every way to write a URL path segment with some of its characters percent-encoded. */
const pct = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

describe('MCP tokens never reach the logs, whatever the spelling of the URL', () => {
  let gw: Child;
  let token: string;
  /** The token without its public `phm_` prefix: the part that is the secret. */
  let secret: string;
  let accountId: string;

  beforeAll(async () => {
    ensureBuilt();
    gw = await spawnGateway({
      DATA_DIR: tmpDir('phg-logs-'),
      PORT: String(await freePort()),
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'debug',
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
    });
    const accounts = (await json(`${gw.url}/integrated-account`, { token: ADMIN })).body.result as {
      id: string;
      name: string;
    }[];
    accountId = accounts.find((a) => a.name === 'sandbox')!.id;
    const s = await json(`${gw.url}/integrated-account/${accountId}/mcp`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({ name: 'log hygiene', config: {} }),
    });
    expect(s.status).toBe(201);
    token = s.body.token;
    expect(token).toMatch(/^phm_[\w-]{20,}$/);
    secret = token.slice(4);
  }, 300_000);

  afterAll(async () => {
    await closeClients();
    await gw?.stop('SIGKILL');
  });

  const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

  it('serves the canonical MCP URL, over both transports', async () => {
    const res = await fetch(`${gw.url}/mcp/${token}`, { method: 'POST', headers: MCP_HEADERS, body: LIST });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(50);
    const sse = await connect(`${gw.url}/mcp/${token}`, { sse: true });
    expect((await sse.listTools()).tools.length).toBeGreaterThan(50);
    await closeClients();
  });

  it('answers every other spelling of an MCP URL 404 in JSON, without echoing the token', async () => {
    const spellings = [
      `/%6Dcp/${token}`,
      `/%6dcp/${token}`,
      `/m%63p/${token}`,
      `/${pct('mcp')}/${token}`,
      `/MCP/${token}`,
      `/Mcp/${token}`,
      `/mcp/${token}/anything`,
      `/mcp/%70hm_${secret}`,
      `/mcp/ph%6D_${secret}`,
      `/mcp/${pct(token)}`,
      `/mcp/%2570hm_${secret}`,
      `/mcp/${token}%2Fsse`,
      `/mcp%2F${token}`,
      `/MCP/%70hm_${secret}`,
    ];
    const wrong: string[] = [];
    for (const path of spellings) {
      for (const [method, suffix] of [
        ['POST', ''],
        ['GET', '/sse'],
        ['POST', '/messages?sessionId=abc'],
      ] as const) {
        const res = await fetch(`${gw.url}${path}${suffix}`, {
          method,
          headers: MCP_HEADERS,
          body: method === 'POST' ? LIST : undefined,
        });
        const text = method === 'GET' && res.status === 200 ? (await res.body?.cancel(), '') : await res.text();
        let body: { statusCode?: number; error?: string } = {};
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          /* not JSON: reported below */
        }
        const ok =
          res.status === 404 &&
          /^application\/json/.test(res.headers.get('content-type') ?? '') &&
          body.error === 'NOT_FOUND' &&
          !text.includes(secret);
        if (!ok) wrong.push(`${method} ${path}${suffix} → ${res.status} ${text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('is sent the token in other routes, paths and queries', async () => {
    const u = gw.url;
    for (const url of [
      `${u}/proxy/${token}?integrated_account_id=${accountId}`,
      `${u}/proxy/companies/%70hm_${secret}?integrated_account_id=${accountId}`,
      `${u}/proxy/companies?integrated_account_id=${accountId}&limit=1&q=${token}`,
      `${u}/proxy/companies?integrated_account_id=${accountId}&limit=1&q=%2570hm_${secret}`,
      `${u}/nothing/here/${token}`,
      `${u}/nothing?token=${token}`,
    ]) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
      // (An answer may repeat what its caller sent, e.g. "Unknown resource"; the logs may not.)
      expect(res.status).toBeLessThan(500);
      await res.text();
    }
  });

  it('no line the process printed holds the token, in any form', async () => {
    const code = await gw.stop('SIGTERM');
    expect([0, 'SIGTERM']).toContain(code);
    const lines = gw.output().split('\n');
    // The secret whole, encoded, or any 12 characters of it.
    const forms = [secret, pct(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
    for (let i = 0; i + 12 <= secret.length; i++) forms.push(secret.slice(i, i + 12));
    const leaks = lines.filter((l) => forms.some((f) => l.includes(f)));
    expect(leaks.map((l) => l.slice(0, 300))).toEqual([]);
    const requestLines = lines.filter((l) => l.startsWith('{') && l.includes('"request completed"'));
    // It really logged those requests, with the token taken out.
    expect(
      requestLines.filter((l) => l.includes('"statusCode":404') && l.includes('[redacted]')).length,
    ).toBeGreaterThanOrEqual(14 * 3);
  });
});
