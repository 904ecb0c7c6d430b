/**
 * Hardening of policies, files and tokens (issue #20, items 1, 10 and 11), on the running gateway:
 * a present-but-empty or otherwise unusable policy is refused on POST, PATCH and the tool preview,
 * and a bad policy row written straight into the database (as a legacy row would be) exposes and
 * runs no tool on any route; the data dir and the SQLite file are private; an expired MCP server is
 * gone from the admin API at once; API tokens have a scope, and an `mcp` token only works as the
 * second factor of a require_api_token_auth MCP server.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app';
import { serviceEnv } from './support/service-env';
import { InitialSchema1763900000000 } from '../src/database/migrations/1763900000000-initial-schema';
import { api, closeClients, connect, rpc, startMcpApp, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;

/** Overwrites a server's stored config, bypassing the admin API (what a legacy or hand-edited row looks like). */
async function writeConfigRow(serverId: string, text: string): Promise<void> {
  await t.app
    .get(DataSource)
    .createQueryBuilder()
    .update('mcp_server')
    .set({ config: text })
    .where('id = :id', { id: serverId })
    .execute();
}

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});

afterEach(async () => {
  await closeClients();
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('a present-but-empty or unusable policy is refused, never read as "no restriction" (item 1)', () => {
  const mcp = (suffix = '') => `/integrated-account/${accountId}/mcp${suffix}`;
  const BAD: [Json, string][] = [
    [{ methods: [] }, 'config.methods'],
    [{ tags: [] }, 'config.tags'],
    [{ methods: ['read'], tags: [] }, 'config.tags'],
    [{ methods: [], tags: ['crm'] }, 'config.methods'],
    [{ methods: null }, 'config.methods'],
    [{ tags: null }, 'config.tags'],
    [{ methods: [], tool_exposure: 'discovery' }, 'config.methods'],
    [{ tags: [], tool_exposure: 'model_actions' }, 'config.tags'],
    [{ tool_exposure: null }, 'config.tool_exposure'],
  ];

  it.each(BAD.map(([c, key]) => [JSON.stringify(c), key, c]))(
    'POST config %s is a 400 naming %s, and creates nothing',
    async (_label, key, config) => {
      const before = (await api(t, 'GET', mcp('?limit=100'))).body.result.length;
      const r = await api(t, 'POST', mcp(), { name: 'empty policy', config });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT', details: { field: key } });
      expect(r.body.message).toContain(key);
      expect(r.body.request_id).toEqual(expect.any(String));
      expect((await api(t, 'GET', mcp('?limit=100'))).body.result.length).toBe(before);
    },
  );

  it('POST config null is a 400 (an explicit null never means "no restriction")', async () => {
    const r = await api(t, 'POST', mcp(), { name: 'null policy', config: null });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/config/);
  });

  it.each(BAD.map(([c, key]) => [JSON.stringify(c), key, c]))(
    'PATCH config %s is a 400 naming %s, and changes nothing',
    async (_label, key, config) => {
      const s = await api(t, 'POST', mcp(), { name: 'read only', config: { methods: ['read'] } });
      expect(s.status).toBe(201);
      const r = await api(t, 'PATCH', mcp(`/${s.body.id}`), { config });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'INVALID_INPUT', details: { field: key } });
      expect((await api(t, 'GET', mcp(`/${s.body.id}`))).body.config).toEqual({ methods: ['read'] });
      const listed = await rpc(`${t.url}/mcp/${s.body.token}`, 'tools/list');
      expect(listed.body.result.tools.length).toBeGreaterThan(0);
      expect(listed.body.result.tools.every((x: Json) => x.annotations.readOnlyHint === true)).toBe(true);
      await api(t, 'DELETE', mcp(`/${s.body.id}`));
    },
  );

  it('the tool preview refuses a present but empty methods, tags or tool_exposure (400 naming it)', async () => {
    for (const [q, key] of [
      ['methods=', 'methods'],
      ['tags=', 'tags'],
      ['methods=read&tags=', 'tags'],
      ['methods=,', 'methods'],
      ['tool_exposure=', 'tool_exposure'],
    ]) {
      const r = await api(t, 'GET', `/integrated-account/${accountId}/tools?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.body.message).toContain(key);
    }
    expect((await api(t, 'GET', `/integrated-account/${accountId}/tools?methods=read`)).status).toBe(200);
  });

  describe('a bad policy row in the database exposes and runs no tool on any route', () => {
    let companyId: string;
    const companyCount = async () =>
      (await api(t, 'GET', `/proxy/companies?integrated_account_id=${accountId}&limit=2000`)).body.result.length;
    let companiesBefore: number;

    beforeAll(async () => {
      const r = await api(t, 'GET', `/proxy/companies?integrated_account_id=${accountId}&limit=1`);
      companyId = r.body.result[0]._id;
      companiesBefore = await companyCount();
      // An unrestricted server's tools/list is cached first: a bad row must not share its cache entry.
      const open = await api(t, 'POST', mcp(), { name: 'open', config: {} });
      expect((await rpc(`${t.url}/mcp/${open.body.token}`, 'tools/list')).body.result.tools.length).toBeGreaterThan(
        100,
      );
    });

    afterAll(async () => {
      // Nothing was deleted: the company the calls aimed at is still there, and so is every other one.
      expect((await api(t, 'GET', `/proxy/companies/${companyId}?integrated_account_id=${accountId}`)).status).toBe(
        200,
      );
      expect(await companyCount()).toBe(companiesBefore);
    });

    const ROWS = [
      '{"methods":[]}',
      '{"tags":[]}',
      '{"methods":["read"],"tags":[]}',
      '{"methods":null}',
      '{"tags":null}',
      '{"methods":"delete"}',
      '{"methods":["nothing-like-this"]}',
      '{"methods":["delete","nothing-like-this"],"tags":[]}',
      '{"tool_exposure":"everything"}',
      '{"methods":[],"tool_exposure":"discovery"}',
      '{"tags":null,"tool_exposure":"discovery"}',
      '{"methods":[],"tool_exposure":"model_actions"}',
      '{"methods":null,"tool_exposure":"model_actions"}',
      'null',
      '[]',
      '"delete"',
      'not json',
      '',
    ];

    it.each(ROWS)(
      'stored config %j',
      async (text) => {
        const s = await api(t, 'POST', mcp(), { name: 'to corrupt', config: { methods: ['read'] } });
        expect(s.status).toBe(201);
        await writeConfigRow(s.body.id, text);
        const url = `${t.url}/mcp/${s.body.token}`;
        // The admin key passes any second factor, so what follows tests the policy, not authentication.
        const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
        const problems: string[] = [];

        const listed = await rpc(url, 'tools/list', {}, auth);
        if (listed.status !== 200 || listed.body.result?.tools?.length !== 0)
          problems.push(`tools/list: ${listed.status} ${JSON.stringify(listed.body).slice(0, 200)}`);
        const client = await connect(url, { headers: auth });
        const sdkListed = (await client.listTools()).tools.map((x) => x.name);
        if (sdkListed.length !== 0) problems.push(`SDK tools/list: ${sdkListed.slice(0, 5).join(', ')}…`);

        const calls: [string, Json][] = [
          ['delete_a_planhat_company_by_id', { id: companyId }],
          ['list_all_planhat_companies', { limit: 1 }],
          ['search_tools', { query: 'delete company', limit: 100 }],
          ['get_tool_schema', { name: 'delete_a_planhat_company_by_id' }],
          ['call_tool', { name: 'delete_a_planhat_company_by_id', arguments: { id: companyId } }],
          ['get_model_actions', {}],
          ['get_model_action_parameters', { MODEL_ROUTE: 'companies', OPERATION: 'delete' }],
          [
            'perform_model_action',
            { MODEL_ROUTE: 'companies', OPERATION: 'delete', PARAMETERS: JSON.stringify({ id: companyId }) },
          ],
        ];
        for (const [name, args] of calls) {
          const r = await rpc(url, 'tools/call', { name, arguments: args }, auth);
          const result = r.body.result;
          const refused =
            r.status === 200 &&
            (r.body.error !== undefined ||
              (result?.isError === true && ['FORBIDDEN', 'NOT_FOUND'].includes(result.structuredContent?.error?.code)));
          if (!refused) problems.push(`tools/call ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }

        // Without the admin key: an unusable policy also requires the second factor (fail closed).
        if ((await rpc(url, 'tools/list')).status !== 401)
          problems.push('tools/list without an API token was not refused');

        // The admin API still shows the server (never a 500), and the preview of nothing is a 400.
        const got = await api(t, 'GET', mcp(`/${s.body.id}`));
        if (got.status !== 200) problems.push(`admin GET: ${got.status} ${got.text.slice(0, 200)}`);
        const list = await api(t, 'GET', mcp('?limit=100'));
        if (list.status !== 200) problems.push(`admin list: ${list.status} ${list.text.slice(0, 200)}`);

        expect(problems).toEqual([]);
        await client.close();
        await api(t, 'DELETE', mcp(`/${s.body.id}`));
      },
      30_000,
    );
  });
});

