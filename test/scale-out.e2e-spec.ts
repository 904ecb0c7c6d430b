import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'undici';
import { createApp, type CreatedApp } from '../src/app.factory';
import { serviceEnv } from './support/service-env';
import { RedisConnection } from '../src/common/redis/redis.connection';
import { buildSandboxServer, type SandboxServer } from '../src/sandbox/standalone';

/**
 * Several instances behind one URL (issue 8): two gateways on one PostgreSQL database and one Redis,
 * a round-robin reverse proxy in front, one standalone sandbox behind. Runs in the PostgreSQL pass
 * of `npm test` (TEST_POSTGRES_URL and TEST_REDIS_URL set by scripts/ci/services.sh).
 */
const scaleOut = process.env.TEST_POSTGRES_URL && process.env.TEST_REDIS_URL ? describe : describe.skip;
const ADMIN = 'scale-out-admin-key-0123456789';

interface Pair {
  a: CreatedApp;
  b: CreatedApp;
  lb: http.Server;
  lbUrl: string;
  hits: number[];
  close: () => Promise<void>;
}

/** A round-robin reverse proxy: request n goes to target n % 2 (no stickiness). */
function roundRobin(targets: string[], hits: number[]): Promise<http.Server> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const i = n++ % targets.length;
    hits[i]++;
    const upstream = http.request(targets[i] + req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function startPair(sandboxUrl: string, extra: Record<string, string> = {}): Promise<Pair> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-scale-'));
  const env = {
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN,
    LOG_LEVEL: 'silent',
    PORT: '0',
    SANDBOX_BASE_URL: sandboxUrl,
    THROTTLE_PER_MIN: '0',
    ...(await serviceEnv(dataDir)),
    ...extra,
  };
  // Both start at once on an empty database: provisioning must still happen exactly once.
  const [a, b] = await Promise.all([createApp(env), createApp(env)]);
  const hits = [0, 0];
  const lb = await roundRobin([a.url, b.url], hits);
  const lbUrl = `http://127.0.0.1:${(lb.address() as AddressInfo).port}`;
  return {
    a,
    b,
    lb,
    lbUrl,
    hits,
    close: async () => {
      await new Promise((r) => lb.close(r));
      await Promise.all([a.app.close(), b.app.close()]);
    },
  };
}

async function call(base: string, method: string, url: string, body?: unknown) {
  const res = await request(base + url, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

scaleOut('scale-out: two instances, one PostgreSQL, one Redis, one URL', () => {
  let sandbox: SandboxServer;
  let sandboxUrl: string;

  beforeAll(async () => {
    sandbox = await buildSandboxServer({ seedCompanies: 30, rateLimitPerMin: 0, faults: false });
    sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => sandbox.close());

  it('provisions once, and serves one MCP client whose requests alternate between instances', async () => {
    const pair = await startPair(sandboxUrl);
    const client = new Client({ name: 'scale-out', version: '1.0.0' });
    try {
      const accounts = await call(pair.lbUrl, 'GET', '/integrated-account');
      const sandboxes = accounts.body.result.filter((x: { name: string }) => x.name === 'sandbox');
      expect(sandboxes).toHaveLength(1);
      const accountId = sandboxes[0].id;

      // Created through the balancer (either instance), used at once through both.
      const server = await call(pair.lbUrl, 'POST', `/integrated-account/${accountId}/mcp`, {
        name: 'shared',
        config: { methods: ['read', 'write'] },
      });
      expect(server.status).toBe(201);
      const mcpUrl = `${pair.lbUrl}/mcp/${server.body.token}`;
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
      const before = [...pair.hits];
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('create_a_planhat_opportunity');
      // The custom-field schema cache is shared through Redis.
      const redis = pair.a.app.get(RedisConnection).client!;
      expect(JSON.parse((await redis.get(`cf:${accountId}`))!)).toEqual(
        expect.arrayContaining([expect.objectContaining({ parent: 'Company' })]),
      );
      const companies = await client.callTool({ name: 'list_all_planhat_companies', arguments: { limit: 5 } });
      expect(companies.isError).toBeFalsy();
      const companyId = (companies.structuredContent as { result: { _id: string }[] }).result[0]._id;
      const created = await client.callTool({
        name: 'create_a_planhat_opportunity',
        arguments: { companyId, title: 'Scale-out expansion', mrr: 500, salesStage: 'Discovery' },
      });
      expect(created.isError).toBeFalsy();
      const id = (created.structuredContent as { _id: string })._id;
      const read = await client.callTool({ name: 'get_single_planhat_opportunity_by_id', arguments: { id } });
      expect((read.structuredContent as { title: string }).title).toBe('Scale-out expansion');
      // Both instances served this one client.
      expect(pair.hits[0] - before[0]).toBeGreaterThan(0);
      expect(pair.hits[1] - before[1]).toBeGreaterThan(0);

      // Deleted through one instance: the other stops serving it within its 2 s cache.
      const del = await call(pair.a.url, 'DELETE', `/integrated-account/${accountId}/mcp/${server.body.id}`);
      expect(del.status).toBe(200);
      const deadline = Date.now() + 4000;
      let status = 0;
      while (Date.now() < deadline) {
        const res = await request(`${pair.b.url}/mcp/${server.body.token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        await res.body.dump();
        status = res.statusCode;
        if (status === 404) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(404);
    } finally {
      await client.close();
      await pair.close();
    }
  });

  it('shares the throttle counters through Redis', async () => {
    const pair = await startPair(sandboxUrl, { THROTTLE_PER_MIN: '4' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(pair.lbUrl, 'GET', '/api-token')).status);
      // 4 per minute in total, whichever instance answered.
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect(pair.hits).toEqual([3, 3]);
    } finally {
      await pair.close();
    }
  });
});
