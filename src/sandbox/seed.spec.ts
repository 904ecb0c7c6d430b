import { allModels, findModel } from '../planhat/catalog';
import { DAY_MS } from './prng';
import { SandboxStore } from './store';

const NOW = Date.UTC(2026, 4, 20, 12, 0, 0); // 2026-05-20T12:00Z
const model = (k: string) => findModel(k)!;

function seeded(n = 60, now = NOW) {
  return new SandboxStore({ seedCompanies: n, now: () => now }).tenant('t');
}

describe('sandbox seed', () => {
  it('is deterministic for the same seedCompanies and clock', () => {
    const a = seeded();
    const b = seeded();
    for (const m of allModels()) {
      expect(a.list(m, { limit: '5000' })).toEqual(b.list(m, { limit: '5000' }));
    }
    const c = seeded(61);
    expect(c.list(model('companies'), { limit: '3' })).not.toEqual(a.list(model('companies'), { limit: '3' }));
  });

  it('generates 24-hex ObjectIds ascending in insertion order', () => {
    const t = seeded();
    for (const m of allModels()) {
      const ids = t.list(m, { limit: '5000' }).map((r) => r._id as string);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('scales counts with seedCompanies', () => {
    const s = seeded(100).stats().counts;
    expect(s.companies).toBe(100);
    expect(s.endusers).toBe(300);
    expect(s.users).toBe(10);
    expect(s.licenses).toBe(120);
    expect(s.invoices).toBe(200);
    expect(s.churn).toBe(15);
    expect(s.nps).toBe(100);
    expect(s.opportunities).toBe(50);
    expect(s.tasks).toBe(200);
    expect(s.tickets).toBe(100);
    expect(s.issues).toBe(20);
    expect(s.conversations).toBe(300); // 200 conversations + the 100 tickets (conversations of type ticket)
    expect(s.timesheets).toBe(40);
    expect(s.workflows).toBe(30);
    expect(s.custom_fields).toBeGreaterThanOrEqual(12);
    expect(seeded(0).stats().counts.companies).toBe(0);
  });

  it('keeps every relation consistent', () => {
    const t = seeded(80);
    const all = (k: string) => t.list(model(k), { limit: '5000' }).concat(); // includes archived? no: see below
    const companyIds = new Set(t.collection('companies').items.map((c) => c._id));
    const userIds = new Set(t.collection('users').items.map((u) => u._id));
    const enduserIds = new Set(t.collection('endusers').items.map((u) => u._id));
    const names = new Map(t.collection('companies').items.map((c) => [c._id, c.name]));
    for (const m of allModels()) {
      if (!m.companyRef) continue;
      for (const r of t.collection(m.key === 'leancompanies' ? 'companies' : m.key).items) {
        if (m.key === 'leancompanies') continue;
        const v = r[m.companyRef];
        if (Array.isArray(v)) for (const x of v) expect(companyIds.has(x)).toBe(true);
        else expect(companyIds.has(v)).toBe(true);
        if (m.companyNameField && !Array.isArray(v)) expect(r[m.companyNameField]).toBe(names.get(v));
      }
    }
    for (const c of t.collection('companies').items) expect(userIds.has(c.owner)).toBe(true);
    for (const r of t.collection('nps').items) expect(enduserIds.has(r.euId)).toBe(true);
    for (const r of t.collection('timesheets').items) expect(userIds.has(r.assignedId)).toBe(true);
    for (const k of ['opportunities', 'assets', 'workspaces', 'tasks']) {
      for (const r of t.collection(k).items) expect(userIds.has(r.ownerId)).toBe(true);
    }
    expect(all('companies').length).toBe(80);
  });

  it('uses custom keys that have custom field definitions', () => {
    const t = seeded();
    const defs = t.collection('custom_fields').items;
    for (const [key, parent] of [
      ['companies', 'Company'],
      ['endusers', 'EndUser'],
      ['licenses', 'License'],
      ['projects', 'Project'],
    ]) {
      const names = new Set(defs.filter((d) => d.parent === parent).map((d) => d.name));
      expect(names.size).toBeGreaterThan(0);
      for (const r of t.collection(key).items) {
        for (const k of Object.keys(r.custom as object)) expect(names.has(k)).toBe(true);
      }
    }
  });

  it('has realistic values (types pass the catalog, enums respected)', () => {
    const t = seeded();
    const phases = new Set(t.collection('companies').items.map((c) => c.phase));
    for (const p of ['Onboarding', 'Adoption', 'Churned']) expect(phases.has(p)).toBe(true);
    for (const r of t.collection('nps').items) expect(r.score).toEqual(expect.any(Number));
    for (const r of t.collection('nps').items) expect((r.score as number) >= 0 && (r.score as number) <= 10).toBe(true);
    for (const r of t.collection('invoices').items) {
      expect(Number.isInteger(r.invoiceDate)).toBe(true);
      expect(Number.isInteger(r.dueDate)).toBe(true);
    }
    for (const r of t.collection('time_entries').items)
      expect((r.hours as number) >= 0.5 && (r.hours as number) <= 8).toBe(true);
    for (const r of t.collection('endusers').items) {
      const c = t.collection('companies').byId.get(r.companyId as string)!;
      expect((r.email as string).endsWith(`@${(c.domains as string[])[0]}`)).toBe(true);
    }
    expect(t.collection('companies').items[0].externalId).toMatch(/^[A-Z]{4}-0001$/);
    for (const c of t.collection('companies').items) {
      const churned = t.collection('churn').items.filter((x) => x.companyId === c._id);
      if (churned.length) expect(['lost', 'canceled']).toContain(c.status);
    }
  });

  it('answers the demo workflows', () => {
    const t = seeded();
    const now = NOW;
    const monthStart = Date.UTC(2026, 4, 1);
    // Churn triage: recent churn, with projects of those companies.
    const recentChurn = t
      .collection('churn')
      .items.filter((c) => Date.parse(c.churnDate as string) > now - 30 * DAY_MS);
    expect(recentChurn.length).toBeGreaterThan(0);
    const projectCompanies = new Set(t.collection('projects').items.map((p) => p.companyId));
    expect(recentChurn.some((c) => projectCompanies.has(c.companyId))).toBe(true);
    // Win-back: Budget Constraints this month.
    expect(
      t
        .collection('churn')
        .items.filter(
          (c) =>
            (c.reasons as string[]).includes('Budget Constraints') &&
            Date.parse(c.churnDate as string) >= monthStart &&
            Date.parse(c.churnDate as string) <= now,
        ).length,
    ).toBeGreaterThan(0);
    // NPS promoters in the last 7 days, scores 9 and 10.
    const promoters = t
      .collection('nps')
      .items.filter((r) => (r.score as number) >= 9 && Date.parse(r.dateAnswered as string) > now - 7 * DAY_MS);
    expect(new Set(promoters.map((p) => p.score))).toEqual(new Set([9, 10]));
    for (const p of promoters) expect(t.collection('companies').byId.has(p.cId as string)).toBe(true);
    // Renewal audit: a company with an overdue invoice and a license renewing within 90 days.
    const today = Math.floor(now / DAY_MS);
    const overdue = new Set(
      t
        .collection('invoices')
        .items.filter((i) => i.status === 'overdue' && (i.dueDate as number) < today)
        .map((i) => i.cId),
    );
    const renewing = new Set(
      t
        .collection('licenses')
        .items.filter((l) => {
          const d = Date.parse(l.toDate as string);
          return d > now && d <= now + 90 * DAY_MS;
        })
        .map((l) => l.companyId),
    );
    expect([...overdue].filter((c) => renewing.has(c)).length).toBeGreaterThan(0);
    // Onboarding projects active.
    expect(
      t.collection('projects').items.some((p) => p.status === 'active' && (p.name as string).endsWith('Onboarding')),
    ).toBe(true);
  });

  // How fast seeding and paging are is measured by `npm run bench` (its 100k-company paging
  // scenario), not by wall-clock assertions here: those failed on a loaded machine (13-17 s).
  it('seeds 100k companies and lists any page of them by offset, in insertion order', () => {
    const t = seeded(100_000);
    const all = t.list(model('companies'), { limit: '5000', offset: '0' });
    expect(all).toHaveLength(5000);
    const last = t.list(model('companies'), { limit: '5000', offset: '95000' });
    expect(last).toHaveLength(5000);
    expect(t.list(model('companies'), { limit: '5000', offset: '100000' })).toHaveLength(0);
    const ids = [...all, ...last].map((c) => String(c._id));
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
    for (let i = 0; i < 20; i++) {
      const page = t.list(model('companies'), { limit: '100', offset: String(i * 4000) });
      expect(page).toHaveLength(100);
      if (i === 0) expect(page.map((c) => c._id)).toEqual(all.slice(0, 100).map((c) => c._id));
    }
  });
});
