import * as http from 'node:http';
import Fastify from 'fastify';
import { request } from 'undici';
import type { z } from 'zod';
import { allModels, type ModelDef } from '../src/planhat/catalog';
import { createSandbox } from '../src/sandbox';
import { buildSandboxServer, type SandboxServer } from '../src/sandbox/standalone';
import { DataSource } from 'typeorm';
import { startTestApp } from './support/test-app';
import { ADMIN_KEY, startGateway } from './helpers';

type Json = any;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Json;
}

async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; auth?: string; headersTimeout?: number } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? 'token-a' : opts.token;
  if (opts.auth) headers.authorization = opts.auth;
  else if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const res = await request(base + path, {
    method: method as 'GET',
    headers,
    body: payload,
    headersTimeout: opts.headersTimeout,
  });
  const text = await res.body.text();
  let body: Json;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, body };
}

async function start(
  opts: Partial<Parameters<typeof buildSandboxServer>[0]> = {},
): Promise<{ app: SandboxServer; base: string }> {
  const app = await buildSandboxServer({ seedCompanies: 60, rateLimitPerMin: 0, faults: false, ...opts });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: address };
}

/** A value of the zod schema's type (enough to pass the catalog's create validation). */
function sample(schema: z.ZodType, name: string): unknown {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
  switch (def.type) {
    case 'optional':
      return sample(def.innerType!, name);
    case 'string':
      return `e2e-${name}`;
    case 'number':
      return 2;
    case 'boolean':
      return true;
    case 'enum':
      return (schema as unknown as { options: string[] }).options[0];
    case 'array':
      return [];
    default:
      return {};
  }
}

function createBody(model: ModelDef, companyId: string, uniq: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const fields = model.fields as Record<string, z.ZodType>;
  const wanted = [...model.required, ...(model.requiredOneOf ?? []).map((g) => g[0])];
  for (const f of wanted) body[f] = sample(fields[f], f);
  if (model.companyRef === 'companyIds') body.companyIds = [companyId];
  else if (model.companyRef && model.companyRef in fields) body[model.companyRef] = companyId;
  if (model.dayDates) for (const f of model.dayDates) if (f in body) body[f] = 20500;
  if ('sourceId' in fields) body.sourceId = `src-${uniq}`;
  if (model.externalIdField && model.externalIdField in fields) body[model.externalIdField] = `ext-${uniq}`;
  return body;
}

/** A plain optional string field to change in an update. */
function updatableField(model: ModelDef): string | undefined {
  const skip = new Set<string>([model.companyRef ?? '', model.externalIdField ?? '', 'sourceId', 'email', 'type']);
  for (const [k, s] of Object.entries(model.fields as Record<string, z.ZodType>)) {
    if (skip.has(k)) continue;
    if ((s as unknown as { def: { type: string } }).def.type === 'string') return k;
  }
  return undefined;
}