describe('the data dir and the SQLite database are private (item 10)', () => {
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  const posix = process.platform !== 'win32';
  /** Own data dir, generated key files (no ADMIN_API_KEY / ENCRYPTION_KEY given). */
  const start = (dir: string) =>
    startTestApp({ ADMIN_API_KEY: undefined, ENCRYPTION_KEY: undefined, SANDBOX: 'false' }, dir);

  async function filesOf(app: TestApp): Promise<string[]> {
    // A write, so that SQLite's WAL and shared-memory files exist too.
    expect(
      (
        await api(
          app,
          'POST',
          '/integrated-account',
          { name: 'perm check', environment: 'sandbox' },
          app.config.adminApiKey,
        )
      ).status,
    ).toBe(201);
    const files = [path.join(app.dataDir, 'admin_api_key'), path.join(app.dataDir, 'encryption_key')];
    if (app.config.database.type === 'sqlite') {
      const db = app.config.database.path;
      files.push(db, ...[`${db}-wal`, `${db}-shm`].filter((f) => fs.existsSync(f)));
    }
    return files;
  }

  (posix ? it : it.skip)(
    'a new data dir is created 0700 and the database, its WAL/SHM and the key files 0600, even under umask 000',
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-perm-'));
      const dir = path.join(root, 'nested', 'data');
      const umask = process.umask(0);
      let app: TestApp | undefined;
      try {
        app = await start(dir);
        const files = await filesOf(app);
        expect({ dir: mode(dir).toString(8), parent: mode(path.dirname(dir)).toString(8) }).toEqual({
          dir: '700',
          parent: '700',
        });
        expect(files.map((f) => [path.basename(f), mode(f).toString(8)])).toEqual(
          files.map((f) => [path.basename(f), '600']),
        );
        if (app.config.database.type === 'sqlite') expect(files.length).toBeGreaterThanOrEqual(3);
      } finally {
        process.umask(umask);
        await app?.close();
      }
    },
  );

  (posix ? it : it.skip)(
    'an existing world-readable data dir, database and key files are tightened at start',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-perm-'));
      let app = await start(dir);
      const files = await filesOf(app);
      await app.close();
      fs.chmodSync(dir, 0o755);
      for (const f of files) if (fs.existsSync(f)) fs.chmodSync(f, 0o644);
      app = await start(dir);
      try {
        expect(mode(dir).toString(8)).toBe('700');
        const again = await filesOf(app);
        expect(again.map((f) => [path.basename(f), mode(f).toString(8)])).toEqual(
          again.map((f) => [path.basename(f), '600']),
        );
      } finally {
        await app.close();
      }
    },
  );
});

