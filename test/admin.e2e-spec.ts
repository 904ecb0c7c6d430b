import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { BootstrapInfo } from '../src/admin/bootstrap-info';
import { IntegratedAccountsService } from '../src/accounts/integrated-accounts.service';
import { McpServersService } from '../src/mcp-servers/mcp-servers.service';
import { SelfAddress } from '../src/common/self-address';
import { MIGRATIONS } from '../src/database/migrations';
import { PlanhatConnectionResolver } from '../src/accounts/planhat-connection';
import { startTestApp, TestApp, TEST_ADMIN_KEY } from './support/test-app';
import { api as apiOn } from './mcp-helpers';

type Json = Record<string, any>;

let t: TestApp;
let sandboxId: string;

/** JSON request against the suite's app (admin key unless a token, or null for none, is given). */
const api = (method: string, url: string, body?: unknown, token: string | null = TEST_ADMIN_KEY) =>
  apiOn(t, method, url, body, token);

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

beforeAll(async () => {
  t = await startTestApp();
  const list = await api('GET', '/integrated-account');
  sandboxId = list.body.result.find((a: Json) => a.name === 'sandbox').id;
});

afterAll(async () => {
  await t?.close();
});

describe('auth (docs/contract.md §2)', () => {
  it('401 without a token, with a hint', async () => {
    const r = await api('GET', '/integrated-account', undefined, null);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
    expect(r.body.hint).toMatch(/Bearer/);
  });

  it('401 with a wrong token, 200 with ADMIN_API_KEY', async () => {
    expect((await api('GET', '/integrated-account', undefined, 'nope-not-a-token')).status).toBe(401);
    expect((await api('GET', '/integrated-account', undefined, TEST_ADMIN_KEY + 'x')).status).toBe(401);
    expect((await api('GET', '/integrated-account')).status).toBe(200);
  });

  it('API tokens: create, use, list without secrets, revoke takes effect immediately', async () => {
    const created = await api('POST', '/api-token', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['created_at', 'id', 'name', 'scope', 'token']);
    expect(created.body.scope).toBe('admin');
    const token = created.body.token as string;
    expect(token).toMatch(/^phg_[\w-]{43}$/);

    expect((await api('GET', '/integrated-account', undefined, token)).status).toBe(200);
    expect((await api('GET', '/integrated-account', undefined, token)).status).toBe(200); // cached path

    const list = await api('GET', '/api-token');
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.result.map((r: Json) => r.id)).toContain(created.body.id);
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain('token_hash');

    const del = await api('DELETE', `/api-token/${created.body.id}`, undefined, token);
    expect(del.status).toBe(204);
    expect((await api('GET', '/integrated-account', undefined, token)).status).toBe(401);
    expect((await api('DELETE', `/api-token/${created.body.id}`)).status).toBe(404);
  });

  it('API token name is validated', async () => {
    const r = await api('POST', '/api-token', {});
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('INVALID_INPUT');
    expect(r.body.message).toMatch(/name/);
    expect((await api('POST', '/api-token', { name: 'x'.repeat(201) })).status).toBe(400);
    expect((await api('POST', '/api-token', { name: 'ok', extra: 1 })).body.message).toMatch(/extra/);
  });
});

