import { allModels, supports, type ModelDef } from '../src/planhat/catalog';
import { sampleCreateBody, startGateway, type TestGateway } from './helpers';

/**
 * The native proxy against the embedded sandbox, over real HTTP. The catalog walk proves every
 * operation of every model (the 97 seed operations among them) without a hand-written test each.
 */
describe('native proxy (/proxy) over the sandbox', () => {
  let gw: TestGateway;
  let companyId: string;
  const q = () => `integrated_account_id=${gw.sandboxAccountId}`;

  beforeAll(async () => {
    gw = await startGateway();
    const companies = await gw.call('GET', `/proxy/companies?${q()}&limit=1`);
    companyId = companies.body.result[0]._id;
  });
  afterAll(() => gw.close());

  it("tags every answer with x-request-id: the caller's when it is a safe token, else a new one, repeated in error bodies", async () => {
    const mine = await gw.call('GET', `/proxy/companies?${q()}&limit=1`, undefined, { 'x-request-id': 'trace-42.a_b' });
    expect(mine.headers['x-request-id']).toBe('trace-42.a_b');
    const unsafe = await gw.call('GET', `/proxy/companies?${q()}&limit=1`, undefined, {
      'x-request-id': 'no spaces <here>',
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await gw.call('GET', `/proxy/nope?${q()}`);
    expect(failed.status).toBe(404);
    expect(failed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed.body.request_id).toBe(failed.headers['x-request-id']);
  });

  describe.each(allModels().map((m) => [m.key, m] as [string, ModelDef]))('%s', (_key, model) => {
    const base = () => `/proxy/${model.key}`;

    if (supports(model, 'list')) {
      it('lists in the {result, next_cursor, result_count} envelope', async () => {
        const res = await gw.call('GET', `${base()}?${q()}&limit=3`);
        expect(res.status).toBe(200);
        expect(Array.isArray(res.body.result)).toBe(true);
        expect(res.body.result_count).toBe(res.body.result.length);
        expect(res.body).toHaveProperty('next_cursor');
      });
    }

    if (supports(model, 'get')) {
      it('gets a record by _id and by its external id', async () => {
        const list = await gw.call('GET', `${base()}?${q()}&limit=50`);
        const rec = list.body.result[0];
        expect(rec).toBeDefined();
        const byId = await gw.call('GET', `${base()}/${rec._id}?${q()}`);
        expect(byId.status).toBe(200);
        expect(byId.body._id).toBe(rec._id);
        const ext = model.externalIdField ?? 'externalId';
        const withExt = list.body.result.find((r: Record<string, unknown>) => typeof r[ext] === 'string' && r[ext]);
        const withSrc = list.body.result.find(
          (r: Record<string, unknown>) => typeof r.sourceId === 'string' && r.sourceId,
        );
        const keyed = withExt
          ? `extid-${encodeURIComponent(withExt[ext])}`
          : withSrc
            ? `srcid-${encodeURIComponent(withSrc.sourceId)}`
            : undefined;
        if (keyed) {
          const byKey = await gw.call('GET', `${base()}/${keyed}?${q()}`);
          expect(byKey.status).toBe(200);
          expect(byKey.body._id).toBe((withExt ?? withSrc)._id);
        }
        const missing = await gw.call('GET', `${base()}/000000000000000000000000?${q()}`);
        expect(missing.status).toBe(404);
        expect(missing.body.error).toBe('NOT_FOUND');
        expect(missing.body.remote.status).toBe(404);
      });
    }

    if (supports(model, 'create')) {
      it('creates with the required fields, 400 naming a missing one, updates and deletes', async () => {
        if (model.required.length > 0) {
          const bad = await gw.call('POST', `${base()}?${q()}`, {});
          expect(bad.status).toBe(400);
          expect(bad.body.message).toContain(model.required[0]);
        }
        const created = await gw.call('POST', `${base()}?${q()}`, sampleCreateBody(model, companyId));
        expect(created.status).toBe(201);
        expect(created.body._id).toMatch(/^[0-9a-f]{24}$/);

        if (supports(model, 'update')) {
          const field = Object.keys(model.fields).includes('externalId') ? 'externalId' : 'sourceId';
          const patch = { [field]: `e2e-${model.key}-${Date.now()}` };
          const updated = await gw.call('PATCH', `${base()}/${created.body._id}?${q()}`, patch);
          expect(updated.status).toBe(200);
          expect(updated.body[field]).toBe(patch[field]);
          const again = await gw.call('GET', `${base()}/${created.body._id}?${q()}`);
          expect(again.body[field]).toBe(patch[field]);
        }
        if (supports(model, 'delete')) {
          const del = await gw.call('DELETE', `${base()}/${created.body._id}?${q()}`);
          expect(del.status).toBe(200);
          expect(del.body).toMatchObject({ n: 1, ok: 1, deletedCount: 1 });
          const gone = await gw.call('GET', `${base()}/${created.body._id}?${q()}`);
          expect(gone.status).toBe(404);
        }
      });
    } else if (model.ops.length > 1) {
      it('answers 405 for create', async () => {
        const res = await gw.call('POST', `${base()}?${q()}`, { name: 'x' });
        expect(res.status).toBe(405);
        expect(res.body.error).toBe('METHOD_NOT_ALLOWED');
      });
    }

    if (supports(model, 'bulk_upsert')) {
      it('bulk upserts: creates, then updates the same item by its key', async () => {
        const item = { ...sampleCreateBody(model, companyId), sourceId: `bulk-${model.key}-${Date.now()}` };
        const first = await gw.call('POST', `${base()}/bulk_upsert?${q()}`, [item]);
        expect(first.status).toBe(200);
        expect(first.body.result).toMatchObject({ created: 1, updated: 0 });
        // The same item again matches on sourceId: nothing is created (unchanged fields count as nonupdates).
        const second = await gw.call('POST', `${base()}/bulk_upsert?${q()}`, [item]);
        expect(second.body.result.created).toBe(0);
        expect(second.body.result.updated + second.body.result.nonupdates).toBe(1);
        if (supports(model, 'delete')) {
          const id = first.body.result.insertsKeys[0]._id;
          expect((await gw.call('DELETE', `${base()}/${id}?${q()}`)).status).toBe(200);
        }
      });
    }
  });

  it('pages a list with a small limit, visiting every record exactly once', async () => {
    const all = await gw.call('GET', `/proxy/endusers?${q()}&limit=2000`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { result: { _id: string }[]; next_cursor: string | null } } = await gw.call(
        'GET',
        `/proxy/endusers?${q()}&limit=7${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...res.body.result.map((r) => r._id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 1000);
    expect(seen.length).toBeGreaterThan(7);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.body.result.map((r: { _id: string }) => r._id));
  });

  it('binds cursors to the resource, account and filters', async () => {
    const page = await gw.call('GET', `/proxy/companies?${q()}&limit=2`);
    const c = encodeURIComponent(page.body.next_cursor);
    expect((await gw.call('GET', `/proxy/endusers?${q()}&next_cursor=${c}`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies?${q()}&sort=name&next_cursor=${c}`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies?${q()}&next_cursor=garbage`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies?${q()}&next_cursor=${c}`)).status).toBe(200);
  });

  it('passes Planhat filters, sort and select through', async () => {
    const res = await gw.call('GET', `/proxy/licenses?${q()}&companyId=${companyId}&select=companyId,mrr&sort=-mrr`);
    expect(res.status).toBe(200);
    for (const l of res.body.result) {
      expect(l.companyId).toBe(companyId);
      expect(Object.keys(l).sort()).toEqual(expect.arrayContaining(['_id', 'companyId']));
      expect(l.product).toBeUndefined();
    }
    const mrrs = res.body.result.map((l: { mrr: number }) => l.mrr);
    expect(mrrs).toEqual([...mrrs].sort((a, b) => b - a));
  });

  it('rejects bad input with clear 4xx errors before anything reaches Planhat', async () => {
    const unknown = await gw.call('GET', `/proxy/planets?${q()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.hint).toContain('companies');
    expect((await gw.call('GET', `/proxy/companies/a%2Fb?${q()}`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies/x..y?${q()}`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies/a%00b?${q()}`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies`)).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies?integrated_account_id=nope`)).status).toBe(404);
    expect((await gw.call('GET', `/proxy/companies?${q()}&limit=abc`)).status).toBe(400);
    expect((await gw.call('POST', `/proxy/companies?${q()}`, '{"name":')).status).toBe(400);
    expect((await gw.call('POST', `/proxy/companies?${q()}`, [1, 2])).status).toBe(400);
    expect((await gw.call('POST', `/proxy/companies?${q()}`, { name: 42 })).body.message).toMatch(/name/);
    expect((await gw.call('POST', `/proxy/companies/bulk_upsert?${q()}`, { name: 'x' })).status).toBe(400);
    expect((await gw.call('GET', `/proxy/companies?${q()}`, undefined, { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    const noAuth = await gw.call('GET', `/proxy/companies?${q()}`, undefined, { authorization: '' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toMatchObject({ statusCode: 401, error: 'UNAUTHORIZED' });
  });
});

describe('upstream rate limits and faults', () => {
  it('passes a Planhat 429 through with ratelimit-* and retry-after', async () => {
    const gw = await startGateway({ SANDBOX_RATE_LIMIT_PER_MIN: '3' });
    try {
      const url = `/proxy/companies?integrated_account_id=${gw.sandboxAccountId}&limit=1`;
      const ok = await gw.call('GET', url);
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe('2');
      expect(Number(ok.headers['ratelimit-reset'])).toBeGreaterThan(0);
      await gw.call('GET', url);
      await gw.call('GET', url);
      const limited = await gw.call('GET', url);
      expect(limited.status).toBe(429);
      expect(limited.body.error).toBe('RATE_LIMITED');
      expect(limited.body.remote.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['ratelimit-remaining']).toBe('0');
    } finally {
      await gw.close();
    }
  });

  it('maps sandbox faults to 502/504 with the error body, and stays up', async () => {
    const gw = await startGateway({ SANDBOX_FAULTS: 'true', UPSTREAM_TIMEOUT_MS: '400' });
    try {
      const url = `/proxy/companies?integrated_account_id=${gw.sandboxAccountId}&limit=1`;
      const arm = (fault: string) =>
        gw.call(
          'POST',
          '/sandbox/planhat/__faults',
          { match: 'GET /companies', fault, times: 1 },
          { authorization: '' },
        );
      const cases: [string, number, string][] = [
        ['500', 502, 'UPSTREAM_ERROR'],
        ['reset', 502, 'UPSTREAM_ERROR'],
        ['malformed', 502, 'UPSTREAM_ERROR'],
        ['timeout', 504, 'UPSTREAM_TIMEOUT'],
      ];
      for (const [fault, status, code] of cases) {
        expect((await arm(fault)).status).toBeLessThan(300);
        const res = await gw.call('GET', url);
        expect({ fault, status: res.status, error: res.body.error }).toEqual({ fault, status, error: code });
        expect(res.body.message).toBeTruthy();
        expect(res.text).not.toMatch(/at .*\.ts:\d+/);
      }
      expect((await gw.call('GET', url)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