describe('an expired MCP server is gone from the admin API at once, not only after the sweep (item 10)', () => {
  it('GET, list, PATCH and DELETE answer as for a deleted server from expires_at on, and its URL answers 404', async () => {
    const mcp = (suffix = '') => `/integrated-account/${accountId}/mcp${suffix}`;
    const s = await api(t, 'POST', mcp(), {
      name: 'expiring soon',
      config: { methods: ['read'] },
      expires_at: new Date(Date.now() + 120_000).toISOString(),
    });
    expect(s.status).toBe(201);
    const url = `${t.url}/mcp/${s.body.token}`;
    const ids = async () => ((await api(t, 'GET', mcp('?limit=500'))).body.result as Json[]).map((x) => x.id);
    expect(await ids()).toContain(s.body.id);
    expect((await rpc(url, 'tools/list')).status).toBe(200);
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 121_000);
    try {
      const got = await api(t, 'GET', mcp(`/${s.body.id}`));
      expect(got.status).toBe(404);
      expect(got.body).toMatchObject({ error: 'NOT_FOUND' });
      expect(await ids()).not.toContain(s.body.id);
      expect((await api(t, 'PATCH', mcp(`/${s.body.id}`), { expires_at: null })).status).toBe(404);
      expect((await api(t, 'DELETE', mcp(`/${s.body.id}`))).status).toBe(404);
      expect((await rpc(url, 'tools/list')).status).toBe(404);
      expect(
        (await rpc(url, 'tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 1 } })).status,
      ).toBe(404);
    } finally {
      clock.now = realNow;
    }
  });
});

describe('API token scopes (item 11)', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('scope defaults to admin, is returned on create and list, and an unknown or null scope is a 400 naming it', async () => {
    const plain = await api(t, 'POST', '/api-token', { name: 'default scope' });
    expect(plain.status).toBe(201);
    expect(plain.body.scope).toBe('admin');
    const m = await api(t, 'POST', '/api-token', { name: 'mcp only', scope: 'mcp' });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ name: 'mcp only', scope: 'mcp' });
    const listed = (await api(t, 'GET', '/api-token')).body.result as Json[];
    expect(listed.find((x) => x.id === plain.body.id)).toMatchObject({ scope: 'admin' });
    expect(listed.find((x) => x.id === m.body.id)).toMatchObject({ scope: 'mcp' });
    expect(listed.every((x) => x.token === undefined && x.token_hash === undefined)).toBe(true);
    for (const scope of ['root', 'ADMIN', '', null, 1, ['admin']]) {
      const before = (await api(t, 'GET', '/api-token')).body.result.length;
      const r = await api(t, 'POST', '/api-token', { name: 'bad scope', scope });
      expect([scope, r.status]).toEqual([scope, 400]);
      expect(r.body).toMatchObject({ error: 'INVALID_INPUT', details: { field: 'scope' } });
      expect(r.body.message).toMatch(/scope/);
      expect((await api(t, 'GET', '/api-token')).body.result.length).toBe(before);
    }
  });

  it('an mcp token is refused (403 with a hint) by the admin API, the proxy and the unified API, and cannot mint tokens', async () => {
    const m = await api(t, 'POST', '/api-token', { name: 'mcp scoped', scope: 'mcp' });
    const before = (await api(t, 'GET', '/api-token')).body.result.length;
    for (const [method, route, body] of [
      ['POST', '/api-token', { name: 'minted by an mcp token' }],
      ['POST', '/api-token', { name: 'escalate', scope: 'admin' }],
      ['GET', '/api-token', undefined],
      ['DELETE', `/api-token/${m.body.id}`, undefined],
      ['GET', '/integrated-account', undefined],
      ['POST', `/integrated-account/${accountId}/mcp`, { name: 'by mcp token', config: {} }],
      ['GET', `/integrated-account/${accountId}/tools`, undefined],
      ['GET', `/proxy/companies?integrated_account_id=${accountId}&limit=1`, undefined],
      ['GET', `/unified/crm/accounts?integrated_account_id=${accountId}&limit=1`, undefined],
    ] as const) {
      const r = await api(t, method, route, body, m.body.token);
      expect([method, route, r.status]).toEqual([method, route, 403]);
      expect(r.body).toMatchObject({ statusCode: 403, error: 'FORBIDDEN' });
      expect(r.body.message).toMatch(/scope mcp/);
      expect(r.body.hint).toMatch(/scope admin/);
    }
    expect((await api(t, 'GET', '/api-token')).body.result.length).toBe(before);
    // An admin token still does all of it.
    const a = await api(t, 'POST', '/api-token', { name: 'admin scoped', scope: 'admin' });
    expect((await api(t, 'POST', '/api-token', { name: 'minted by an admin token' }, a.body.token)).status).toBe(201);
    expect(
      (await api(t, 'GET', `/proxy/companies?integrated_account_id=${accountId}&limit=1`, undefined, a.body.token))
        .status,
    ).toBe(200);
  });

  it('an mcp token is accepted as the second factor of a require_api_token_auth MCP server (so is an admin token)', async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
      name: 'second factor',
      config: { methods: ['read'], require_api_token_auth: true },
    });
    const url = `${t.url}/mcp/${s.body.token}`;
    const m = await api(t, 'POST', '/api-token', { name: 'mcp client', scope: 'mcp' });
    const a = await api(t, 'POST', '/api-token', { name: 'admin client' });
    expect((await rpc(url, 'tools/list')).status).toBe(401);
    const listed = await rpc(url, 'tools/list', {}, bearer(m.body.token));
    expect(listed.status).toBe(200);
    expect(listed.body.result.tools.length).toBeGreaterThan(0);
    const client = await connect(url, { headers: bearer(m.body.token) });
    expect((await client.listTools()).tools.length).toBe(listed.body.result.tools.length);
    expect((await rpc(url, 'tools/list', {}, bearer(a.body.token))).status).toBe(200);
    // Revoked: refused at once.
    expect((await api(t, 'DELETE', `/api-token/${m.body.id}`)).status).toBe(204);
    expect((await rpc(url, 'tools/list', {}, bearer(m.body.token))).status).toBe(401);
  });

  it('a stored scope that is not a known one is refused everywhere (fail closed)', async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
      name: 'second factor 2',
      config: { require_api_token_auth: true },
    });
    const url = `${t.url}/mcp/${s.body.token}`;
    for (const scope of ['superuser', '', 'Admin', 'admin ']) {
      const tok = await api(t, 'POST', '/api-token', { name: `to corrupt ${JSON.stringify(scope)}` });
      await t.app
        .get(DataSource)
        .createQueryBuilder()
        .update('api_token')
        .set({ scope })
        .where('id = :id', { id: tok.body.id })
        .execute();
      const adminRoute = await api(t, 'GET', '/integrated-account', undefined, tok.body.token);
      expect([scope, adminRoute.status]).toEqual([scope, 403]);
      expect(adminRoute.body.hint).toMatch(/scope admin/);
      expect((await api(t, 'POST', '/api-token', { name: 'minted' }, tok.body.token)).status).toBe(403);
      const viaMcp = await rpc(url, 'tools/list', {}, bearer(tok.body.token));
      expect([scope, viaMcp.status]).toEqual([scope, 403]);
    }
  });
});