describe('bootstrap', () => {
  it('creates the sandbox account and an "All tools (sandbox)" MCP server on first start', async () => {
    const info = t.app.get(BootstrapInfo);
    expect(info.sandboxAccountId).toBe(sandboxId);
    expect(info.mcpUrl).toMatch(new RegExp(`^${t.app.get(SelfAddress).publicUrl()}/mcp/phm_`));
    const servers = await api('GET', `/integrated-account/${sandboxId}/mcp`);
    expect(servers.body.result).toHaveLength(1);
    expect(servers.body.result[0]).toMatchObject({ name: 'All tools (sandbox)', config: {}, expires_at: null });
    const token = info.mcpUrl!.split('/mcp/')[1];
    expect(await t.app.get(McpServersService).findActiveByToken(token)).toMatchObject({ accountId: sandboxId });
  });

  it('a restart on the same data dir reuses the accounts, creates no second server, and bootstraps planhat', async () => {
    const t2 = await startTestApp({ PLANHAT_API_TOKEN: 'pl-token-one' }, t.dataDir);
    try {
      const info = t2.app.get(BootstrapInfo);
      expect(info.sandboxAccountId).toBe(sandboxId);
      expect(info.mcpUrl).toBeUndefined();
      const accounts = t2.app.get(IntegratedAccountsService);
      const planhat = await accounts.findByName('planhat', ['production', 'custom']);
      expect(planhat).toMatchObject({ environment: 'production' });
      expect((await accounts.resolve(planhat!.id)).token).toBe('pl-token-one');
      expect(await t2.app.get(McpServersService).count(sandboxId)).toBe(1);
    } finally {
      await t2.close();
    }
    const t3 = await startTestApp(
      { PLANHAT_API_TOKEN: 'pl-token-two', PLANHAT_BASE_URL: 'https://api-eu.planhat.com' },
      t.dataDir,
    );
    try {
      const accounts = t3.app.get(IntegratedAccountsService);
      const planhat = await accounts.findByName('planhat', ['production', 'custom']);
      expect(planhat).toMatchObject({ environment: 'custom', base_url: 'https://api-eu.planhat.com' });
      const conn = await accounts.resolve(planhat!.id);
      expect(conn).toMatchObject({ token: 'pl-token-two', baseUrl: 'https://api-eu.planhat.com' });
      const named = (await accounts.list({ limit: 500 })).result.filter(
        (a) => a.name === 'planhat' || a.name === 'sandbox',
      );
      expect(named).toHaveLength(2); // no duplicates across restarts
    } finally {
      await t3.close();
    }
    await expect(
      startTestApp({ PLANHAT_API_TOKEN: 'x', PLANHAT_BASE_URL: 'https://evil.example.com' }),
    ).rejects.toThrow(/PLANHAT_BASE_URL/);
  });
});

