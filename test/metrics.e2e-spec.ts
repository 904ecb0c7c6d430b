/**
 * GET /metrics (issue #24, item 8): Prometheus text from the running gateway after real traffic on
 * every surface (proxy, unified, MCP, admin) against the embedded sandbox. Access fails closed: only
 * METRICS_TOKEN or an admin API token reads it. The Grafana dashboard in ops/ only uses series the
 * gateway exports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN_KEY, startGateway, type TestGateway } from './helpers';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let gw: TestGateway;
  let mcpUrl: string;
  let metricsText: string;

  beforeAll(async () => {
    // Planhat's (the sandbox's) soft limit at 6 per minute, so the 7th proxied call is a passed-through 429.
    gw = await startGateway({ METRICS_TOKEN, SANDBOX_RATE_LIMIT_PER_MIN: '6' });
    const server = await gw.call('POST', `/integrated-account/${gw.sandboxAccountId}/mcp`, {
      name: 'metrics',
      config: {},
    });
    expect(server.status).toBe(201);
    mcpUrl = server.body.url.replace(/^https?:\/\/[^/]+/, gw.url);
  });
  afterAll(async () => {
    await gw?.close();
  });

  async function scrape(token?: string): Promise<{ status: number; type: string | null; text: string }> {
    const res = await fetch(`${gw.url}/metrics`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  }

  it('refuses a missing, wrong, or mcp-scope token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('')).status).toBe(401);
    expect((await scrape('not-the-metrics-token-at-all')).status).toBe(401);
    const mcpToken = await gw.call('POST', '/api-token', { name: 'mcp only', scope: 'mcp' });
    const denied = await scrape(mcpToken.body.token);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text).error).toBe('FORBIDDEN');
  });

  it('serves Prometheus text to METRICS_TOKEN and to an admin API token', async () => {
    const a = await scrape(METRICS_TOKEN);
    expect(a.status).toBe(200);
    expect(a.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(a.text).toContain('# TYPE gateway_http_requests_total counter');
    expect((await scrape(ADMIN_KEY)).status).toBe(200);
    const token = await gw.call('POST', '/api-token', { name: 'scraper' });
    expect((await scrape(token.body.token)).status).toBe(200);
    expect((await scrape(token.body.token)).status).toBe(200); // the second lookup is a cache hit
  });

  it('counts traffic on every surface, upstream calls by model, 429s, caches and the process', async () => {
    const acct = `integrated_account_id=${gw.sandboxAccountId}`;
    expect((await gw.call('GET', `/proxy/companies?${acct}&limit=2`)).status).toBe(200);
    expect((await gw.call('GET', `/proxy/endusers?${acct}&limit=2`)).status).toBe(200);
    expect((await gw.call('GET', `/unified/crm/accounts?${acct}&limit=2`)).status).toBe(200);
    expect((await gw.call('GET', `/proxy/no_such_model?${acct}`)).status).toBe(404);
    const mcp = await fetch(mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(200);
    await mcp.text();
    // Until the sandbox's limit is spent: its 429 comes back through the proxy.
    let last = 0;
    for (let i = 0; i < 10 && last !== 429; i++)
      last = (await gw.call('GET', `/proxy/companies?${acct}&limit=1`)).status;
    expect(last).toBe(429);

    const { text } = await scrape(METRICS_TOKEN);
    metricsText = text;
    expect(
      value(text, 'gateway_http_requests_total{surface="proxy",route="/proxy/:resource",status_class="2xx"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(text, 'gateway_http_requests_total{surface="proxy",route="/proxy/:resource",status_class="4xx"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      value(text, 'gateway_http_requests_total{surface="unified",route="/unified/:api/:resource",status_class="2xx"}'),
    ).toBe(1);
    expect(value(text, 'gateway_http_requests_total{surface="mcp",route="/mcp/:token",status_class="2xx"}')).toBe(1);
    expect(
      value(
        text,
        'gateway_http_requests_total{surface="admin",route="/integrated-account/:id/mcp",status_class="2xx"}',
      ),
    ).toBe(1);
    expect(
      value(
        text,
        'gateway_http_request_duration_seconds_count{surface="proxy",route="/proxy/:resource",status_class="2xx"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(value(text, 'gateway_planhat_requests_total{model="companies",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'gateway_planhat_requests_total{model="endusers",status="200"}')).toBe(1);
    expect(value(text, 'gateway_planhat_requests_total{model="companies",status="429"}')).toBe(1);
    expect(value(text, 'gateway_planhat_rate_limited_total{model="companies"}')).toBe(1);
    expect(
      value(text, 'gateway_planhat_request_duration_seconds_count{model="companies",status_class="2xx"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(value(text, 'gateway_cache_lookups_total{cache="planhat_connection",result="hit"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(text, 'gateway_cache_lookups_total{cache="mcp_server",result="miss"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'gateway_cache_lookups_total{cache="api_token",result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    // No MCP URL token, API token or account id in any label.
    const mcpToken = mcpUrl.split('/mcp/')[1];
    expect(text).not.toContain(mcpToken);
    expect(text).not.toContain(ADMIN_KEY);
    expect(text).not.toContain(gw.sandboxAccountId);
  });

  it('counts MCP tool calls by tool and outcome, with made-up tool names under one label', async () => {
    const readOnly = await gw.call('POST', `/integrated-account/${gw.sandboxAccountId}/mcp`, {
      name: 'metrics-read',
      config: { methods: ['read'], tool_exposure: 'discovery' },
    });
    expect(readOnly.status).toBe(201);
    const readUrl = readOnly.body.url.replace(/^https?:\/\/[^/]+/, gw.url);
    const rpc = async (url: string, name: string, args: Record<string, unknown>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { result?: { isError?: boolean } };
    };
    const before = (await scrape(METRICS_TOKEN)).text;
    const count = (text: string, tool: string, outcome: string) =>
      value(text, `gateway_mcp_tool_calls_total{tool="${tool}",outcome="${outcome}"}`) || 0;
    // ok: a meta tool needs no upstream call (the sandbox's limit is spent by the test above)
    expect((await rpc(readUrl, 'search_tools', { query: 'company' })).result?.isError).toBeFalsy();
    // denied: a write tool on a read-only discovery server
    expect((await rpc(readUrl, 'create_a_planhat_company', { name: 'X' })).result?.isError).toBe(true);
    // error: arguments that fail the schema
    expect((await rpc(mcpUrl, 'get_single_planhat_company_by_id', {})).result?.isError).toBe(true);
    // made-up names share one label, so callers cannot grow the series
    await rpc(mcpUrl, 'no_such_tool_a1', {});
    await rpc(mcpUrl, 'no_such_tool_b2', {});
    const after = (await scrape(METRICS_TOKEN)).text;
    expect(count(after, 'search_tools', 'ok') - count(before, 'search_tools', 'ok')).toBe(1);
    expect(
      count(after, 'create_a_planhat_company', 'denied') - count(before, 'create_a_planhat_company', 'denied'),
    ).toBe(1);
    expect(
      count(after, 'get_single_planhat_company_by_id', 'error') -
        count(before, 'get_single_planhat_company_by_id', 'error'),
    ).toBe(1);
    expect(count(after, '(unknown)', 'denied') - count(before, '(unknown)', 'denied')).toBe(2);
    expect(after).not.toContain('no_such_tool_a1');
  });

  it('the Grafana dashboard queries only series the gateway exports', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'ops', 'grafana-dashboard.json'), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: { targets: Array<{ expr: string }> }) =>
      p.targets.map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(8);
    const used = new Set(
      exprs.flatMap((e) => e.match(/\b(gateway_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g) ?? []),
    );
    expect(used.size).toBeGreaterThan(6);
    // Families the gateway declares (a family may have no sample yet, e.g. MCP tool calls before any call).
    const declared = new Set([...metricsText.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect([...used].filter((name) => !declared.has(name.replace(/_(bucket|count|sum)$/, '')))).toEqual([]);
    for (const family of [
      'gateway_http_requests_total',
      'gateway_planhat_requests_total',
      'gateway_planhat_rate_limited_total',
      'gateway_mcp_tool_calls_total',
      'gateway_cache_lookups_total',
    ]) {
      expect(used.has(family)).toBe(true);
    }
  });
});