describe('API token scope migration (item 11)', () => {
  it('tokens created before the scope existed become admin tokens and keep working (SQLite, or PostgreSQL under TEST_POSTGRES_URL)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-migrate-'));
    // A database as the previous release left it: the initial schema only, with one API token.
    const { DATABASE_URL } = await serviceEnv(dir);
    const migrations = [InitialSchema1763900000000];
    const old = DATABASE_URL
      ? new DataSource({ type: 'postgres', url: DATABASE_URL, migrations, logging: false })
      : new DataSource({ type: 'sqlite', database: path.join(dir, 'gateway.sqlite'), migrations, logging: false });
    await old.initialize();
    await old.runMigrations();
    const token = 'phg_token_made_before_scopes_0123456789abcdef';
    await old
      .createQueryBuilder()
      .insert()
      .into('api_token')
      .values({
        id: '0b6f3c1e-5a7d-4c1b-9d0e-2f9a8b7c6d5e',
        name: 'legacy',
        token_hash: createHash('sha256').update(token).digest('hex'),
        created_at: '2026-01-01T00:00:00.000Z',
        last_used_at: null,
      })
      .execute();
    await old.destroy();
    const app = await startTestApp({ SANDBOX: 'false' }, dir);
    try {
      const listed = await api(app, 'GET', '/api-token');
      expect(listed.body.result).toEqual([
        expect.objectContaining({ id: '0b6f3c1e-5a7d-4c1b-9d0e-2f9a8b7c6d5e', name: 'legacy', scope: 'admin' }),
      ]);
      expect((await api(app, 'POST', '/api-token', { name: 'minted by legacy' }, token)).status).toBe(201);
    } finally {
      await app.close();
    }
  });
});
