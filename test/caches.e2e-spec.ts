import { ThrottlerStorage, getStorageToken } from '@nestjs/throttler';
import { ApiTokensService } from '../src/auth/api-tokens.service';
import { IntegratedAccountsService } from '../src/accounts/integrated-accounts.service';
import { McpServerCache } from '../src/mcp-servers/mcp-server-cache';
import { BoundedThrottlerStorage } from '../src/common/throttle/memory-storage';
import { CustomFieldsCache } from '../src/mcp/custom-fields';
import { policyCacheSize } from '../src/mcp-servers/policy';
import { McpToolRegistry } from '../src/mcp/tool-registry';
import { PlanhatClient } from '../src/planhat/planhat.client';
import type { TestApp } from './support/test-app';
import { api, closeClients, connect, createServer, rpc, startMcpApp, type Json } from './mcp-helpers';

/** Room for about two accounts' `custom` schemas (the sandbox's are ~1.5 KB of JSON each). */
const CUSTOM_FIELDS_BYTES = 3000;

/**
 * Issue 25 item 1: every in-process cache that grows with tenants, servers or tokens is bounded
 * (least recently used evicted), and answers stay right after an eviction: a re-resolve works, a
 * deleted token or server stays refused, a policy change is seen. Tiny bounds make eviction happen
 * with a handful of accounts; the sizes are read from the caches themselves.
 */
jest.setTimeout(120_000);

const BOUNDS = {
  CACHE_MCP_SERVERS: '2',
  CACHE_API_TOKENS: '2',
  CACHE_ACCOUNTS: '2',
  CACHE_POLICIES: '2',
  // one sandbox tenant's custom-field schemas count ~2.6 KB: two fit, not three
  CACHE_CUSTOM_FIELDS_BYTES: String(CUSTOM_FIELDS_BYTES),
  THROTTLE_MEMORY_KEYS: '3',
  // in-process caches: no Redis even in the scale-out pass (the database stays PostgreSQL there)
  REDIS_URL: '',
  THROTTLE_PER_MIN: '100000',
  SANDBOX_RATE_LIMIT_PER_MIN: '100000',
};

