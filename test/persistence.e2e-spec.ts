/**
 * Persistence (issue 7, item 5): the built gateway (`node dist/main.js`) on a data dir, against the
 * standalone sandbox. Accounts, MCP servers and API tokens are created, the process is stopped with
 * SIGTERM in the middle of traffic, and a new process on the same data dir and port serves them all
 * again: every integrated account, every MCP server under its original URL (SDK client, both
 * transports), every API token (and a revoked one stays revoked). Graceful shutdown drains: a slow
 * request in flight at SIGTERM still gets its response.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeClients, connect, type Json } from './mcp-helpers';
import { ensureBuilt, freePort, json, spawnGateway, spawnSandbox, tmpDir, type Child } from './reliability-helpers';

const TENANT = 'persistence-tenant-token-0123456789';

describe('restart on the same data dir, stopped mid-traffic', () => {
  let sandbox: Child;
  let gw: Child | undefined;
  let env: Record<string, string>;
  let key: string;
  let bootstrapMcpUrl: string;
  const state: Json = {};

  beforeAll(async () => {
    ensureBuilt();
    sandbox = await spawnSandbox({ SANDBOX_FAULTS: 'true', SANDBOX_SEED_COMPANIES: '10' });
    const port = await freePort();
    env = {
      DATA_DIR: tmpDir('phg-persist-'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SANDBOX_BASE_URL: sandbox.url,
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
      UPSTREAM_TIMEOUT_MS: '10000',
    };
  }, 300_000);

  afterAll(async () => {
    await closeClients();
    await gw?.stop('SIGKILL');
    await sandbox?.stop();
  });

  it('first start: generates keys, bootstraps, and takes the configuration', async () => {
    gw = await spawnGateway(env);
    key = fs.readFileSync(path.join(env.DATA_DIR, 'admin_api_key'), 'utf8').trim();
    expect(key.length).toBeGreaterThan(16);
    bootstrapMcpUrl = /MCP server with all tools[^:]*: (\S+)/.exec(gw.output())![1];
    const u = gw.url;

    const a = await json(`${u}/integrated-account`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ name: 'persist sandbox', environment: 'sandbox', api_token: TENANT }),
    });
    const b = await json(`${u}/integrated-account`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ name: 'persist demo', environment: 'demo', api_token: 'demo-secret-token-abc' }),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    state.accountA = a.body.id;
    const s1 = await json(`${u}/integrated-account/${a.body.id}/mcp`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ name: 'all tools', config: {} }),
    });
    const s2 = await json(`${u}/integrated-account/${a.body.id}/mcp`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({
        name: 'discovery with auth',
        config: { tool_exposure: 'discovery', require_api_token_auth: true, methods: ['read'] },
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    });
    const s3 = await json(`${u}/integrated-account/${b.body.id}/mcp`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ name: 'demo reads', config: { methods: ['read'] } }),
    });
    expect([s1.status, s2.status, s3.status]).toEqual([201, 201, 201]);
    state.s1 = s1.body.url;
    state.s2 = s2.body.url;
    const t1 = await json(`${u}/api-token`, { method: 'POST', token: key, body: JSON.stringify({ name: 'survivor' }) });
    const t2 = await json(`${u}/api-token`, { method: 'POST', token: key, body: JSON.stringify({ name: 'revoked' }) });
    expect((await json(`${u}/api-token/${t2.body.id}`, { method: 'DELETE', token: key })).status).toBeLessThan(300);
    state.t1 = t1.body.token;
    state.t2 = t2.body.token;
    const created = await json(`${u}/proxy/companies?integrated_account_id=${a.body.id}`, {
      method: 'POST',
      token: key,
      body: JSON.stringify({ name: 'Persisted Co', externalId: 'persisted-co' }),
    });
    expect(created.status).toBe(201);

    state.accounts = (await json(`${u}/integrated-account?limit=100`, { token: key })).body.result;
    state.servers = {};
    for (const acc of state.accounts)
      state.servers[acc.id] = (
        await json(`${u}/integrated-account/${acc.id}/mcp?limit=100`, { token: key })
      ).body.result;
    state.tokens = (await json(`${u}/api-token`, { token: key })).body.result;
    expect(state.accounts).toHaveLength(3);
    expect(Object.values(state.servers).flat()).toHaveLength(4);

    // The MCP URLs work before the restart.
    const c = await connect(state.s1);
    expect((await c.listTools()).tools.length).toBeGreaterThan(90);
    await c.close();
  });

  it('SIGTERM mid-traffic drains in-flight requests (a slow one still completes) and the process exits', async () => {
    const u = gw!.url;
    const a = state.accountA;
    // Slow answers for invoices only: the traffic below reads companies and endusers.
    expect(
      (
        await json(`${sandbox.url}/__faults`, {
          method: 'POST',
          body: JSON.stringify({ match: 'GET /invoices', fault: 'slow', times: 1 }),
        })
      ).status,
    ).toBe(200);
    const slow = json(`${u}/proxy/invoices?integrated_account_id=${a}&limit=1`, { token: key });

    let stopping = false;
    const outcomes: Record<string, number> = {};
    const samples: string[] = [];
    const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
    const worker = async (i: number) => {
      while (!stopping) {
        try {
          const r =
            i % 2 === 0
              ? await json(`${u}/proxy/${i % 4 === 0 ? 'companies' : 'endusers'}?integrated_account_id=${a}&limit=5`, {
                  token: key,
                })
              : await json(state.s1, {
                  method: 'POST',
                  headers: { accept: 'application/json, text/event-stream' },
                  body: JSON.stringify({
                    jsonrpc: '2.0',
                    id: i,
                    method: 'tools/call',
                    params: { name: 'list_all_planhat_companies', arguments: { limit: 2 } },
                  }),
                });
          count(String(r.status));
          if (r.status !== 200) samples.push(r.text.slice(0, 300));
        } catch {
          count('connection closed');
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const workers = Array.from({ length: 12 }, (_, i) => worker(i));
    await new Promise((r) => setTimeout(r, 400)); // traffic running, the slow request in flight
    const t0 = Date.now();
    const exit = gw!.stop('SIGTERM');
    const slowAnswer = await slow;
    expect(slowAnswer.status).toBe(200);
    expect(slowAnswer.body.result).toHaveLength(1);
    const code = await exit;
    stopping = true;
    await Promise.all(workers);
    expect([0, 'SIGTERM']).toContain(code);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Requests either completed normally, were turned away by Fastify while closing (503 +
    // `connection: close`, a request that never started) or found the port closed. Nothing in
    // between: no 502 from an upstream pool closed too early, no 500.
    const unexpected = Object.keys(outcomes).filter((k) => !['200', '503', 'connection closed'].includes(k));
    expect({ unexpected, samples: samples.filter((x) => !/"statusCode":503/.test(x)).slice(0, 3) }).toEqual({
      unexpected: [],
      samples: [],
    });
    expect(outcomes['200']).toBeGreaterThan(10);
    gw = undefined;
  }, 60_000);

  it('restart: every account, MCP server (original URL) and API token survives; revoked stays revoked', async () => {
    gw = await spawnGateway(env);
    const u = gw.url;
    // Keys come from the data dir, not regenerated, and nothing is bootstrapped twice.
    expect(gw.output()).not.toMatch(/generated, stored/);
    expect(gw.output()).not.toMatch(/MCP server with all tools/);
    expect(fs.readFileSync(path.join(env.DATA_DIR, 'admin_api_key'), 'utf8').trim()).toBe(key);

    expect((await json(`${u}/integrated-account?limit=100`, { token: key })).body.result).toEqual(state.accounts);
    for (const acc of state.accounts) {
      expect((await json(`${u}/integrated-account/${acc.id}/mcp?limit=100`, { token: key })).body.result).toEqual(
        state.servers[acc.id],
      );
    }
    const tokens = (await json(`${u}/api-token`, { token: key })).body.result as Json[];
    expect(tokens.map((x) => [x.id, x.name])).toEqual(state.tokens.map((x: Json) => [x.id, x.name]));
    expect((await json(`${u}/integrated-account`, { token: state.t1 })).status).toBe(200);
    expect((await json(`${u}/integrated-account`, { token: state.t2 })).status).toBe(401);

    // The MCP servers answer under their original URLs, with their policies.
    const c1 = await connect(state.s1);
    expect((await c1.listTools()).tools.length).toBeGreaterThan(90);
    const companies = (await c1.callTool({ name: 'list_all_planhat_companies', arguments: { limit: 100 } })) as Json;
    expect(companies.isError).toBeFalsy();
    // The sealed Planhat token still opens the same sandbox tenant.
    expect((companies.structuredContent.result as Json[]).map((x) => x.name)).toContain('Persisted Co');
    const c2 = await connect(state.s2, { sse: true, headers: { authorization: `Bearer ${state.t1}` } });
    expect((await c2.listTools()).tools.map((x) => x.name)).toEqual(['search_tools', 'get_tool_schema', 'call_tool']);
    await expect(connect(state.s2)).rejects.toThrow(/401/);
    const boot = await connect(bootstrapMcpUrl.replace(/^http:\/\/localhost:/, 'http://127.0.0.1:'));
    expect((await boot.listTools()).tools.length).toBeGreaterThan(90);
    await closeClients();
    expect([0, 'SIGTERM']).toContain(await gw.stop('SIGTERM'));
    gw = undefined;
  }, 60_000);
});

describe('graceful shutdown with the embedded sandbox', () => {
  it('a slow request in flight at SIGTERM completes with 200 and the process exits promptly', async () => {
    ensureBuilt();
    const port = await freePort();
    const dir = tmpDir('phg-drain-');
    const gw = await spawnGateway({
      DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SANDBOX_FAULTS: 'true',
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
      SANDBOX_SEED_COMPANIES: '5',
    });
    try {
      const key = fs.readFileSync(path.join(dir, 'admin_api_key'), 'utf8').trim();
      const accounts = (await json(`${gw.url}/integrated-account`, { token: key })).body.result;
      const id = accounts.find((a: Json) => a.name === 'sandbox').id;
      expect(
        (
          await json(`${gw.url}/sandbox/planhat/__faults`, {
            method: 'POST',
            body: JSON.stringify({ match: 'GET /companies', fault: 'slow', times: 1 }),
          })
        ).status,
      ).toBe(200);
      const slow = json(`${gw.url}/proxy/companies?integrated_account_id=${id}&limit=1`, { token: key });
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const exit = gw.stop('SIGTERM');
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(answer.body.result).toHaveLength(1);
      expect([0, 'SIGTERM']).toContain(await exit);
      // The sandbox releases its slow faults at close: no wait for the 30 s upstream timeout.
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await gw.stop('SIGKILL');
    }
  }, 60_000);

  it('an open legacy SSE session does not hold the shutdown', async () => {
    ensureBuilt();
    const dir = tmpDir('phg-drain-sse-');
    const gw = await spawnGateway({
      DATA_DIR: dir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
      SANDBOX_SEED_COMPANIES: '5',
    });
    try {
      const mcpUrl = /MCP server with all tools[^:]*: \S+(\/mcp\/\S+)/.exec(gw.output())![1];
      const sse = await connect(`${gw.url}${mcpUrl}`, { sse: true });
      expect((await sse.listTools()).tools.length).toBeGreaterThan(90);
      const t0 = Date.now();
      expect([0, 'SIGTERM']).toContain(await gw.stop('SIGTERM'));
      expect(Date.now() - t0).toBeLessThan(5_000);
      await closeClients();
    } finally {
      await gw.stop('SIGKILL');
    }
  }, 60_000);
});