describe('integrated accounts (docs/contract.md §3)', () => {
  const ssrf: Array<[string, string]> = [
    ['http://api.planhat.com', 'https'],
    ['https://127.0.0.1', 'IP'],
    ['https://[::1]', 'IP'],
    ['https://evil.example.com', 'not allowed'],
    ['https://api.planhat.com.evil.example.com', 'not allowed'],
    ['https://user:pass@api.planhat.com', 'credentials'],
    ['https://api.planhat.com:8443', 'port'],
    ['not a url', 'absolute URL'],
  ];
  it.each(ssrf)('custom base_url %s → 400 (%s)', async (base_url, why) => {
    const r = await api('POST', '/integrated-account', { name: 'c', environment: 'custom', api_token: 'x', base_url });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('INVALID_INPUT');
    expect(r.body.message).toContain('base_url');
    expect(r.body.message).toContain(why);
  });

  it('custom: allowlisted host, any case, port 443, path stripped; base_url required', async () => {
    const r = await api('POST', '/integrated-account', {
      name: 'eu',
      environment: 'custom',
      api_token: 'x',
      base_url: 'https://API-EU.planhat.com:443/some/path?q=1',
    });
    expect(r.status).toBe(201);
    expect(r.body.base_url).toBe('https://api-eu.planhat.com');
    const missing = await api('POST', '/integrated-account', { name: 'c', environment: 'custom', api_token: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/base_url is required/);
  });

  it('production/demo need api_token and get fixed base URLs; the token is never returned', async () => {
    expect((await api('POST', '/integrated-account', { name: 'p', environment: 'production' })).body.message).toMatch(
      /api_token is required/,
    );
    const p = await api('POST', '/integrated-account', {
      name: 'p',
      environment: 'production',
      api_token: 'pl-secret-abc',
    });
    expect(p.status).toBe(201);
    expect(Object.keys(p.body).sort()).toEqual([
      'base_url',
      'created_at',
      'environment',
      'id',
      'name',
      'status',
      'updated_at',
    ]);
    expect(p.body).toMatchObject({ environment: 'production', base_url: 'https://api.planhat.com', status: 'active' });
    const d = await api('POST', '/integrated-account', { name: 'd', environment: 'demo', api_token: 'pl-secret-abc' });
    expect(d.body.base_url).toBe('https://api.planhatdemo.com');
    expect((await api('GET', `/integrated-account/${p.body.id}`)).text).not.toContain('pl-secret-abc');
    expect((await api('GET', '/integrated-account')).text).not.toContain('pl-secret-abc');
    expect(
      (
        await api('POST', '/integrated-account', {
          name: 'p',
          environment: 'production',
          api_token: 'x',
          base_url: 'https://api.planhat.com',
        })
      ).status,
    ).toBe(400);
  });

  it('rejects a bad environment, empty name and unknown keys', async () => {
    expect((await api('POST', '/integrated-account', { name: 'x', environment: 'staging' })).body.message).toMatch(
      /environment/,
    );
    expect((await api('POST', '/integrated-account', { name: '', environment: 'sandbox' })).body.message).toMatch(
      /name/,
    );
    expect((await api('POST', '/integrated-account', { name: 'x', environment: 'sandbox', api_key: 'y' })).status).toBe(
      400,
    );
  });

  it('sandbox accounts get their own sandbox tenant token and the sandbox URL', async () => {
    const a = await api('POST', '/integrated-account', { name: 'sb1', environment: 'sandbox' });
    const b = await api('POST', '/integrated-account', { name: 'sb2', environment: 'sandbox' });
    expect(a.body.base_url).toBe(t.app.get(SelfAddress).sandboxBaseUrl());
    const resolver = t.app.get(PlanhatConnectionResolver);
    const ca = await resolver.resolve(a.body.id);
    const cb = await resolver.resolve(b.body.id);
    expect(ca.token).not.toBe(cb.token);
    expect(ca).toMatchObject({ accountId: a.body.id, baseUrl: a.body.base_url });
  });

  it('paginates with an opaque cursor; a garbage cursor is 400', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&next_cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api('GET', `/integrated-account${q}`);
      expect(page.status).toBe(200);
      expect(page.body.result.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.result.map((r: Json) => r.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const all = await api('GET', '/integrated-account?limit=500');
    expect(seen).toEqual(all.body.result.map((r: Json) => r.id));
    expect(new Set(seen).size).toBe(seen.length);
    const bad = await api('GET', '/integrated-account?next_cursor=garbage!!');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/next_cursor/);
    expect((await api('GET', '/integrated-account?limit=0')).status).toBe(400);
  });

  it('PATCH renames, rotates the token (resolver sees it at once), refuses base_url on non-custom', async () => {
    const p = await api('POST', '/integrated-account', {
      name: 'rot',
      environment: 'production',
      api_token: 'old-token',
    });
    const resolver = t.app.get(PlanhatConnectionResolver);
    expect((await resolver.resolve(p.body.id)).token).toBe('old-token');
    const r = await api('PATCH', `/integrated-account/${p.body.id}`, { name: 'rotated', api_token: 'new-token' });
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('rotated');
    expect((await resolver.resolve(p.body.id)).token).toBe('new-token');
    expect(
      (await api('PATCH', `/integrated-account/${p.body.id}`, { base_url: 'https://api-eu.planhat.com' })).status,
    ).toBe(400);
    expect((await api('PATCH', '/integrated-account/nope', { name: 'x' })).status).toBe(404);
    expect((await api('PATCH', `/integrated-account/${p.body.id}`, { name: null })).status).toBe(400);
    expect((await api('PATCH', `/integrated-account/${p.body.id}`, { api_token: null })).body.message).toMatch(
      /api_token/,
    );
    expect((await api('PATCH', `/integrated-account/${p.body.id}`, { name: '' })).status).toBe(400);
  });

  it('resolver: missing id 400, unknown 404, reportUnauthorized → needs_reauth, reportHealthy → active', async () => {
    const resolver = t.app.get(PlanhatConnectionResolver);
    await expect(resolver.resolve(undefined)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'integrated_account_id is required',
    });
    await expect(resolver.resolve('unknown-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const p = await api('POST', '/integrated-account', { name: 'st', environment: 'production', api_token: 'tok' });
    await resolver.resolve(p.body.id);
    await resolver.reportUnauthorized(p.body.id);
    expect((await api('GET', `/integrated-account/${p.body.id}`)).body.status).toBe('needs_reauth');
    await resolver.reportHealthy(p.body.id);
    expect((await api('GET', `/integrated-account/${p.body.id}`)).body.status).toBe('active');
  });

  it('DELETE returns {id}, then 404; MCP servers are deleted with it (cascade)', async () => {
    const a = await api('POST', '/integrated-account', { name: 'gone', environment: 'sandbox' });
    const m = await api('POST', `/integrated-account/${a.body.id}/mcp`, { name: 'm' });
    expect(m.status).toBe(201);
    const servers = t.app.get(McpServersService);
    const token = m.body.token as string;
    expect(await servers.findActiveByToken(token)).not.toBeNull();
    const del = await api('DELETE', `/integrated-account/${a.body.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: a.body.id });
    expect((await api('GET', `/integrated-account/${a.body.id}`)).status).toBe(404);
    expect(await servers.findActiveByToken(token)).toBeNull();
    const ds = t.app.get(DataSource);
    const param = ds.options.type === 'postgres' ? '$1' : '?';
    const rows = await ds.query(`SELECT COUNT(*) AS n FROM mcp_server WHERE integrated_account_id = ${param}`, [
      a.body.id,
    ]);
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe('MCP servers (docs/contract.md §4)', () => {
  const mcp = (suffix = '') => `/integrated-account/${sandboxId}/mcp${suffix}`;

  it('the seed curl works unchanged: 201 {id, name, config, expires_at, url}', async () => {
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date('2026-06-09T12:00:00Z'); // the seed's publication date
    try {
      const r = await api('POST', mcp(), {
        name: 'Planhat Account Manager Bot',
        config: { methods: ['read', 'write'], tags: ['crm', 'success'] },
        expires_at: '2026-12-31T23:59:59Z',
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        name: 'Planhat Account Manager Bot',
        config: { methods: ['read', 'write'], tags: ['crm', 'success'] },
        expires_at: '2026-12-31T23:59:59.000Z',
      });
      expect(Object.keys(r.body).sort()).toEqual([
        'config',
        'created_at',
        'expires_at',
        'id',
        'name',
        'token',
        'updated_at',
        'url',
      ]);
      expect(Buffer.from((r.body.token as string).slice(4), 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(r.body.url).toBe(`${t.app.get(SelfAddress).publicUrl()}/mcp/${r.body.token}`);

      const one = await api('GET', mcp(`/${r.body.id}`));
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('token');
      expect(one.body).not.toHaveProperty('url');
      expect(one.text).not.toContain(r.body.token);
      const list = await api('GET', mcp());
      expect(list.text).not.toContain(r.body.token);
      expect(list.text).not.toContain('token_hash');
      expect(list.body.result.map((s: Json) => s.id)).toContain(r.body.id);
    } finally {
      clock.now = realNow;
    }
  });

  it('404 for an unknown integrated account or server', async () => {
    expect((await api('POST', '/integrated-account/nope/mcp', { name: 'x' })).status).toBe(404);
    expect((await api('GET', '/integrated-account/nope/mcp')).status).toBe(404);
    expect((await api('GET', mcp('/nope'))).status).toBe(404);
  });

  const bad: Array<[string, Json, RegExp]> = [
    ['missing name', { config: {} }, /name/],
    ['empty name', { name: '' }, /name/],
    ['name over 200', { name: 'x'.repeat(201) }, /name/],
    ['unknown method', { name: 'x', config: { methods: ['read', 'explode'] } }, /config\.methods/],
    ['methods not an array', { name: 'x', config: { methods: 'read' } }, /config\.methods/],
    ['tags not strings', { name: 'x', config: { tags: [1] } }, /config\.tags/],
    ['unknown tool_exposure', { name: 'x', config: { tool_exposure: 'everything' } }, /config\.tool_exposure/],
    [
      'require_api_token_auth not boolean',
      { name: 'x', config: { require_api_token_auth: 'yes' } },
      /require_api_token_auth/,
    ],
    ['unknown config key', { name: 'x', config: { scopes: ['a'] } }, /config\.scopes/],
    ['config not an object', { name: 'x', config: 'all' }, /config/],
    ['config matching no tool', { name: 'x', config: { tags: ['no-such-tag'] } }, /matches no tool/],
    ['expires_at not a date', { name: 'x', expires_at: 'tomorrow' }, /expires_at/],
    ['expires_at in 30 s', { name: 'x', expires_at: inSeconds(30) }, /expires_at.*60 seconds/],
    ['expires_at in the past', { name: 'x', expires_at: '2020-01-01T00:00:00Z' }, /expires_at/],
    ['unknown body key', { name: 'x', token: 'mine' }, /token/],
  ];
  it.each(bad)('400 INVALID_INPUT: %s', async (_label, body, message) => {
    const r = await api('POST', mcp(), body);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('INVALID_INPUT');
    expect(r.body.message).toMatch(message);
  });

  it('accepts expires_at 90 s ahead, exact method names, tool_exposure and null expiry', async () => {
    expect((await api('POST', mcp(), { name: 'soon', expires_at: inSeconds(90) })).status).toBe(201);
    const r = await api('POST', mcp(), {
      name: 'exact',
      config: { methods: ['list', 'bulk_upsert'], tool_exposure: 'discovery', require_api_token_auth: true },
      expires_at: null,
    });
    expect(r.status).toBe(201);
    expect(r.body.expires_at).toBeNull();
  });

  it('PATCH name/config/expires_at takes effect at once for findActiveByToken; DELETE too', async () => {
    const servers = t.app.get(McpServersService);
    const c = await api('POST', mcp(), { name: 'p1', config: { methods: ['read'] }, expires_at: inSeconds(3600) });
    const token = c.body.token as string;
    expect((await servers.findActiveByToken(token))?.server.config).toEqual({ methods: ['read'] });

    const p = await api('PATCH', mcp(`/${c.body.id}`), {
      name: 'p2',
      config: { methods: ['write'] },
      expires_at: null,
    });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ name: 'p2', config: { methods: ['write'] }, expires_at: null });
    expect(p.body).not.toHaveProperty('token');
    expect(await servers.findActiveByToken(token)).toMatchObject({
      server: { name: 'p2', config: { methods: ['write'] }, expires_at: null },
      accountId: sandboxId,
    });

    expect((await api('PATCH', mcp(`/${c.body.id}`), { config: { tags: ['no-such-tag'] } })).status).toBe(400);
    expect((await api('PATCH', mcp(`/${c.body.id}`), { expires_at: inSeconds(10) })).status).toBe(400);
    expect((await api('PATCH', mcp(`/${c.body.id}`), { name: null })).body.message).toMatch(/name must not be null/);
    expect((await api('PATCH', mcp(`/${c.body.id}`), { config: null })).status).toBe(400);

    const d = await api('DELETE', mcp(`/${c.body.id}`));
    expect(d.body).toEqual({ id: c.body.id });
    expect(await servers.findActiveByToken(token)).toBeNull();
    expect((await api('GET', mcp(`/${c.body.id}`))).status).toBe(404);
  });

  it('an expired server stops answering at expires_at (per request) and the sweep deletes it', async () => {
    const servers = t.app.get(McpServersService);
    const clock = t.app.get(Clock);
    const c = await api('POST', mcp(), { name: 'short', expires_at: inSeconds(120) });
    const token = c.body.token as string;
    expect(await servers.findActiveByToken(token)).not.toBeNull(); // now cached
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 121_000);
    try {
      expect(await servers.findActiveByToken(token)).toBeNull();
      expect(await servers.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect(await servers.sweepExpired()).toBe(0); // idempotent
    } finally {
      clock.now = realNow;
    }
    expect((await api('GET', mcp(`/${c.body.id}`))).status).toBe(404);
    expect(await servers.findActiveByToken(token)).toBeNull();
    expect(await servers.findActiveByToken('phm_unknown')).toBeNull();
  });

  it('lists with cursor pagination', async () => {
    const page = await api('GET', mcp('?limit=1'));
    expect(page.body.result).toHaveLength(1);
    expect(typeof page.body.next_cursor).toBe('string');
    expect((await api('GET', mcp('?next_cursor=%%%'))).status).toBe(400);
  });
});

describe('tools preview', () => {
  it('returns exactly the filtered tools', async () => {
    const r = await api('GET', `/integrated-account/${sandboxId}/tools?methods=read&tags=crm`);
    expect(r.status).toBe(200);
    expect(r.body.result.length).toBeGreaterThan(0);
    for (const tool of r.body.result) {
      expect(tool.method).toBe('read');
      expect(tool.tags).toContain('crm');
      expect(Object.keys(tool).sort()).toEqual(['annotations', 'description', 'method', 'name', 'resource', 'tags']);
    }
    expect(r.body.result.map((x: Json) => x.name)).toContain('list_all_planhat_companies');
    const all = await api('GET', `/integrated-account/${sandboxId}/tools`);
    expect(all.body.result.length).toBeGreaterThan(r.body.result.length);
    const disc = await api('GET', `/integrated-account/${sandboxId}/tools?tool_exposure=discovery`);
    expect(disc.body.result.map((x: Json) => x.name)).toEqual(['search_tools', 'get_tool_schema', 'call_tool']);
  });

  it('400 for a bad config, 404 for an unknown account', async () => {
    const r = await api('GET', `/integrated-account/${sandboxId}/tools?methods=explode`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/methods/);
    expect((await api('GET', `/integrated-account/${sandboxId}/tools?tool_exposure=nope`)).status).toBe(400);
    expect((await api('GET', '/integrated-account/nope/tools')).status).toBe(404);
  });
});

describe('database', () => {
  it('SQLite runs in WAL mode with foreign keys on (PostgreSQL: same migration), schema from the migration', async () => {
    const ds = t.app.get(DataSource);
    if (ds.options.type === 'sqlite') {
      expect((await ds.query('PRAGMA journal_mode'))[0].journal_mode).toBe('wal');
      expect((await ds.query('PRAGMA foreign_keys'))[0].foreign_keys).toBe(1);
    } else {
      expect(ds.options.type).toBe('postgres');
    }
    expect(ds.options.synchronize).toBe(false);
    const migrations = await ds.query('SELECT name FROM migrations');
    expect(migrations.map((m: Json) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(migrations[0].name).toBe('InitialSchema1763900000000');
    expect(await ds.showMigrations()).toBe(false); // nothing pending
  });
});

describe('secrets at rest', () => {
  it('neither MCP tokens nor Planhat tokens appear in clear in the SQLite files', async () => {
    const planhatToken = 'pl-at-rest-secret-7f3a9c';
    const a = await api('POST', '/integrated-account', {
      name: 'rest',
      environment: 'production',
      api_token: planhatToken,
    });
    const m = await api('POST', `/integrated-account/${a.body.id}/mcp`, { name: 'rest' });
    const k = await api('POST', '/api-token', { name: 'rest' });
    const sandboxToken = 'sbx-at-rest-secret-4e1d2b';
    expect(
      (
        await api('POST', '/integrated-account', {
          name: 'rest sandbox',
          environment: 'sandbox',
          api_token: sandboxToken,
        })
      ).status,
    ).toBe(201);
    const mcpToken = m.body.token as string;
    const ds = t.app.get(DataSource);
    // Every stored row, plus (on SQLite) the raw bytes of the database files.
    let bytes = '';
    for (const table of ['integrated_account', 'mcp_server', 'api_token'])
      bytes += JSON.stringify(await ds.query(`SELECT * FROM ${table}`));
    if (t.config.database.type === 'sqlite') {
      const dbPath = t.config.database.path;
      bytes += ['', '-wal', '-shm']
        .map((s) => dbPath + s)
        .filter((p) => fs.existsSync(p))
        .map((p) => fs.readFileSync(p).toString('latin1'))
        .join('');
      expect(path.dirname(dbPath)).toBe(t.dataDir);
    }
    expect(bytes).toContain('rest'); // the rows are there…
    expect(bytes).not.toContain(planhatToken); // …but not the secrets
    expect(bytes).not.toContain(sandboxToken);
    expect(bytes).not.toContain(mcpToken);
    expect(bytes).not.toContain(mcpToken.slice(4));
    expect(bytes).not.toContain(k.body.token);
  });
});
