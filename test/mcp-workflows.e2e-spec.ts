import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { TestApp } from './support/test-app';
import { closeClients, connect, createServer, ok, proxyAll, startMcpApp, type Json } from './mcp-helpers';

/**
 * The seed documents' workflows (000: churn triage, NPS promoter upsell; 001: renewal audit,
 * win-back) as the tool-call sequences an agent would make, against the embedded sandbox, on a
 * server configured like the seed's example (read + write, CS tags).
 */
const DAY_MS = 86_400_000;
let t: TestApp;
let accountId: string;
let url: string;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  ({ url } = await createServer(t, accountId, {
    methods: ['read', 'write'],
    tags: ['crm', 'success', 'finance', 'projects'],
  }));
});

afterEach(async () => {
  await closeClients();
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

/** Every page of a list tool, following next_cursor. */
async function listAll(client: Client, tool: string, args: Json = {}): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await ok(client, tool, { ...args, limit: 500, ...(cursor ? { next_cursor: cursor } : {}) });
    out.push(...page.result);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

it('churn triage: recent churn, then the projects of those companies', async () => {
  const client = await connect(url);
  const churn = (await ok(client, 'list_all_planhat_churn', { sort: '-churnDate', limit: 5 })).result as Json[];
  expect(churn).toHaveLength(5);
  for (let i = 1; i < churn.length; i++)
    expect(Date.parse(churn[i - 1].churnDate) >= Date.parse(churn[i].churnDate)).toBe(true);
  const companyIds = [...new Set(churn.map((c) => c.companyId as string))];
  const projects = await listAll(client, 'list_all_planhat_projects', { companyId: companyIds.join(',') });
  expect(projects.length).toBeGreaterThan(0);
  for (const p of projects) expect(companyIds).toContain(p.companyId);
  const valueLost = churn
    .filter((c) => projects.some((p) => p.companyId === c.companyId))
    .reduce((s, c) => s + (Number(c.value) || 0), 0);
  expect(valueLost).toBeGreaterThanOrEqual(0);
});

it('NPS promoter upsell: scores ≥9 from the last 7 days → company → Advocacy Upsell opportunity', async () => {
  const client = await connect(url, { sse: true });
  const nps = await listAll(client, 'list_all_planhat_nps', { sort: '-dateAnswered' });
  const weekAgo = Date.now() - 7 * DAY_MS;
  const promoters = nps.filter((r) => r.score >= 9 && r.dateAnswered && Date.parse(r.dateAnswered) > weekAgo);
  expect(promoters.length).toBeGreaterThan(0);
  const companyIds = [...new Set(promoters.map((p) => p.cId as string))];
  const created: string[] = [];
  for (const cId of companyIds) {
    const company = await ok(client, 'get_single_planhat_company_by_id', { id: cId });
    expect(company._id).toBe(cId);
    const opp = await ok(client, 'create_a_planhat_opportunity', {
      companyId: cId,
      title: 'Advocacy Upsell',
      mrr: 500,
      salesStage: 'Discovery',
    });
    expect(opp).toMatchObject({ companyId: cId, title: 'Advocacy Upsell', mrr: 500, salesStage: 'Discovery' });
    created.push(opp._id);
  }
  const opps = await proxyAll(t, accountId, 'opportunities');
  for (const id of created) {
    expect(opps.find((o) => o._id === id)).toMatchObject({
      title: 'Advocacy Upsell',
      mrr: 500,
      salesStage: 'Discovery',
    });
  }
});

it('renewal audit: company by name → overdue invoices by cId → licenses renewing within 90 days', async () => {
  const client = await connect(url);
  // Pick a company known to the sandbox with an overdue invoice, then start from its *name* like the agent would.
  const overdue = (await proxyAll(t, accountId, 'invoices')).filter((i) => i.status === 'overdue');
  const licenses = await proxyAll(t, accountId, 'licenses');
  const soon = (l: Json) => Date.parse(l.toDate) > Date.now() && Date.parse(l.toDate) <= Date.now() + 90 * DAY_MS;
  const target = overdue.map((i) => i.cId).find((c) => licenses.some((l) => l.companyId === c && soon(l)));
  expect(target).toBeDefined();
  const name = (await proxyAll(t, accountId, 'companies')).find((c) => c._id === target)!.name as string;

  const companies = await listAll(client, 'list_all_planhat_companies', { select: 'name' });
  const company = companies.find((c) => c.name === name)!;
  expect(company._id).toBe(target);
  const invoices = await listAll(client, 'list_all_planhat_invoices', { cId: company._id });
  expect(invoices.length).toBeGreaterThan(0);
  for (const i of invoices) expect(i.cId).toBe(company._id);
  expect(invoices.filter((i) => i.status === 'overdue').length).toBeGreaterThan(0);
  const theirLicenses = await listAll(client, 'list_all_planhat_licenses', { companyId: company._id });
  for (const l of theirLicenses) expect(l.companyId).toBe(company._id);
  const renewing = theirLicenses.filter(soon);
  expect(renewing.length).toBeGreaterThan(0);
  expect(renewing[0].product).toEqual(expect.any(String));
});

it('win-back: Budget Constraints churn this month → company status lost → Nurture opportunity', async () => {
  const client = await connect(url);
  const churn = await listAll(client, 'list_all_planhat_churn', { sort: '-churnDate' });
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const budget = churn.filter(
    (c) => (c.reasons as string[] | undefined)?.includes('Budget Constraints') && Date.parse(c.churnDate) >= monthStart,
  );
  expect(budget.length).toBeGreaterThan(0);
  const nextQuarter = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3 + 3, 15))
    .toISOString()
    .slice(0, 10);
  const companyIds = [...new Set(budget.map((c) => c.companyId as string))];
  for (const companyId of companyIds) {
    const updated = await ok(client, 'update_a_planhat_company_by_id', { id: companyId, status: 'lost' });
    expect(updated.status).toBe('lost');
    const opp = await ok(client, 'create_a_planhat_opportunity', {
      companyId,
      title: 'Win-back',
      salesStage: 'Nurture',
      dealDate: nextQuarter,
    });
    expect(opp).toMatchObject({ companyId, salesStage: 'Nurture' });
  }
  const companies = await proxyAll(t, accountId, 'companies');
  for (const id of companyIds) expect(companies.find((c) => c._id === id)!.status).toBe('lost');
  const opps = await proxyAll(t, accountId, 'opportunities');
  for (const id of companyIds)
    expect(opps.some((o) => o.companyId === id && o.salesStage === 'Nurture' && o.title === 'Win-back')).toBe(true);
});
