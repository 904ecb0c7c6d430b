/**
 * The customer-success insights over REST, against the embedded sandbox over real HTTP. Every
 * expected value is computed here from the sandbox's records read through the native proxy, not by
 * the insights code.
 */
import { startGateway, type TestGateway } from './helpers';

type Json = Record<string, any>;
const DAY = 86_400_000;

let gw: TestGateway;
let acct: string;
const data: Record<string, Json[]> = {};

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries({ integrated_account_id: acct, ...q })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

async function insight(name: string, q: Record<string, string | number | undefined> = {}) {
  return gw.call('GET', `/insights/${name}?${qs(q)}`);
}

/** Every record of a native list, via the proxy. */
async function nativeAll(resource: string): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | undefined;
  do {
    const r = await gw.call('GET', `/proxy/${resource}?${qs({ limit: 2000, next_cursor: cursor })}`);
    expect(r.status).toBe(200);
    out.push(...r.body.result);
    cursor = r.body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

const sum = (rows: Json[], f: (r: Json) => number) => Math.round(rows.reduce((s, r) => s + f(r), 0) * 100) / 100;
const bytes = (b: unknown) => Buffer.byteLength(JSON.stringify(b));

beforeAll(async () => {
  gw = await startGateway();
  acct = gw.sandboxAccountId;
  for (const m of [
    'companies',
    'endusers',
    'users',
    'licenses',
    'invoices',
    'churn',
    'nps',
    'tickets',
    'conversations',
    'tasks',
  ])
    data[m] = await nativeAll(m);
});
afterAll(async () => gw?.close());

describe('GET /insights/resolve', () => {
  it('finds a company by externalId, sourceId, _id and exact name (exact), by domain and by name prefix', async () => {
    const c = data.companies[3];
    for (const [q, field] of [
      [c.externalId, 'externalId'],
      [c.sourceId, 'sourceId'],
      [c._id, '_id'],
      [c.name.toUpperCase(), 'name'],
    ]) {
      const r = await insight('resolve', { query: q, types: 'companies' });
      expect(r.status).toBe(200);
      expect(r.body.matches[0]).toMatchObject({ type: 'company', _id: c._id, name: c.name, match: 'exact', field });
      expect(r.body.upstream_calls).toBe(1);
    }
    const byDomain = await insight('resolve', { query: `https://www.${c.domains[0]}/pricing` });
    expect(byDomain.status).toBe(200);
    expect(byDomain.body.matches[0]).toMatchObject({ type: 'company', _id: c._id, match: 'domain' });
    // the company's endusers match by their email domain too
    const eus = data.endusers.filter((e) => e.email.endsWith(`@${c.domains[0]}`));
    expect(byDomain.body.count).toBe(1 + eus.length);
    expect(
      byDomain.body.matches
        .filter((m: Json) => m.type === 'enduser')
        .map((m: Json) => m._id)
        .sort(),
    ).toEqual(eus.map((e) => e._id).sort());
    expect(byDomain.body.upstream_calls).toBe(2);

    const prefix = c.name.split(' ')[0].slice(0, 4).toLowerCase();
    const expected = data.companies.filter((x) => x.name.toLowerCase().startsWith(prefix));
    const byPrefix = await insight('resolve', { query: prefix, types: 'companies', limit: 25 });
    expect(byPrefix.body.count).toBe(expected.length);
    expect(byPrefix.body.matches.every((m: Json) => m.match === 'prefix')).toBe(true);
    expect(byPrefix.body.matches.map((m: Json) => m._id).sort()).toEqual(
      expected
        .map((x) => x._id)
        .sort()
        .slice(0, 25),
    );
    expect(bytes(byPrefix.body)).toBeLessThan(8192);
  });

  it('finds an enduser by email (exact) and caps the list while counting every match', async () => {
    const e = data.endusers[7];
    const r = await insight('resolve', { query: e.email });
    expect(r.status).toBe(200);
    expect(r.body.matches[0]).toMatchObject({
      type: 'enduser',
      _id: e._id,
      match: 'exact',
      field: 'email',
      companyId: e.companyId,
    });

    const letter = data.companies[0].name[0].toLowerCase();
    const all = data.companies.filter((x) => x.name.toLowerCase().startsWith(letter)).length;
    const capped = await insight('resolve', {
      query: data.companies[0].name.slice(0, 2),
      types: 'companies',
      limit: 1,
    });
    expect(capped.body.matches).toHaveLength(1);
    expect(capped.body.count).toBeGreaterThanOrEqual(1);
    expect(all).toBeGreaterThanOrEqual(capped.body.count);
  });

  it('answers no match with an empty list, and bad input with a 400 naming the parameter', async () => {
    const none = await insight('resolve', { query: 'zz-no-such-customer-zz' });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ count: 0, matches: [] });
    for (const [q, field] of [
      [{}, 'query'],
      [{ query: '' }, 'query'],
      [{ query: 'acme', types: 'deals' }, 'types'],
      [{ query: 'acme', limit: 0 }, 'limit'],
      [{ query: 'acme', limit: 'ten' }, 'limit'],
      [{ query: 'acme', bogus: 1 }, 'bogus'],
    ] as const) {
      const r = await insight('resolve', q as Json);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'INVALID_INPUT', details: { field } });
    }
    const twice = await gw.call('GET', `/insights/resolve?${qs({ query: 'a' })}&query=b`);
    expect(twice.status).toBe(400);
  });

  it('needs the API token and an existing integrated account', async () => {
    expect(
      (await gw.call('GET', `/insights/resolve?${qs({ query: 'acme' })}`, undefined, { authorization: 'Bearer nope' }))
        .status,
    ).toBe(401);
    expect(
      (await gw.call('GET', `/insights/resolve?${qs({ query: 'acme' })}`, undefined, { authorization: '' })).status,
    ).toBe(401);
    const mcpToken = await gw.call('POST', '/api-token', { name: 'insights mcp-only', scope: 'mcp' });
    expect(mcpToken.status).toBe(201);
    const refused = await gw.call('GET', `/insights/resolve?${qs({ query: 'acme' })}`, undefined, {
      authorization: `Bearer ${mcpToken.body.token}`,
    });
    expect(refused.status).toBe(403);
    const adminToken = await gw.call('POST', '/api-token', { name: 'insights admin', scope: 'admin' });
    expect(
      (
        await gw.call('GET', `/insights/resolve?${qs({ query: 'acme' })}`, undefined, {
          authorization: `Bearer ${adminToken.body.token}`,
        })
      ).status,
    ).toBe(200);
    const noAcct = await gw.call('GET', '/insights/resolve?query=acme');
    expect(noAcct.status).toBe(400);
    const unknown = await gw.call(
      'GET',
      '/insights/resolve?query=acme&integrated_account_id=00000000-0000-4000-8000-000000000000',
    );
    expect(unknown.status).toBe(404);
  });
});

