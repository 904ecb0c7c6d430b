import type { TestApp } from '../src/admin/testing/admin-test-app';
import { api, closeClients, connect, createServer, ok, proxyAll, startMcpApp, type Json } from './mcp-helpers';

/**
 * Planhat endpoints the gateway lacked: POST /timeentries/duplicate through the proxy, metrics
 * (GET /dimensiondata with its filters) through the proxy and MCP, and MCP tools for lean companies,
 * workspaces and workflows (catalog entries that had no tools), all against the embedded sandbox.
 */

let t: TestApp;
let accountId: string;
const q = (extra = '') => `integrated_account_id=${accountId}${extra}`;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('POST /proxy/time_entries/duplicate', () => {
  it('copies the given time entries (new ids, same values) and answers {result}', async () => {
    const companyId = (await proxyAll(t, accountId, 'companies'))[0]._id as string;
    const a = await api(t, 'POST', `/proxy/time_entries?${q()}`, { date: '2026-02-02T00:00:00.000Z', hours: 2.5, companyId, description: 'Workshop prep' });
    const b = await api(t, 'POST', `/proxy/time_entries?${q()}`, { date: '2026-02-03T00:00:00.000Z', hours: 1, companyId, description: 'Follow-up' });
    expect([a.status, b.status]).toEqual([201, 201]);
    const before = (await proxyAll(t, accountId, 'time_entries')).length;
    const dup = await api(t, 'POST', `/proxy/time_entries/duplicate?${q()}`, { ids: [a.body._id, b.body._id] });
    expect(dup.status).toBe(201);
    expect(dup.body.result).toHaveLength(2);
    expect(dup.body.result.map((r: Json) => [r.hours, r.description, r.date, r.companyId])).toEqual([
      [2.5, 'Workshop prep', '2026-02-02T00:00:00.000Z', companyId],
      [1, 'Follow-up', '2026-02-03T00:00:00.000Z', companyId],
    ]);
    expect(dup.body.result.map((r: Json) => r._id)).not.toContain(a.body._id);
    const after = await proxyAll(t, accountId, 'time_entries');
    expect(after.length).toBe(before + 2);
    const copy = await api(t, 'GET', `/proxy/time_entries/${dup.body.result[0]._id}?${q()}`);
    expect(copy.body).toMatchObject({ hours: 2.5, description: 'Workshop prep' });
  });

  it('refuses other models (405), an empty or malformed body (400) and bad ids (400) before Planhat', async () => {
    const entry = (await proxyAll(t, accountId, 'time_entries'))[0]._id;
    expect((await api(t, 'POST', `/proxy/companies/duplicate?${q()}`, { ids: ['x'] })).status).toBe(405);
    for (const body of [{}, { ids: [] }, { ids: 'abc' }, { ids: [1] }, { ids: [entry], extra: true }, { ids: ['..'] }]) {
      const r = await api(t, 'POST', `/proxy/time_entries/duplicate?${q()}`, body);
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), 400]);
    }
    const missing = await api(t, 'POST', `/proxy/time_entries/duplicate?${q()}`, { ids: ['000000000000000000000000'] });
    expect(missing.status).toBe(404);
  });
});

describe('metrics: GET /dimensiondata', () => {
  it('lists metric values with cId, dimid, from and to (days since 1970-01-01)', async () => {
    const all = await proxyAll(t, accountId, 'dimension_data');
    expect(all.length).toBeGreaterThan(0);
    const { cId, day } = all[5];
    const r = await api(t, 'GET', `/proxy/dimension_data?${q(`&cId=${cId}&dimid=activeUsers&from=${day - 3}&to=${day}&limit=100`)}`);
    expect(r.status).toBe(200);
    const expected = all.filter((v) => v.cId === cId && v.dimensionId === 'activeUsers' && v.day >= day - 3 && v.day <= day);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.body.result.map((v: Json) => [v._id, v.value, v.day])).toEqual(expected.map((v) => [v._id, v.value, v.day]));
    expect((await api(t, 'GET', `/proxy/dimension_data?${q('&from=yesterday')}`)).status).toBe(400);
    expect((await api(t, 'POST', `/proxy/dimension_data?${q()}`, { value: 1 })).status).toBe(405);
  });
});

describe('MCP tools for lean companies, workspaces, workflows and metrics', () => {
  it('are listed and callable, and perform_model_action knows the workspaces route', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    const names = (await client.listTools()).tools.map((x) => x.name);
    for (const n of ['list_all_planhat_leancompanies', 'list_all_planhat_workspaces', 'get_single_planhat_workspace_by_id', 'create_a_planhat_workspace', 'list_all_planhat_workflows', 'list_all_planhat_dimension_data']) {
      expect(names).toContain(n);
    }
    const workspaces = await proxyAll(t, accountId, 'workspaces');
    const listed = await ok(client, 'list_all_planhat_workspaces', { limit: 3 });
    expect(listed.result.map((w: Json) => w._id)).toEqual(workspaces.slice(0, 3).map((w) => w._id));
    const one = await ok(client, 'get_single_planhat_workspace_by_id', { id: workspaces[1]._id });
    expect(one).toMatchObject({ _id: workspaces[1]._id, name: workspaces[1].name, companyId: workspaces[1].companyId });
    const lean = await ok(client, 'list_all_planhat_leancompanies', { limit: 2 });
    expect(lean.result.map((c: Json) => c._id)).toEqual((await proxyAll(t, accountId, 'companies')).slice(0, 2).map((c) => c._id));
    const metrics = await ok(client, 'list_all_planhat_dimension_data', { dimid: 'logins', limit: 5 });
    expect(metrics.result).toHaveLength(5);
    for (const m of metrics.result) expect(m.dimensionId).toBe('logins');

    const actions = await connect((await createServer(t, accountId, { tool_exposure: 'model_actions' })).url);
    const viaRoute = await ok(actions, 'perform_model_action', { MODEL_ROUTE: 'Workspaces', OPERATION: 'list', PARAMETERS: '{"limit": 2}' });
    expect(viaRoute.result.map((w: Json) => w._id)).toEqual(workspaces.slice(0, 2).map((w) => w._id));
    const workflows = await ok(actions, 'perform_model_action', { MODEL_ROUTE: 'workflows', OPERATION: 'list', PARAMETERS: '{"limit": 1}' });
    expect(workflows.result).toHaveLength(1);
  });
});
