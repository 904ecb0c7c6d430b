import { allModels, findModel } from '../planhat/catalog';
import { SandboxError, SandboxStore, type Tenant } from './store';

const m = (k: string) => findModel(k)!;
let clock = Date.UTC(2026, 4, 20, 12, 0, 0);
const now = () => clock;

function tenant(n = 30): Tenant {
  return new SandboxStore({ seedCompanies: n, now }).tenant('tok');
}

function err(fn: () => unknown): SandboxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandboxError) return e;
    throw e;
  }
  throw new Error('expected a SandboxError');
}

describe('SandboxStore', () => {
  it('isolates tenants by token and seeds each the same', () => {
    const store = new SandboxStore({ seedCompanies: 10, now });
    const a = store.tenant('a');
    const b = store.tenant('b');
    expect(a).not.toBe(b);
    expect(store.tenant('a')).toBe(a);
    a.create(m('companies'), { name: 'Only In A' });
    expect(a.list(m('companies'), { limit: '100' })).toHaveLength(11);
    expect(b.list(m('companies'), { limit: '100' })).toHaveLength(10);
    expect(b.list(m('companies'), {})[0]).toEqual(store.tenant('c').list(m('companies'), {})[0]);
  });

  it('keeps at most maxTenants, dropping the least recently used', () => {
    const store = new SandboxStore({ seedCompanies: 3, maxTenants: 2, now });
    const a = store.tenant('a');
    store.tenant('b');
    store.tenant('a');
    store.tenant('c');
    expect(store.tenantCount).toBe(2);
    expect(store.tenant('a')).toBe(a);
    expect(store.tenantCount).toBe(2);
    expect(() => new SandboxStore({ seedCompanies: 3, maxTenants: 0 })).toThrow(/maxTenants/);
    expect(new SandboxStore({ seedCompanies: 3 }).maxTenants).toBe(100);
  });

  describe('list', () => {
    const t = tenant(300);
    const companies = m('companies');

    it('defaults to 100, clamps to maxLimit, ignores junk', () => {
      expect(t.list(companies, {})).toHaveLength(100);
      expect(t.list(companies, { limit: 'abc' })).toHaveLength(100);
      expect(t.list(companies, { limit: '-5' })).toHaveLength(100);
      expect(t.list(companies, { limit: '7' })).toHaveLength(7);
      expect(t.list(m('endusers'), { limit: '99999' }).length).toBeLessThanOrEqual(m('endusers').maxLimit);
      expect(tenant(1100).list(m('invoices'), { limit: '99999' })).toHaveLength(m('invoices').maxLimit); // 2200 exist
      expect(t.list(companies, { limit: '10', whatever: 'x' })).toHaveLength(10);
    });

    it('pages with offset in insertion (ascending _id) order', () => {
      const all = t.list(companies, { limit: '5000' });
      expect(all).toHaveLength(300);
      const seen: unknown[] = [];
      for (let off = 0; ; off += 7) {
        const page = t.list(companies, { limit: '7', offset: String(off) });
        seen.push(...page.map((r) => r._id));
        if (page.length < 7) break;
      }
      expect(seen).toEqual(all.map((r) => r._id));
      expect(t.list(companies, { offset: '5000' })).toEqual([]);
    });

    it('sorts ascending and descending, stable, missing values last', () => {
      const asc = t.list(companies, { sort: 'mrr', limit: '5000' });
      const mrrs = asc.map((r) => r.mrr as number);
      expect(mrrs).toEqual([...mrrs].sort((a, b) => a - b));
      // stable: ties keep ascending _id
      for (let i = 1; i < asc.length; i++) {
        if (asc[i].mrr === asc[i - 1].mrr) expect((asc[i]._id as string) > (asc[i - 1]._id as string)).toBe(true);
      }
      const desc = t.list(companies, { sort: '-name', limit: '3' });
      const names = t
        .list(companies, { limit: '5000' })
        .map((r) => r.name as string)
        .sort()
        .reverse();
      expect(desc.map((r) => r.name)).toEqual(names.slice(0, 3));
      const byCustom = t.list(companies, { sort: '-custom.Seats', limit: '2' });
      expect((byCustom[0].custom as { Seats: number }).Seats).toBeGreaterThanOrEqual(
        (byCustom[1].custom as { Seats: number }).Seats,
      );
    });

    it('selects fields plus _id', () => {
      const rows = t.list(companies, { select: 'name, externalId', limit: '2' });
      expect(Object.keys(rows[0]).sort()).toEqual(['_id', 'externalId', 'name']);
    });

    it('filters by companyId (comma list, extid-), companyIds and model filters', () => {
      const [c1, c2] = t.list(companies, { limit: '2' });
      const eus = t.list(m('endusers'), { companyId: `${c1._id},extid-${c2.externalId as string}`, limit: '100' });
      expect(eus.length).toBeGreaterThan(0);
      expect(new Set(eus.map((e) => e.companyId))).toEqual(
        new Set([c1._id, c2._id].filter((id) => eus.some((e) => e.companyId === id))),
      );
      for (const e of eus) expect([c1._id, c2._id]).toContain(e.companyId);
      const inv = t.list(m('invoices'), { companyId: c1._id as string, limit: '100' });
      expect(inv.length).toBeGreaterThan(0);
      for (const i of inv) expect(i.cId).toBe(c1._id);
      expect(t.list(m('invoices'), { cId: c1._id as string, limit: '100' })).toEqual(inv);
      const issues = t.list(m('issues'), { limit: '2000' });
      const target = (issues[0].companyIds as string[])[0];
      const filtered = t.list(m('issues'), { companyIds: target, limit: '2000' });
      expect(filtered.length).toBeGreaterThan(0);
      for (const i of filtered) expect(i.companyIds).toContain(target);
      const archived = t.list(m('tasks'), { isArchived: 'true', limit: '2000' });
      expect(archived.length).toBeGreaterThan(0);
      for (const x of archived) expect(x.isArchived).toBe(true);
      const emails = t.list(m('conversations'), { type: 'email,call', limit: '2000' });
      for (const x of emails) expect(['email', 'call']).toContain(x.type);
      expect(t.list(m('endusers'), { email: eus[0].email as string })[0]._id).toBe(eus[0]._id);
    });

    it('hides archived endusers and serves leancompanies', () => {
      const t2 = tenant(5);
      const eu = t2.list(m('endusers'), {})[0];
      t2.update(m('endusers'), eu._id as string, { archived: true });
      expect(t2.list(m('endusers'), { limit: '1000' }).map((e) => e._id)).not.toContain(eu._id);
      expect(t2.get(m('endusers'), eu._id as string).archived).toBe(true);
      const lean = t2.list(m('leancompanies'), {});
      expect(lean).toHaveLength(5);
      expect(Object.keys(lean[0]).sort()).toEqual(['_id', 'externalId', 'name', 'slug', 'sourceId']);
      const ext = lean[2].externalId as string;
      expect(t2.list(m('leancompanies'), { externalId: ext })).toEqual([lean[2]]);
      expect(t2.list(m('leancompanies'), { status: 'customer' }).length).toBeGreaterThan(0);
    });
  });

  describe('ids', () => {
    const t = tenant(10);
    const companies = m('companies');
    it('resolves _id, extid- and srcid-, and 404s unknown ids', () => {
      const c = t.list(companies, {})[3];
      expect(t.get(companies, c._id as string).name).toBe(c.name);
      expect(t.get(companies, `extid-${c.externalId as string}`)._id).toBe(c._id);
      expect(t.get(companies, `srcid-${c.sourceId as string}`)._id).toBe(c._id);
      const inv = t.list(m('invoices'), {})[0];
      expect(t.get(m('invoices'), `extid-${inv.extId as string}`)._id).toBe(inv._id);
      const e = err(() => t.get(companies, 'ffffffffffffffffffffffff'));
      expect(e.status).toBe(404);
      expect(e.message).toMatch(/not found/);
      expect(err(() => t.get(companies, 'extid-nope')).status).toBe(404);
      expect(err(() => t.get(companies, 'a/../b')).status).toBe(400);
      expect(err(() => t.get(companies, 'extid-')).status).toBe(400);
    });
  });

  describe('create and update', () => {
    it('validates required, requiredOneOf, types and checks with clear messages', () => {
      const t = tenant(5);
      expect(err(() => t.create(m('companies'), {})).message).toBe('Missing required field: name');
      const cid = t.list(m('companies'), {})[0]._id as string;
      expect(err(() => t.create(m('endusers'), { companyId: cid })).message).toMatch(
        /one of email, externalId, sourceId/,
      );
      const typeErr = err(() => t.create(m('companies'), { name: 5 }));
      expect(typeErr.status).toBe(400);
      expect(typeErr.message).toMatch(/field name/);
      expect(err(() => t.create(m('companies'), { name: 'x', csmScore: 9 })).message).toMatch(/csmScore/);
      expect(err(() => t.create(m('nps'), { email: 'a@b.c', score: 11 })).message).toMatch(/score/);
      expect(err(() => t.create(m('time_entries'), { date: '2026-01-01', hours: 30 })).message).toMatch(/hours/);
      expect(
        err(() => t.create(m('licenses'), { companyId: cid, _currency: 'USD', fromDate: '2026-01-01' })).message,
      ).toMatch(/mrr, value/);
      expect(
        err(() => t.create(m('invoices'), { cId: cid, currency: 'USD', invoiceDate: 'yesterday' })).message,
      ).toMatch(/invoiceDate/);
      expect(err(() => t.update(m('companies'), cid, { tags: 'x' })).message).toMatch(/field tags/);
      expect(err(() => t.create(m('companies'), [1, 2])).status).toBe(400);
      // every catalog model with create rejects an empty body naming a required field
      for (const model of allModels()) {
        if (!model.ops.includes('create') || model.required.length === 0) continue;
        expect(err(() => t.create(model, {})).message).toBe(`Missing required field: ${model.required[0]}`);
      }
    });

    it('creates with server fields and auto values', () => {
      const t = tenant(5);
      const c = t.create(m('companies'), { name: 'New Co', externalId: 'NEW-1' });
      expect(c._id).toMatch(/^[0-9a-f]{24}$/);
      expect(c).toMatchObject({ __v: 0, status: 'prospect', custom: {}, createDate: new Date(clock).toISOString() });
      const all = t.list(m('companies'), { limit: '100' });
      expect(all[all.length - 1]._id).toBe(c._id); // newest last
      const eu = t.create(m('endusers'), {
        companyId: 'extid-NEW-1',
        email: 'jo@new.co',
        firstName: 'Jo',
        lastName: 'Ng',
      });
      expect(eu).toMatchObject({ companyId: c._id, companyName: 'New Co', name: 'Jo Ng' });
      const lic = t.create(m('licenses'), { companyId: c._id, _currency: 'USD', fromDate: '2026-01-01', mrr: 100 });
      expect(lic.arr).toBe(1200);
      const te = t.create(m('time_entries'), { date: '2026-01-01', hours: 2.5, billableRate: 100 });
      expect(te.totalBilled).toBe(250);
      const inv1 = t.create(m('invoices'), {
        cId: `srcid-${c.sourceId ?? 'x'}`.replace('srcid-x', c._id as string),
        currency: 'USD',
      });
      const inv2 = t.create(m('invoices'), { cId: c._id, currency: 'USD' });
      expect(inv1.cName).toBe('New Co');
      expect(inv2.invoiceNo).toBe((inv1.invoiceNo as number) + 1);
      expect(inv1.invoiceNo).toBeGreaterThan(10); // continues after the seeded ones
      expect(t.create(m('timesheets'), {}).status).toBe('submitted');
      expect(t.create(m('conversations'), { companyId: c._id }).type).toBe('note');
      expect(t.create(m('conversations'), { companyId: c._id, type: 'nonexistent' }).type).toBe('note');
      const issue = t.create(m('issues'), { title: 'Bug', companyIds: ['extid-NEW-1', c._id] });
      expect(issue.companyIds).toEqual([c._id, c._id]);
    });

    it('rejects unknown company references naming the field', () => {
      const t = tenant(5);
      expect(err(() => t.create(m('endusers'), { companyId: 'extid-NOPE', email: 'a@b.c' })).message).toMatch(
        /companyId/,
      );
      expect(
        err(() => t.create(m('endusers'), { companyId: 'aaaaaaaaaaaaaaaaaaaaaaaa', email: 'a@b.c' })).message,
      ).toMatch(/companyId/);
      expect(err(() => t.create(m('invoices'), { cId: 'srcid-NOPE', currency: 'USD' })).message).toMatch(/cId/);
      expect(err(() => t.create(m('issues'), { title: 'x', companyIds: ['nope'] })).message).toMatch(/companyIds/);
    });

    it('updates partially, merges custom, bumps the timestamp, changes companyName with the reference', () => {
      const t = tenant(5);
      const [c0, c1] = t.list(m('companies'), {});
      const before = t.get(m('companies'), c0._id as string);
      clock += 60_000;
      const after = t.update(m('companies'), `extid-${c0.externalId as string}`, {
        phase: 'Renewal',
        custom: { Seats: 42 },
      });
      expect(after.phase).toBe('Renewal');
      expect(after.name).toBe(before.name);
      expect(after.custom).toEqual({ ...(before.custom as object), Seats: 42 });
      expect(after.updatedAt).toBe(new Date(clock).toISOString());
      expect(after.createDate).toBe(before.createDate);
      const eu = t.list(m('endusers'), { companyId: c0._id as string })[0];
      const moved = t.update(m('endusers'), eu._id as string, { companyId: c1._id, firstName: 'Zed' });
      expect(moved.companyName).toBe(c1.name);
      expect(moved.name).toBe(`Zed ${eu.lastName as string}`);
      expect(err(() => t.update(m('companies'), 'ffffffffffffffffffffffff', {})).status).toBe(404);
      // returned objects are copies
      (after.custom as Record<string, unknown>).Seats = 1;
      expect((t.get(m('companies'), c0._id as string).custom as { Seats: number }).Seats).toBe(42);
    });

    it('deletes and counts writes', () => {
      const t = tenant(5);
      const c = t.list(m('companies'), {})[2];
      expect(t.remove(m('companies'), `srcid-${c.sourceId as string}`)).toEqual({ n: 1, ok: 1, deletedCount: 1 });
      expect(err(() => t.get(m('companies'), c._id as string)).status).toBe(404);
      expect(t.list(m('companies'), {})).toHaveLength(4);
      expect(t.stats().writes).toBe(1);
    });
  });

  describe('bulk upsert', () => {
    it('matches _id > sourceId > externalId > email, creates the rest, reports errors', () => {
      const t = tenant(5);
      const eus = t.list(m('endusers'), { limit: '100' });
      const [a, b, c, d] = eus;
      const cid = a.companyId as string;
      const { status, body } = t.upsert(m('endusers'), [
        { _id: a._id, position: 'Boss' },
        { sourceId: 'none', externalId: b.externalId, position: 'Chief' },
        { email: c.email, position: c.position }, // unchanged → nonupdate
        { email: d.email, sourceId: 'SRC-D', position: 'Deputy' },
        { companyId: cid, email: 'new.person@x.com', externalId: 'NEW-EU' },
        { email: 'no.company@x.com' },
        'garbage',
      ]);
      expect(status).toBe(206);
      expect(body.updated).toBe(3);
      expect(body.nonupdates).toBe(1);
      expect(body.modified.sort()).toEqual([a._id, b._id, d._id].sort());
      expect(body.updatesKeys).toHaveLength(4);
      expect(body.created).toBe(1);
      expect(body.insertsKeys[0]).toMatchObject({ externalId: 'NEW-EU' });
      expect(body.upsertedIds).toEqual([body.insertsKeys[0]._id]);
      expect(body.createdErrors).toHaveLength(2);
      expect(body.createdErrors[0]).toMatch(/Missing required field: companyId/);
      expect(body.updatedErrors).toEqual([]);
      expect(body.permissionErrors).toEqual([]);
      expect(t.get(m('endusers'), 'srcid-SRC-D')._id).toBe(d._id);
      expect(t.get(m('endusers'), b._id as string).position).toBe('Chief');
      // second run: everything matches
      const again = t.upsert(m('endusers'), [{ externalId: 'NEW-EU', position: 'x' }]);
      expect(again).toMatchObject({ status: 200, body: { created: 0, updated: 1 } });
    });

    it('enforces the 5000 item cap, array bodies, and ticket quirks', () => {
      const t = tenant(5);
      expect(err(() => t.upsert(m('companies'), new Array(5001).fill({ name: 'x' }))).status).toBe(400);
      expect(err(() => t.upsert(m('companies'), { name: 'x' })).status).toBe(400);
      const cid = t.list(m('companies'), {})[0]._id;
      const single = t.upsert(m('tickets'), { companyId: cid, sourceId: 'T-1', email: 'a@b.c', title: 'Help' });
      expect(single.body.created).toBe(1);
      const dropped = t.upsert(m('tickets'), [
        { companyId: cid, sourceId: 'T-2', title: 'no email' },
        { sourceId: 'T-1', email: 'a@b.c', status: 'solved' },
      ]);
      expect(dropped).toMatchObject({ status: 200, body: { created: 0, updated: 1, createdErrors: [] } });
      expect(t.get(m('tickets'), 'srcid-T-1')).toMatchObject({ status: 'solved', type: 'ticket' });
      const big = t.upsert(
        m('companies'),
        Array.from({ length: 5000 }, (_, i) => ({ name: `Bulk ${i}`, externalId: `B-${i}` })),
      );
      expect(big.body.created).toBe(5000);
      expect(t.upsert(m('companies'), [{ externalId: 'B-4999', name: 'Renamed' }]).body.updated).toBe(1);
      expect(t.get(m('companies'), 'extid-B-4999').name).toBe('Renamed');
    });
  });

  it('duplicates time entries', () => {
    const t = tenant(5);
    const [x, y] = t.list(m('time_entries'), {});
    const copies = t.duplicate(m('time_entries'), { ids: [x._id, y._id] });
    expect(copies).toHaveLength(2);
    expect(copies[0]._id).not.toBe(x._id);
    expect(copies[0].hours).toBe(x.hours);
    expect(err(() => t.duplicate(m('time_entries'), { ids: [] })).status).toBe(400);
  });
});