describe('GET /insights/account_360', () => {
  it('gives core fields and capped, counted sections computed from the sandbox', async () => {
    // the company with the most records across sections
    const weight = (id: string) =>
      ['tickets', 'conversations', 'licenses', 'tasks'].reduce(
        (s, m) => s + data[m].filter((x) => x.companyId === id).length,
        0,
      );
    const c = [...data.companies].sort((a, b) => weight(b._id) - weight(a._id))[0];
    const now = Date.now();
    const r = await insight('account_360', { company: `extid-${c.externalId}`, limit: 2 });
    expect(r.status).toBe(200);
    const owner = data.users.find((u) => u._id === c.owner);
    expect(r.body.company).toMatchObject({
      _id: c._id,
      name: c.name,
      phase: c.phase,
      status: c.status,
      health: c.h,
      mrr: c.mrr,
      arr: c.arr,
      owner: { _id: c.owner, name: `${owner!.firstName} ${owner!.lastName}` },
    });
    expect(r.body.company.renewal_date).toBe(c.renewalDate ? new Date(c.renewalDate).toISOString() : null);

    const mine = (m: string, key = 'companyId') => data[m].filter((x) => x[key] === c._id);
    const openTickets = mine('tickets').filter((t) => ['open', 'pending'].includes(t.status));
    expect(r.body.open_tickets.count).toBe(openTickets.length);
    expect(r.body.open_tickets.items.length).toBe(Math.min(2, openTickets.length));
    const convs = mine('conversations')
      .filter((x) => !x.archived)
      .sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
    expect(r.body.recent_conversations.count).toBe(convs.length);
    expect(r.body.recent_conversations.items.map((x: Json) => x._id)).toEqual(convs.slice(0, 2).map((x) => x._id));
    const active = mine('licenses').filter((l) => Date.parse(l.fromDate) <= now && Date.parse(l.toDate) >= now);
    expect(r.body.active_licenses.count).toBe(active.length);
    const nps = mine('nps', 'cId').sort((a, b) => Date.parse(b.dateAnswered) - Date.parse(a.dateAnswered));
    expect(r.body.nps.count).toBe(nps.length);
    expect(r.body.nps.latest?._id ?? null).toBe(nps[0]?._id ?? null);
    const openTasks = mine('tasks').filter((t) => t.status !== 'done');
    expect(r.body.open_tasks.count).toBe(openTasks.length);
    expect(r.body.open_tasks.items.length).toBe(Math.min(2, openTasks.length));
    // company + owner + five section lists (each fits one page)
    expect(r.body.upstream_calls).toBe(7);
    expect(bytes(r.body)).toBeLessThan(8192);

    const bySrc = await insight('account_360', { company: `srcid-${c.sourceId}` });
    expect(bySrc.body.company._id).toBe(c._id);
    const byId = await insight('account_360', { company: c._id });
    expect(byId.body.company._id).toBe(c._id);
  });

  it('still answers when the owner no longer exists (owner without a name)', async () => {
    const created = await gw.call('POST', `/proxy/companies?${qs({})}`, {
      name: 'Orphan Owner Co',
      owner: 'ffffffffffffffffffffffff',
    });
    expect(created.status).toBe(201);
    const r = await insight('account_360', { company: created.body._id });
    expect(r.status).toBe(200);
    expect(r.body.company.owner).toEqual({ _id: 'ffffffffffffffffffffffff', name: null });
    expect(r.body.open_tickets).toEqual({ count: 0, items: [] });
    expect(r.body.nps).toEqual({ latest: null, count: 0, items: [] });
    expect(r.body.open_tasks.count).toBe(0);
    expect((await gw.call('DELETE', `/proxy/companies/${created.body._id}?${qs({})}`)).status).toBe(200);
  });

  it('is a 404 for an unknown company and a 400 for a bad id or limit', async () => {
    const missing = await insight('account_360', { company: 'extid-NO-SUCH-COMPANY' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('NOT_FOUND');
    expect((await insight('account_360', { company: '..' })).status).toBe(400);
    expect((await insight('account_360', {})).status).toBe(400);
    expect((await insight('account_360', { company: data.companies[0]._id, limit: 26 })).status).toBe(400);
  });
});

describe('GET /insights/upcoming_renewals', () => {
  it('sums companies renewing in the window, grouped by owner', async () => {
    const r = await insight('upcoming_renewals', { days: 120 });
    expect(r.status).toBe(200);
    const from = Date.parse(r.body.window.from);
    const to = Date.parse(r.body.window.to);
    expect(to - from).toBe(120 * DAY);
    const due = data.companies.filter(
      (c) => c.renewalDate && Date.parse(c.renewalDate) >= from && Date.parse(c.renewalDate) <= to,
    );
    expect(due.length).toBeGreaterThan(0);
    expect(r.body.total).toEqual({ count: due.length, mrr: sum(due, (c) => c.mrr), arr: sum(due, (c) => c.arr) });
    const owners = new Set(due.map((c) => c.owner));
    expect(r.body.groups).toHaveLength(owners.size);
    for (const g of r.body.groups) {
      const mine = due.filter((c) => c.owner === g.key);
      expect(g).toMatchObject({ count: mine.length, mrr: sum(mine, (c) => c.mrr), arr: sum(mine, (c) => c.arr) });
      expect(g.renewals.length).toBe(Math.min(5, mine.length));
    }
    expect(r.body.upstream_calls).toBe(2);
    expect(bytes(r.body)).toBeLessThan(8192);
  });

  it('sums licenses renewing in the window, grouped by phase', async () => {
    const r = await insight('upcoming_renewals', { days: 90, source: 'licenses', group_by: 'phase', limit: 1 });
    expect(r.status).toBe(200);
    const from = Date.parse(r.body.window.from);
    const to = Date.parse(r.body.window.to);
    const due = data.licenses.filter(
      (l) => Date.parse(l.renewalDate ?? l.toDate) >= from && Date.parse(l.renewalDate ?? l.toDate) <= to,
    );
    expect(due.length).toBeGreaterThan(0);
    expect(r.body.total).toEqual({ count: due.length, mrr: sum(due, (l) => l.mrr), arr: sum(due, (l) => l.arr) });
    const phaseOf = (l: Json) => data.companies.find((c) => c._id === l.companyId)?.phase ?? '(no phase)';
    for (const g of r.body.groups) {
      const mine = due.filter((l) => phaseOf(l) === g.label);
      expect(g).toMatchObject({ count: mine.length, arr: sum(mine, (l) => l.arr) });
      expect(g.renewals).toHaveLength(1);
    }
    expect(r.body.groups.reduce((s: number, g: Json) => s + g.count, 0)).toBe(due.length);
    // companies and licenses, no users for a phase grouping
    expect(r.body.upstream_calls).toBe(2);
  });

  it('refuses a bad window or grouping', async () => {
    for (const q of [{ days: 0 }, { days: 731 }, { days: '1.5' }, { group_by: 'region' }, { source: 'deals' }]) {
      const r = await insight('upcoming_renewals', q);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('INVALID_INPUT');
    }
  });
});

describe('GET /insights/churn_summary', () => {
  it('sums churn in the period by reason', async () => {
    const r = await insight('churn_summary', {});
    expect(r.status).toBe(200);
    const from = Date.parse(r.body.period.from);
    const to = Date.parse(r.body.period.to);
    expect(to - from).toBe(90 * DAY);
    const rows = data.churn.filter((x) => Date.parse(x.churnDate) >= from && Date.parse(x.churnDate) <= to);
    expect(rows.length).toBeGreaterThan(0);
    expect(r.body.total).toEqual({
      count: rows.length,
      value: sum(rows, (x) => x.value),
      arr: sum(rows, (x) => x.arr),
    });
    const reasons = new Set(rows.flatMap((x) => x.reasons));
    expect(r.body.by_reason.map((g: Json) => g.reason).sort()).toEqual([...reasons].sort());
    for (const g of r.body.by_reason) {
      const mine = rows.filter((x) => x.reasons.includes(g.reason));
      expect(g).toMatchObject({ count: mine.length, value: sum(mine, (x) => x.value) });
    }
    const downgrades = rows.filter((x) => x.onlyDowngrade);
    expect(r.body.downgrades).toEqual({ count: downgrades.length, value: sum(downgrades, (x) => x.value) });
    expect(r.body.largest[0].value).toBe(Math.max(...rows.map((x) => x.value)));
    expect(r.body.upstream_calls).toBe(1);
    expect(bytes(r.body)).toBeLessThan(8192);
  });

  it('takes an explicit period (a bare "to" date covers that whole day) and refuses a bad one', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
    const r = await insight('churn_summary', { from: start, to: today });
    expect(r.status).toBe(200);
    const rows = data.churn.filter((x) => x.churnDate.slice(0, 10) >= start && x.churnDate.slice(0, 10) <= today);
    expect(r.body.total.count).toBe(rows.length);
    for (const q of [{ from: 'yesterday' }, { from: '2026-13-45' }, { from: today, to: start }]) {
      const bad = await insight('churn_summary', q);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('INVALID_INPUT');
    }
  });
});

describe('GET /insights/nps_summary', () => {
  it('computes score, classes and distribution, and the breakdown by a company field', async () => {
    const r = await insight('nps_summary', { segment_field: 'custom.Segment' });
    expect(r.status).toBe(200);
    const from = Date.parse(r.body.period.from);
    const to = Date.parse(r.body.period.to);
    const rows = data.nps.filter((x) => Date.parse(x.dateAnswered) >= from && Date.parse(x.dateAnswered) <= to);
    expect(rows.length).toBeGreaterThan(0);
    const p = rows.filter((x) => x.score >= 9).length;
    const d = rows.filter((x) => x.score <= 6).length;
    expect(r.body).toMatchObject({
      responses: rows.length,
      promoters: p,
      detractors: d,
      passives: rows.length - p - d,
      score: Math.round((100 * (p - d)) / rows.length),
    });
    for (let s = 0; s <= 10; s++) expect(r.body.distribution[s]).toBe(rows.filter((x) => x.score === s).length);
    const segOf = (x: Json) => data.companies.find((c) => c._id === x.cId)?.custom?.Segment ?? '(none)';
    for (const g of r.body.by_segment) {
      const mine = rows.filter((x) => segOf(x) === g.segment);
      const mp = mine.filter((x) => x.score >= 9).length;
      const md = mine.filter((x) => x.score <= 6).length;
      expect(g).toMatchObject({
        responses: mine.length,
        promoters: mp,
        detractors: md,
        score: Math.round((100 * (mp - md)) / mine.length),
      });
    }
    expect(r.body.by_segment.reduce((s: number, g: Json) => s + g.responses, 0)).toBe(rows.length);
    expect(r.body.upstream_calls).toBe(2);
    expect(bytes(r.body)).toBeLessThan(8192);

    const plain = await insight('nps_summary', { from: '2000-01-01' });
    expect(plain.body.responses).toBe(
      data.nps.filter((x) => Date.parse(x.dateAnswered) <= Date.parse(plain.body.period.to)).length,
    );
    expect(plain.body.by_segment).toBeUndefined();
    expect(plain.body.upstream_calls).toBe(1);
  });

  it('refuses a bad segment field or date', async () => {
    for (const q of [{ segment_field: '__proto__.x.y' }, { segment_field: 'a,b' }, { to: 'soon' }]) {
      expect((await insight('nps_summary', q)).status).toBe(400);
    }
  });
});

describe('GET /insights/overdue_invoices', () => {
  it('lists invoices past due with an amount due, with ISO dates from day numbers', async () => {
    const r = await insight('overdue_invoices', { limit: 3 });
    expect(r.status).toBe(200);
    const today = Math.floor(Date.parse(`${r.body.as_of}T00:00:00Z`) / DAY);
    const overdue = data.invoices
      .filter((x) => x.dueDate < today && x.amountDue > 0)
      .sort((a, b) => a.dueDate - b.dueDate);
    expect(overdue.length).toBeGreaterThan(0);
    expect(r.body.total.count).toBe(overdue.length);
    expect(r.body.total.by_currency).toEqual([
      { currency: 'USD', count: overdue.length, amount_due: sum(overdue, (x) => x.amountDue) },
    ]);
    expect(r.body.invoices).toHaveLength(Math.min(3, overdue.length));
    const first = r.body.invoices[0];
    const inv = overdue[0];
    expect(first).toMatchObject({
      _id: inv._id,
      company_id: inv.cId,
      amount_due: inv.amountDue,
      days_overdue: today - inv.dueDate,
    });
    expect(first.due_date).toBe(new Date(inv.dueDate * DAY).toISOString().slice(0, 10));
    expect(first.invoice_date).toBe(new Date(inv.invoiceDate * DAY).toISOString().slice(0, 10));
    expect(r.body.upstream_calls).toBe(1);
    expect(bytes(r.body)).toBeLessThan(8192);
    expect((await insight('overdue_invoices', { limit: 51 })).status).toBe(400);
  });
});

describe('result size', () => {
  it('stays under 8 KB for every insight on the demo tenant even at the largest limits', async () => {
    const heaviest = [...data.companies].sort(
      (a, b) =>
        data.tickets.filter((t) => t.companyId === b._id).length -
        data.tickets.filter((t) => t.companyId === a._id).length,
    )[0];
    for (const [name, q] of [
      ['resolve', { query: 'e', limit: 25 }],
      ['account_360', { company: heaviest._id, limit: 25 }],
      ['upcoming_renewals', { days: 730, source: 'licenses', limit: 25 }],
      ['upcoming_renewals', { days: 730, group_by: 'phase', limit: 25 }],
      ['churn_summary', { from: '2000-01-01', limit: 25 }],
      ['nps_summary', { from: '2000-01-01', segment_field: 'city' }],
      ['overdue_invoices', { limit: 50 }],
    ] as const) {
      const r = await insight(name, q);
      expect([name, r.status]).toEqual([name, 200]);
      expect([name, Buffer.byteLength(r.text) < 8192]).toEqual([name, true]);
    }
    // 72 licenses renew within two years: the list is shortened to fit, the totals still cover all
    const big = await insight('upcoming_renewals', { days: 730, source: 'licenses', limit: 25 });
    const listed = big.body.groups.reduce((s: number, g: Json) => s + g.renewals.length, 0);
    expect(big.body.trimmed).toBe(true);
    expect(listed).toBeLessThan(Math.min(big.body.total.count, 25 * big.body.groups.length));
    expect(big.body.groups.reduce((s: number, g: Json) => s + g.count, 0)).toBe(big.body.total.count);
  });
});

describe('Swagger', () => {
  it('documents every insight route with its query parameters', async () => {
    const doc = await gw.call('GET', '/docs-json');
    expect(doc.status).toBe(200);
    const spec = doc.body;
    for (const name of [
      'resolve',
      'account_360',
      'upcoming_renewals',
      'churn_summary',
      'nps_summary',
      'overdue_invoices',
    ]) {
      const op = spec.paths[`/insights/${name}`]?.get;
      expect(op).toBeDefined();
      expect(op.parameters.map((p: Json) => p.name)).toContain('integrated_account_id');
    }
    expect(spec.paths['/insights/resolve'].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['query', 'types', 'limit']),
    );
  });
});