describe('Planhat sandbox over HTTP', () => {
  let app: SandboxServer;
  let base: string;
  let companyId: string;

  beforeAll(async () => {
    ({ app, base } = await start());
    companyId = (await call(base, 'GET', '/companies?limit=1')).body[0]._id;
  });
  afterAll(async () => {
    await app.close();
  });

  it('requires a token (401), accepts Bearer and Basic', async () => {
    const none = await call(base, 'GET', '/companies', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toBeTruthy();
    expect((await call(base, 'GET', '/companies', { auth: 'Bearer   ' })).status).toBe(401);
    const basic = await call(base, 'GET', '/companies?limit=1', {
      auth: `Basic ${Buffer.from('token-a:').toString('base64')}`,
    });
    expect(basic.status).toBe(200);
    expect(basic.body[0]._id).toBe(companyId);
    expect((await call(base, 'GET', '/__stats', { token: null })).status).toBe(401);
  });

  it('isolates tenants by token', async () => {
    const created = await call(base, 'POST', '/companies', {
      token: 'iso-a',
      body: { name: 'Tenant A Only', externalId: 'ISO-1' },
    });
    expect(created.status).toBe(200);
    expect((await call(base, 'GET', '/companies/extid-ISO-1', { token: 'iso-a' })).status).toBe(200);
    const other = await call(base, 'GET', '/companies/extid-ISO-1', { token: 'iso-b' });
    expect(other.status).toBe(404);
    expect(other.body.error).toMatch(/not found/);
    expect((await call(base, 'GET', `/companies/${created.body._id}`, { token: 'iso-b' })).status).toBe(404);
    const statsA = await call(base, 'GET', '/__stats', { token: 'iso-a' });
    const statsB = await call(base, 'GET', '/__stats', { token: 'iso-b' });
    expect(statsA.body.writes).toBe(1);
    expect(statsB.body.writes).toBe(0);
    expect(statsA.body.counts.companies).toBe(61);
    expect(statsB.body.counts.companies).toBe(60);
  });

  describe.each(allModels().map((m) => [m.key, m] as const))('%s', (_key, model) => {
    const ops = new Set(model.ops);
    const token = `model-${model.key}`;

    it('serves exactly its catalog operations', async () => {
      const list = await call(base, 'GET', `${model.path}?limit=5`, { token });
      if (ops.has('list')) {
        expect(list.status).toBe(200);
        expect(Array.isArray(list.body)).toBe(true);
        expect(list.body.length).toBeLessThanOrEqual(5);
      } else expect(list.status).toBe(404);
      if (!ops.has('create')) expect((await call(base, 'POST', model.path, { token, body: {} })).status).toBe(404);
      if (!ops.has('get'))
        expect((await call(base, 'GET', `${model.path}/aaaaaaaaaaaaaaaaaaaaaaaa`, { token })).status).toBe(404);
      if (!ops.has('delete'))
        expect((await call(base, 'DELETE', `${model.path}/aaaaaaaaaaaaaaaaaaaaaaaa`, { token })).status).toBe(404);
      if (!ops.has('bulk_upsert')) expect((await call(base, 'PUT', model.path, { token, body: [] })).status).toBe(404);
    });

    if (ops.has('list') && ops.has('get')) {
      it('gets seeded records by _id and extid-', async () => {
        const rows = (await call(base, 'GET', `${model.path}?limit=3`, { token })).body as Json[];
        if (rows.length === 0) return; // a model without seed data starts empty
        const byId = await call(base, 'GET', `${model.path}/${rows[0]._id}`, { token });
        expect(byId.status).toBe(200);
        expect(byId.body).toEqual(rows[0]);
        const ext = model.externalIdField ? rows[0][model.externalIdField] : undefined;
        if (ext) {
          const byExt = await call(base, 'GET', `${model.path}/extid-${encodeURIComponent(ext)}`, { token });
          expect(byExt.body._id).toBe(rows[0]._id);
        }
        expect((await call(base, 'GET', `${model.path}/ffffffffffffffffffffffff`, { token })).status).toBe(404);
      });
    }

    if (ops.has('create')) {
      it('creates, rejects a missing field, updates, deletes', async () => {
        if (model.required.length) {
          const missing = await call(base, 'POST', model.path, { token, body: {} });
          expect(missing.status).toBe(400);
          expect(missing.body.error).toContain(model.required[0]);
        }
        const body = createBody(model, companyId, `c-${model.key}`);
        const created = await call(base, 'POST', model.path, { token, body });
        expect(created.status).toBe(200);
        expect(created.body._id).toMatch(/^[0-9a-f]{24}$/);
        expect(created.body.__v).toBe(0);
        expect(typeof created.body[model.timestamps.created]).toBe('string');
        if (model.hasCustom) expect(created.body.custom).toEqual({});
        if (model.companyRef === 'companyId' || model.companyRef === 'cId')
          expect(created.body[model.companyRef]).toBe(companyId);
        const id = created.body._id as string;
        if (ops.has('get') && model.externalIdField && body[model.externalIdField]) {
          expect((await call(base, 'GET', `${model.path}/extid-ext-c-${model.key}`, { token })).body._id).toBe(id);
        }
        if (ops.has('update')) {
          const field = updatableField(model);
          if (field) {
            const upd = await call(base, 'PUT', `${model.path}/${id}`, { token, body: { [field]: 'changed' } });
            expect(upd.status).toBe(200);
            expect(upd.body[field]).toBe('changed');
            for (const r of model.required) if (r !== field) expect(upd.body[r]).toEqual(created.body[r]);
          }
          const bad = await call(base, 'PUT', `${model.path}/${id}`, {
            token,
            body: { [model.required[0] ?? 'dateFrom']: { nested: true } },
          });
          expect(bad.status).toBe(400);
          expect((await call(base, 'PUT', `${model.path}/ffffffffffffffffffffffff`, { token, body: {} })).status).toBe(
            404,
          );
        }
        if (ops.has('delete')) {
          const del = await call(base, 'DELETE', `${model.path}/${id}`, { token });
          expect(del.body).toEqual({ n: 1, ok: 1, deletedCount: 1 });
          if (ops.has('get')) expect((await call(base, 'GET', `${model.path}/${id}`, { token })).status).toBe(404);
        }
      });
    }

    if (ops.has('bulk_upsert')) {
      it('bulk upserts (create, then update by key)', async () => {
        const item = createBody(model, companyId, `u-${model.key}`);
        const first = await call(base, 'PUT', model.path, { token, body: [item] });
        expect(first.status).toBe(200);
        expect(first.body).toMatchObject({
          created: 1,
          updated: 0,
          createdErrors: [],
          updatedErrors: [],
          permissionErrors: [],
        });
        expect(first.body.upsertedIds).toHaveLength(1);
        const id = first.body.insertsKeys[0]._id;
        const again = await call(base, 'PUT', model.path, { token, body: [{ _id: id, ...item }] });
        expect(again.body).toMatchObject({ created: 0 });
        expect(again.body.updated + again.body.nonupdates).toBe(1);
        const partial = await call(base, 'PUT', model.path, { token, body: [item, 42] });
        expect(partial.status).toBe(206);
        expect(partial.body.createdErrors).toHaveLength(1);
        expect((await call(base, 'PUT', model.path, { token, body: new Array(5001).fill(item) })).status).toBe(400);
      });
    }
  });

  it('pages with a small limit through every record exactly once', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 7) {
      const page = (await call(base, 'GET', `/companies?limit=7&offset=${offset}`, { token: 'pager' })).body as Json[];
      seen.push(...page.map((r) => r._id));
      if (page.length < 7) break;
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    const desc = (await call(base, 'GET', '/companies?limit=3&sort=-mrr&select=name,mrr', { token: 'pager' }))
      .body as Json[];
    expect(Object.keys(desc[0]).sort()).toEqual(['_id', 'mrr', 'name']);
    expect(desc[0].mrr).toBeGreaterThanOrEqual(desc[1].mrr);
  });

  it('serves leancompanies and rejects bad ids and bodies', async () => {
    const lean = await call(base, 'GET', '/leancompanies?status=customer,coming&limit=500', { token: 'misc' });
    expect(lean.status).toBe(200);
    expect(Object.keys(lean.body[0]).sort()).toEqual(['_id', 'externalId', 'name', 'slug', 'sourceId']);
    expect((await call(base, 'GET', '/companies/a%2Fb', { token: 'misc' })).status).toBe(400);
    const badJson = await request(`${base}/companies`, {
      method: 'POST',
      headers: { authorization: 'Bearer misc', 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(badJson.statusCode).toBe(400);
    expect((await badJson.body.json()) as Json).toEqual({ error: expect.stringMatching(/JSON/) });
    const unknown = await call(base, 'GET', '/nope', { token: 'misc' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBeTruthy();
    expect((await call(base, 'POST', '/__faults', { body: { match: 'GET /x', fault: '500' } })).status).toBe(404);
    const dup = await call(base, 'GET', '/timeentries?limit=1', { token: 'misc' });
    const copies = await call(base, 'POST', '/timeentries/duplicate', {
      token: 'misc',
      body: { ids: [dup.body[0]._id] },
    });
    expect(copies.status).toBe(200);
    expect(copies.body[0].hours).toBe(dup.body[0].hours);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After past the per-token limit, with headers on every response', async () => {
    let now = Date.UTC(2026, 4, 20, 12, 0, 0);
    const { app, base } = await start({ rateLimitPerMin: 3, now: () => now });
    try {
      const r1 = await call(base, 'GET', '/companies?limit=1');
      expect(r1.headers['x-rate-limit-limit']).toBe('3');
      expect(r1.headers['x-rate-limit-remaining']).toBe('2');
      const err = await call(base, 'GET', '/companies/ffffffffffffffffffffffff');
      expect(err.status).toBe(404);
      expect(err.headers['x-rate-limit-remaining']).toBe('1');
      await call(base, 'GET', '/companies?limit=1');
      now += 20_000;
      const limited = await call(base, 'GET', '/companies?limit=1');
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ error: 'Too many requests' });
      expect(limited.headers['x-rate-limit-remaining']).toBe('0');
      expect(limited.headers['retry-after']).toBe('40');
      expect((await call(base, 'GET', '/companies?limit=1', { token: 'other' })).status).toBe(200);
      expect((await call(base, 'GET', '/companies', { token: null })).headers['x-rate-limit-limit']).toBeUndefined();
      now += 40_000;
      const after = await call(base, 'GET', '/companies?limit=1');
      expect(after.status).toBe(200);
      expect(after.headers['x-rate-limit-remaining']).toBe('2');
    } finally {
      await app.close();
    }
  });

  it('sends no rate-limit headers when off', async () => {
    const { app, base } = await start({ rateLimitPerMin: 0 });
    try {
      const r = await call(base, 'GET', '/companies?limit=1');
      expect(r.headers['x-rate-limit-limit']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('fault injection', () => {
  let app: SandboxServer;
  let base: string;
  beforeAll(async () => {
    ({ app, base } = await start({ faults: true, seedCompanies: 5 }));
  });
  afterAll(async () => {
    await app.close();
  });
  const arm = (fault: string, match = 'GET /companies', times = 1) =>
    call(base, 'POST', '/__faults', { token: null, body: { match, fault, times } });

  it('validates the fault body', async () => {
    expect(
      (await call(base, 'POST', '/__faults', { token: null, body: { match: 'GET /companies', fault: 'boom' } })).status,
    ).toBe(400);
    expect((await call(base, 'POST', '/__faults', { token: null, body: { match: 'nope', fault: '500' } })).status).toBe(
      400,
    );
    expect(
      (await call(base, 'POST', '/__faults', { token: null, body: { match: 'GET /x', fault: '500', times: 0 } }))
        .status,
    ).toBe(400);
    expect((await call(base, 'POST', '/__faults', { token: null, body: [1] })).status).toBe(400);
  });

  it('500: plain text, for `times` requests of every tenant, prefix match', async () => {
    expect((await arm('500', 'GET /companies', 2)).status).toBe(200);
    const a = await call(base, 'GET', '/companies/extid-whatever', { token: 'x' });
    expect(a.status).toBe(500);
    expect(a.headers['content-type']).toMatch(/text\/plain/);
    expect(a.body).toBeUndefined();
    expect((await call(base, 'GET', '/endusers', { token: 'y' })).status).toBe(200);
    expect((await call(base, 'GET', '/companies', { token: 'y' })).status).toBe(500);
    expect((await call(base, 'GET', '/companies', { token: 'y' })).status).toBe(200);
  });

  it('malformed: 200 JSON content type with a non-JSON body', async () => {
    await arm('malformed');
    const r = await call(base, 'GET', '/companies');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('reset: the socket is destroyed without a response', async () => {
    await arm('reset');
    await expect(call(base, 'GET', '/companies')).rejects.toThrow();
    expect((await call(base, 'GET', '/companies')).status).toBe(200);
  });

  it('slow: answers normally after ~1.5 s', async () => {
    await arm('slow');
    const t0 = Date.now();
    const r = await call(base, 'GET', '/companies?limit=2');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(2);
  });

  it('timeout: never answers; DELETE clears armed faults', async () => {
    await arm('timeout');
    await expect(call(base, 'GET', '/companies', { headersTimeout: 500 })).rejects.toThrow();
    await arm('500', 'GET /companies', 5);
    expect((await call(base, 'DELETE', '/__faults', { token: null })).body).toEqual({ cleared: 1 });
    expect((await call(base, 'GET', '/companies')).status).toBe(200);
  });

  it('timeout: server close destroys held sockets', async () => {
    const own = await start({ faults: true, seedCompanies: 1 });
    await call(own.base, 'POST', '/__faults', { token: null, body: { match: 'GET /', fault: 'timeout' } });
    const url = new URL(`${own.base}/companies`);
    const pending = new Promise<string>((resolve) => {
      const req = http.get(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: 'Bearer t' } },
        () => resolve('answered'),
      );
      req.on('error', (e) => resolve(`error: ${e.message}`));
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await own.app.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await pending).toMatch(/^error/);
  });
});

describe('mounted inside another Fastify app', () => {
  it('works under a prefix next to the host routes and parsers', async () => {
    const host = Fastify();
    host.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
      done(null, { hostParsed: body }),
    );
    host.setErrorHandler((_e, _req, reply) => reply.code(418).send({ host: true }));
    host.post('/echo', async (req) => req.body);
    const { plugin, store } = createSandbox({ seedCompanies: 8, rateLimitPerMin: 100, faults: true });
    await host.register(plugin, { prefix: '/sandbox/planhat' });
    const base = await host.listen({ port: 0, host: '127.0.0.1' });
    try {
      const p = `${base}/sandbox/planhat`;
      const list = await call(p, 'GET', '/companies?limit=100');
      expect(list.status).toBe(200);
      expect(list.body).toHaveLength(8);
      expect(list.headers['x-rate-limit-limit']).toBe('100');
      const created = await call(p, 'POST', '/companies', { body: { name: 'Mounted Co' } });
      expect(created.status).toBe(200);
      expect(created.body.name).toBe('Mounted Co');
      expect((await call(p, 'POST', '/companies', { body: {} })).body).toEqual({
        error: 'Missing required field: name',
      });
      expect((await call(p, 'GET', '/companies/ffffffffffffffffffffffff')).body.error).toMatch(/not found/);
      expect((await call(p, 'GET', '/nothing-here')).status).toBe(404);
      await call(p, 'POST', '/__faults', { token: null, body: { match: 'GET /companies', fault: '500' } });
      expect((await call(p, 'GET', '/companies')).status).toBe(500);
      expect((await call(base, 'POST', '/echo', { body: { a: 1 } })).body).toEqual({ hostParsed: '{"a":1}' });
      expect(store.tenant('token-a').writes).toBe(1);
    } finally {
      await host.close();
    }
  });
});

describe('bounded tenants', () => {
  it('keeps at most maxTenants live, evicting the least recently used (recreated freshly seeded)', async () => {
    const { app, base } = await start({ seedCompanies: 5, maxTenants: 2 });
    try {
      const count = async (token: string) => (await call(base, 'GET', '/companies?limit=100', { token })).body.length;
      expect((await call(base, 'POST', '/companies', { token: 'a', body: { name: 'Kept In A' } })).status).toBe(200);
      expect((await call(base, 'POST', '/companies', { token: 'b', body: { name: 'Dropped From B' } })).status).toBe(
        200,
      );
      expect(await count('a')).toBe(6); // a is now the most recently used
      expect(await count('c')).toBe(5); // a third tenant evicts b, not a
      expect(app.sandboxStore.tenantCount).toBe(2);
      expect(await count('a')).toBe(6);
      expect(await count('b')).toBe(5); // b came back freshly seeded (and evicted c)
      for (let i = 0; i < 50; i++)
        expect((await call(base, 'GET', '/companies?limit=1', { token: `flood-${i}` })).status).toBe(200);
      expect(app.sandboxStore.tenantCount).toBe(2);
    } finally {
      await app.close();
    }
  });

  it("with an authorizer, other tokens get 401 in Planhat's shape and create no tenant", async () => {
    const { plugin, store } = createSandbox({
      seedCompanies: 5,
      rateLimitPerMin: 0,
      faults: false,
      authorize: async (t) => t === 'known',
    });
    const host = Fastify();
    await host.register(plugin);
    const base = await host.listen({ port: 0, host: '127.0.0.1' });
    try {
      const denied = await call(base, 'GET', '/companies', { token: 'guessed' });
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual({ error: 'Unauthorized: invalid API token' });
      expect((await call(base, 'GET', '/__stats', { token: 'guessed' })).status).toBe(401);
      expect(store.tenantCount).toBe(0);
      expect((await call(base, 'GET', '/companies', { token: 'known' })).body).toHaveLength(5);
      expect(store.tenantCount).toBe(1);
    } finally {
      await host.close();
    }
  });
});

describe('embedded in the gateway', () => {
  it('serves only the tokens of its sandbox integrated accounts: any other bearer gets 401 and no tenant', async () => {
    const gw = await startGateway({ SANDBOX_SEED_COMPANIES: '5' });
    try {
      const sandbox = (path: string, token: string) =>
        gw.call('GET', `/sandbox/planhat${path}`, undefined, { authorization: `Bearer ${token}` });
      for (let i = 0; i < 20; i++) {
        const r = await sandbox('/companies?limit=1', `random-bearer-${i}-${Math.random()}`);
        expect(r.status).toBe(401);
        expect(r.body).toEqual({ error: 'Unauthorized: invalid API token' });
      }
      expect((await sandbox('/companies', ADMIN_KEY)).status).toBe(401);
      expect((await gw.call('GET', '/sandbox/planhat/companies', undefined, { authorization: '' })).status).toBe(401);

      // The bootstrap sandbox account and a new one (generated token, or one chosen by the admin) work.
      const proxied = async (accountId: string) =>
        gw.call('GET', `/proxy/companies?integrated_account_id=${accountId}&limit=100`);
      expect((await proxied(gw.sandboxAccountId)).status).toBe(200);
      const generated = await gw.call('POST', '/integrated-account', {
        name: 'second sandbox',
        environment: 'sandbox',
      });
      expect(generated.status).toBe(201);
      expect((await proxied(generated.body.id)).body.result).toHaveLength(5);
      const chosen = await gw.call('POST', '/integrated-account', {
        name: 'chosen token',
        environment: 'sandbox',
        api_token: 'my-own-sandbox-token-123',
      });
      expect((await sandbox('/companies', 'my-own-sandbox-token-123')).body).toHaveLength(5);

      // A changed token replaces the old one at once; a deleted account's token stops working at once.
      expect(
        (await gw.call('PATCH', `/integrated-account/${chosen.body.id}`, { api_token: 'my-next-sandbox-token-456' }))
          .status,
      ).toBe(200);
      expect((await sandbox('/companies', 'my-own-sandbox-token-123')).status).toBe(401);
      expect((await sandbox('/companies', 'my-next-sandbox-token-456')).status).toBe(200);
      expect((await gw.call('DELETE', `/integrated-account/${chosen.body.id}`)).status).toBe(200);
      expect((await sandbox('/companies', 'my-next-sandbox-token-456')).status).toBe(401);

      // A token of a non-sandbox account is no sandbox tenant either.
      await gw.call('POST', '/integrated-account', {
        name: 'prod',
        environment: 'production',
        api_token: 'a-production-token-789',
      });
      expect((await sandbox('/companies', 'a-production-token-789')).status).toBe(401);
    } finally {
      await gw.close();
    }
  });

  it('accepts sandbox accounts stored before their token hash existed, after a restart', async () => {
    const first = await startGateway({ SANDBOX_SEED_COMPANIES: '5' });
    const dataDir = first.dataDir;
    try {
      await first.call('POST', '/integrated-account', {
        name: 'old sandbox',
        environment: 'sandbox',
        api_token: 'stored-before-the-hash-0001',
      });
      // As a row written before the migration: no hash.
      await first.app.get(DataSource).query('UPDATE integrated_account SET sandbox_token_hash = NULL');
    } finally {
      await first.close();
    }
    const again = await startTestApp({ SANDBOX_RATE_LIMIT_PER_MIN: '0', SANDBOX_SEED_COMPANIES: '5' }, dataDir);
    try {
      const r = await call(`${again.url}/sandbox/planhat`, 'GET', '/companies', {
        token: 'stored-before-the-hash-0001',
      });
      expect(r.status).toBe(200);
      expect(r.body).toHaveLength(5);
    } finally {
      await again.close();
    }
  });
});