async function toolNames(url: string): Promise<string[]> {
  const r = await rpc(url, 'tools/list');
  if (r.status !== 200 || !Array.isArray(r.body.result?.tools))
    throw new Error(`tools/list: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (r.body.result.tools as Json[]).map((t) => t.name as string);
}

describe('bounded caches', () => {
  let t: TestApp;
  let sandboxId: string;
  const accounts: string[] = [];

  beforeAll(async () => {
    ({ t, accountId: sandboxId } = await startMcpApp(BOUNDS));
    for (let i = 0; i < 3; i++) {
      const r = await api(t, 'POST', '/integrated-account', { name: `tenant ${i}`, environment: 'sandbox' });
      expect(r.status).toBe(201);
      accounts.push(r.body.id);
    }
  });
  afterAll(async () => {
    await closeClients();
    await t?.close();
  });

  it('identical policies of different accounts share one tool-list entry; distinct policies are bounded by CACHE_POLICIES', async () => {
    const registry = t.app.get(McpToolRegistry);
    const policy = { methods: ['get'], tags: ['crm'] };
    const a = await createServer(t, accounts[0], policy);
    const b = await createServer(t, accounts[1], policy);
    const before = registry.cacheSizes();
    const listedA = await toolNames(a.url);
    const after = registry.cacheSizes();
    expect(await toolNames(b.url)).toEqual(listedA);
    // account B's server with the same policy added no entry
    expect(registry.cacheSizes()).toEqual(after);
    expect(after.listed).toBeLessThanOrEqual(before.listed + 1);

    const others = [{ methods: ['create'] }, { tags: ['finance'] }, { methods: ['delete'], tags: ['projects'] }];
    for (const config of others) {
      const s = await createServer(t, accounts[2], config);
      expect((await toolNames(s.url)).length).toBeGreaterThan(0);
      expect(registry.cacheSizes().allowed).toBeLessThanOrEqual(2);
      expect(registry.cacheSizes().listed).toBeLessThanOrEqual(2);
      expect(policyCacheSize()).toBeLessThanOrEqual(2);
    }
    // the first policy was evicted: listing it again gives the same tools
    expect(await toolNames(a.url)).toEqual(listedA);
  });

  it('MCP token lookups are bounded by CACHE_MCP_SERVERS; a deleted server stays refused and a policy change is seen after eviction', async () => {
    const cache = t.app.get(McpServerCache);
    const servers = [];
    for (let i = 0; i < 5; i++) servers.push(await createServer(t, sandboxId, { methods: ['get'] }));
    const first = await toolNames(servers[0].url);
    for (const s of servers) {
      expect(await toolNames(s.url)).toEqual(first);
      expect(cache.size).toBeLessThanOrEqual(2);
    }
    // servers[0] was evicted long ago: it resolves again
    expect(await toolNames(servers[0].url)).toEqual(first);

    // a policy change on an evicted server is seen
    const patched = await api(t, 'PATCH', `/integrated-account/${sandboxId}/mcp/${servers[1].id}`, {
      config: { methods: ['create'] },
    });
    expect(patched.status).toBe(200);
    for (const s of servers.slice(2)) await toolNames(s.url);
    const now = await toolNames(servers[1].url);
    expect(now.length).toBeGreaterThan(0);
    expect(now.some((n) => first.includes(n))).toBe(false);

    // deleted while cached, then evicted and asked again: still refused
    expect(await toolNames(servers[4].url)).toEqual(first);
    expect((await api(t, 'DELETE', `/integrated-account/${sandboxId}/mcp/${servers[4].id}`)).status).toBeLessThan(300);
    expect((await rpc(servers[4].url, 'tools/list')).status).toBe(404);
    for (const s of servers.slice(0, 3)) await toolNames(s.url);
    expect(cache.size).toBeLessThanOrEqual(2);
    expect((await rpc(servers[4].url, 'tools/list')).status).toBe(404);

    // the real SDK client still works on a server that was evicted and re-resolved
    const client = await connect(servers[3].url);
    expect((await client.listTools()).tools.map((x) => x.name)).toEqual(first);
  });

  it('API-token lookups are bounded by CACHE_API_TOKENS; a revoked token stays revoked after eviction', async () => {
    const service = t.app.get(ApiTokensService);
    const tokens: { id: string; token: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api(t, 'POST', '/api-token', { name: `t${i}` });
      expect(r.status).toBe(201);
      tokens.push({ id: r.body.id as string, token: r.body.token as string });
    }
    for (const tok of tokens) {
      expect((await api(t, 'GET', '/integrated-account', undefined, tok.token)).status).toBe(200);
      expect(service.cacheSize).toBeLessThanOrEqual(2);
    }
    expect((await api(t, 'GET', '/integrated-account', undefined, tokens[0].token)).status).toBe(200);
    // revoked while cached
    expect((await api(t, 'DELETE', `/api-token/${tokens[4].id}`)).status).toBe(204);
    expect((await api(t, 'GET', '/integrated-account', undefined, tokens[4].token)).status).toBe(401);
    for (const tok of tokens.slice(1, 4)) await api(t, 'GET', '/integrated-account', undefined, tok.token);
    expect((await api(t, 'GET', '/integrated-account', undefined, tokens[4].token)).status).toBe(401);
    expect(service.cacheSize).toBeLessThanOrEqual(2);
  });

  it('resolved connections and rate-limit windows are bounded by CACHE_ACCOUNTS; a deleted account stays gone after eviction', async () => {
    const resolver = t.app.get(IntegratedAccountsService);
    const client = t.app.get(PlanhatClient);
    const extra = await api(t, 'POST', '/integrated-account', { name: 'short-lived', environment: 'sandbox' });
    const ids = [...accounts, sandboxId, extra.body.id as string];
    for (const id of ids) {
      const r = await api(t, 'GET', `/proxy/companies?integrated_account_id=${id}&limit=1`);
      expect(r.status).toBe(200);
      expect(resolver.resolvedCacheSize).toBeLessThanOrEqual(2);
      expect(client.rateLimits.size).toBeLessThanOrEqual(2);
    }
    expect((await api(t, 'GET', `/proxy/companies?integrated_account_id=${accounts[0]}&limit=1`)).status).toBe(200);
    expect((await api(t, 'DELETE', `/integrated-account/${extra.body.id}`)).status).toBeLessThan(300);
    for (const id of accounts) await api(t, 'GET', `/proxy/companies?integrated_account_id=${id}&limit=1`);
    expect((await api(t, 'GET', `/proxy/companies?integrated_account_id=${extra.body.id}&limit=1`)).status).toBe(404);
  });

  it('custom-field schemas are bounded by CACHE_CUSTOM_FIELDS_BYTES, and tools/list still carries them', async () => {
    const cache = t.app.get(CustomFieldsCache);
    const customOf = async (url: string) => {
      const r = await rpc(url, 'tools/list');
      const create = (r.body.result.tools as Json[]).find((x) => x.name === 'create_a_planhat_company');
      return create?.inputSchema.properties.custom.properties as Json | undefined;
    };
    const urls: string[] = [];
    for (const id of [...accounts, sandboxId]) {
      const s = await createServer(t, id, { methods: ['create'], tags: ['crm'] });
      urls.push(s.url);
      expect(Object.keys((await customOf(s.url)) ?? {}).length).toBeGreaterThan(0);
      expect(cache.stats.bytes).toBeLessThanOrEqual(CUSTOM_FIELDS_BYTES);
    }
    // Four accounts' schemas do not fit: some were evicted, and what is kept is counted by its real size.
    expect(cache.stats.entries).toBeLessThan(urls.length);
    expect(cache.stats.entries).toBeGreaterThan(0);
    expect(cache.stats.bytes).toBeGreaterThan(CUSTOM_FIELDS_BYTES / 4);
    // the first account was evicted: its schemas come back, the same
    const again = await customOf(urls[0]);
    expect(Object.keys(again ?? {}).length).toBeGreaterThan(0);
    expect(cache.stats.bytes).toBeLessThanOrEqual(CUSTOM_FIELDS_BYTES);
    expect(cache.stats.entries).toBeLessThan(urls.length);
  });

  it('in-memory throttle counters are bounded by THROTTLE_MEMORY_KEYS', async () => {
    const storage = t.app.get<ThrottlerStorage>(getStorageToken());
    expect(storage).toBeInstanceOf(BoundedThrottlerStorage);
    for (let i = 0; i < 4; i++) {
      const tok = (await api(t, 'POST', '/api-token', { name: `th${i}` })).body.token as string;
      expect(
        (await api(t, 'GET', `/proxy/companies?integrated_account_id=${accounts[i % 3]}&limit=1`, undefined, tok))
          .status,
      ).toBe(200);
      expect((storage as BoundedThrottlerStorage).size).toBeLessThanOrEqual(3);
    }
  });
});
