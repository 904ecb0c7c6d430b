import { TEST_ADMIN_KEY as ADMIN, type TestApp } from './support/test-app';
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
    const a = await api(t, 'POST', `/proxy/time_entries?${q()}`, {
      date: '2026-02-02T00:00:00.000Z',
      hours: 2.5,
      companyId,
      description: 'Workshop prep',
    });
    const b = await api(t, 'POST', `/proxy/time_entries?${q()}`, {
      date: '2026-02-03T00:00:00.000Z',
      hours: 1,
      companyId,
      description: 'Follow-up',
    });
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
    for (const body of [
      {},
      { ids: [] },
      { ids: 'abc' },
      { ids: [1] },
      { ids: [entry], extra: true },
      { ids: ['..'] },
    ]) {
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
    const r = await api(
      t,
      'GET',
      `/proxy/dimension_data?${q(`&cId=${cId}&dimid=activeUsers&from=${day - 3}&to=${day}&limit=100`)}`,
    );
    expect(r.status).toBe(200);
    const expected = all.filter(
      (v) => v.cId === cId && v.dimensionId === 'activeUsers' && v.day >= day - 3 && v.day <= day,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(r.body.result.map((v: Json) => [v._id, v.value, v.day])).toEqual(
      expected.map((v) => [v._id, v.value, v.day]),
    );
    expect((await api(t, 'GET', `/proxy/dimension_data?${q('&from=yesterday')}`)).status).toBe(400);
    expect((await api(t, 'POST', `/proxy/dimension_data?${q()}`, { value: 1 })).status).toBe(405);
  });
});

describe('MCP tools for lean companies, workspaces, workflows and metrics', () => {
  it('are listed and callable, and perform_model_action knows the workspaces route', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    const names = (await client.listTools()).tools.map((x) => x.name);
    for (const n of [
      'list_all_planhat_leancompanies',
      'list_all_planhat_workspaces',
      'get_single_planhat_workspace_by_id',
      'create_a_planhat_workspace',
      'list_all_planhat_workflows',
      'list_all_planhat_dimension_data',
    ]) {
      expect(names).toContain(n);
    }
    const workspaces = await proxyAll(t, accountId, 'workspaces');
    const listed = await ok(client, 'list_all_planhat_workspaces', { limit: 3 });
    expect(listed.result.map((w: Json) => w._id)).toEqual(workspaces.slice(0, 3).map((w) => w._id));
    const one = await ok(client, 'get_single_planhat_workspace_by_id', { id: workspaces[1]._id });
    expect(one).toMatchObject({ _id: workspaces[1]._id, name: workspaces[1].name, companyId: workspaces[1].companyId });
    const lean = await ok(client, 'list_all_planhat_leancompanies', { limit: 2 });
    expect(lean.result.map((c: Json) => c._id)).toEqual(
      (await proxyAll(t, accountId, 'companies')).slice(0, 2).map((c) => c._id),
    );
    const metrics = await ok(client, 'list_all_planhat_dimension_data', { dimid: 'logins', limit: 5 });
    expect(metrics.result).toHaveLength(5);
    for (const m of metrics.result) expect(m.dimensionId).toBe('logins');

    const actions = await connect((await createServer(t, accountId, { tool_exposure: 'model_actions' })).url);
    const viaRoute = await ok(actions, 'perform_model_action', {
      MODEL_ROUTE: 'Workspaces',
      OPERATION: 'list',
      PARAMETERS: '{"limit": 2}',
    });
    expect(viaRoute.result.map((w: Json) => w._id)).toEqual(workspaces.slice(0, 2).map((w) => w._id));
    const workflows = await ok(actions, 'perform_model_action', {
      MODEL_ROUTE: 'workflows',
      OPERATION: 'list',
      PARAMETERS: '{"limit": 1}',
    });
    expect(workflows.result).toHaveLength(1);
  });
});

describe("Planhat's analytics host: user activities and metric pushes (emulated by the sandbox)", () => {
  it('track, bulk and segment set the enduser lastActive; a wrong tenant token processes nothing', async () => {
    const eus = await proxyAll(t, accountId, 'endusers');
    const [a, b, c] = [eus[0], eus[1], eus.find((e, i) => i > 1 && e.externalId)!];
    const one = await api(t, 'POST', `/proxy/user_activities/track?${q()}`, {
      email: a.email,
      action: 'Logged in',
      date: '2026-01-20T10:00:00.000Z',
    });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ processed: 1, errors: [] });
    expect((await api(t, 'GET', `/proxy/endusers/${a._id}?${q()}`)).body.lastActive).toBe('2026-01-20T10:00:00.000Z');

    const bulk = await api(t, 'POST', `/proxy/user_activities/bulk?${q()}`, [
      { email: b.email, action: 'Exported', date: '2026-01-21T00:00:00.000Z' },
      { email: 'nobody@nowhere.example', action: 'Exported' },
    ]);
    expect(bulk.body).toEqual({ processed: 1, errors: ['Item 1: no enduser with that email or externalId'] });
    expect((await api(t, 'GET', `/proxy/endusers/${b._id}?${q()}`)).body.lastActive).toBe('2026-01-21T00:00:00.000Z');

    const segment = await api(t, 'POST', `/proxy/user_activities/segment?${q()}`, {
      type: 'track',
      event: 'Viewed report',
      userId: c.externalId,
      timestamp: '2026-01-22T08:30:00.000Z',
    });
    expect(segment.body).toEqual({ processed: 1, errors: [] });
    expect((await api(t, 'GET', `/proxy/endusers/${c._id}?${q()}`)).body.lastActive).toBe('2026-01-22T08:30:00.000Z');

    const wrongTenant = await fetch(`${t.url}/proxy/user_activities/track?${q()}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'x-planhat-tenant-token': '00000000-0000-4000-a000-000000000000',
      },
      body: JSON.stringify({ email: a.email, date: '2030-01-01T00:00:00.000Z' }),
    });
    expect(wrongTenant.status).toBe(200);
    expect(await wrongTenant.json()).toEqual({ processed: 0, errors: ['Unknown tenant token'] });
    expect((await api(t, 'GET', `/proxy/endusers/${a._id}?${q()}`)).body.lastActive).toBe('2026-01-20T10:00:00.000Z');
  });

  it('metric pushes are stored as dimension data of the company named by externalId and read back with GET /dimensiondata', async () => {
    const company = (await proxyAll(t, accountId, 'companies'))[7];
    const push = await api(t, 'POST', `/proxy/dimension_data/push?${q()}`, [
      { dimensionId: 'featureAdoption', value: 42, externalId: company.externalId, date: '2026-01-15T00:00:00.000Z' },
      { dimensionId: 'featureAdoption', value: 47.5, externalId: company.externalId, date: '2026-01-16T00:00:00.000Z' },
      { dimensionId: 'featureAdoption', value: 1, externalId: 'NO-SUCH-COMPANY' },
    ]);
    expect(push.status).toBe(200);
    expect(push.body).toEqual({ processed: 2, errors: ['Item 2: no company with that externalId'] });
    const day = Math.floor(Date.parse('2026-01-15T00:00:00.000Z') / 86_400_000);
    const read = await api(
      t,
      'GET',
      `/proxy/dimension_data?${q(`&cId=${company._id}&dimid=featureAdoption&from=${day}&to=${day + 1}`)}`,
    );
    expect(read.body.result.map((v: Json) => [v.value, v.day, v.cId, v.companyName])).toEqual([
      [42, day, company._id, company.name],
      [47.5, day + 1, company._id, company.name],
    ]);
    const single = await api(t, 'POST', `/proxy/dimension_data/push?${q()}`, {
      dimensionId: 'featureAdoption',
      value: 3,
      externalId: company.externalId,
    });
    expect(single.body).toEqual({ processed: 1, errors: [] });
  });

  it('bad bodies are a 400 before anything is sent; an unknown action is a 404', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['user_activities/track', { action: 'x' }, /email or externalId/],
      ['user_activities/track', [{ email: 'a@b.c' }], /one JSON object/],
      ['user_activities/bulk', { email: 'a@b.c' }, /array/],
      ['user_activities/bulk', [{ email: 'a@b.c', date: 'someday' }], /Item 0: date/],
      ['user_activities/segment', { foo: 1 }, /type or event/],
      ['dimension_data/push', { dimensionId: 'x' }, /value is required/],
      ['dimension_data/push', [{ value: 1 }], /Item 0: dimensionId/],
      ['dimension_data/push', [], /no items/],
    ];
    for (const [path, body, message] of cases) {
      const r = await api(t, 'POST', `/proxy/${path}?${q()}`, body);
      expect([path, r.status, r.body.message]).toEqual([path, 400, expect.stringMatching(message)]);
    }
    expect((await api(t, 'POST', `/proxy/user_activities/explode?${q()}`, { email: 'a@b.c' })).status).toBe(404);
  });

  it('a non-sandbox account needs the X-Planhat-Tenant-Token header (400 without, or malformed), before any network call', async () => {
    const acct = await api(t, 'POST', '/integrated-account', {
      name: 'prod-analytics',
      environment: 'production',
      api_token: 'pat_test_token_not_used',
    });
    expect(acct.status).toBe(201);
    const missing = await api(t, 'POST', `/proxy/dimension_data/push?integrated_account_id=${acct.body.id}`, {
      dimensionId: 'x',
      value: 1,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/Missing header x-planhat-tenant-token/);
    const res = await fetch(`${t.url}/proxy/user_activities/track?integrated_account_id=${acct.body.id}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'x-planhat-tenant-token': 'not a token!',
      },
      body: JSON.stringify({ email: 'a@b.c' }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/not a tenant token/);
    expect(text).not.toContain('not a token!');
  });
});

describe('sandbox fidelity: a ticket links its requester like Planhat', () => {
  it('matches the enduser by email (and takes its company), or creates one in the company whose domain the email has', async () => {
    const eu = (await proxyAll(t, accountId, 'endusers')).find((e) => e.email && e.companyId)!;
    const first = await api(t, 'POST', `/proxy/tickets/bulk_upsert?${q()}`, [
      { sourceId: 'FID-1', email: eu.email, title: 'Known requester' },
    ]);
    expect(first.status).toBe(200);
    const known = await api(t, 'GET', `/proxy/tickets/${first.body.result.upsertedIds[0]}?${q()}`);
    expect(known.body).toMatchObject({ companyId: eu.companyId, endusers: [eu._id], email: eu.email });

    const company = (await proxyAll(t, accountId, 'companies')).find(
      (c) => Array.isArray(c.domains) && c.domains.length > 0,
    )!;
    const before = (await proxyAll(t, accountId, 'endusers')).length;
    const email = `new.requester@${company.domains[0]}`;
    const second = await api(t, 'POST', `/proxy/tickets/bulk_upsert?${q()}`, [
      { sourceId: 'FID-2', email, title: 'New requester' },
    ]);
    expect(second.body.result.created).toBe(1);
    const created = await api(t, 'GET', `/proxy/tickets/${second.body.result.upsertedIds[0]}?${q()}`);
    expect(created.body.companyId).toBe(company._id);
    const endusers = await proxyAll(t, accountId, 'endusers');
    expect(endusers.length).toBe(before + 1);
    const newEu = endusers.find((e) => e.email === email)!;
    expect(newEu).toMatchObject({ companyId: company._id });
    expect(created.body.endusers).toEqual([newEu._id]);
    // The unified ticket names the requester and its creator.
    const unified = await api(
      t,
      'GET',
      `/unified/ticketing/tickets/${created.body._id}?${q('&truto_ignore_remote_data=true')}`,
    );
    expect(unified.body).toMatchObject({
      contact: { id: newEu._id, email },
      created_by: { id: newEu._id, type: 'contact' },
      account: { id: company._id },
    });

    // An email at an unknown domain with no company is dropped by validation, as before (206 naming companyId).
    const orphan = await api(t, 'POST', `/proxy/tickets/bulk_upsert?${q()}`, [
      { sourceId: 'FID-3', email: 'x@unknown-domain.example', title: 'Orphan' },
    ]);
    expect(orphan.status).toBe(206);
    expect(orphan.body.result.createdErrors[0]).toMatch(/companyId/);
  });
});

describe('sandbox fidelity: tickets are conversations of type ticket (one store)', () => {
  it('GET /conversations returns the tickets; /tickets only them; a note is no ticket', async () => {
    const tickets = await proxyAll(t, accountId, 'tickets');
    const conversations = await proxyAll(t, accountId, 'conversations');
    expect(tickets.length).toBeGreaterThan(0);
    for (const tk of tickets) expect(tk.type).toBe('ticket');
    const asConversations = conversations.filter((c) => c.type === 'ticket');
    expect(asConversations.map((c) => c._id).sort()).toEqual(tickets.map((tk) => tk._id).sort());
    const viaConversation = await api(t, 'GET', `/proxy/conversations/${tickets[0]._id}?${q()}`);
    expect(viaConversation.body).toMatchObject({ _id: tickets[0]._id, type: 'ticket', title: tickets[0].title });
    const filtered = await api(t, 'GET', `/proxy/conversations?${q('&type=ticket&limit=2000')}`);
    expect(filtered.body.result.length).toBe(tickets.length);
    const note = conversations.find((c) => c.type === 'note')!;
    expect((await api(t, 'GET', `/proxy/tickets/${note._id}?${q()}`)).status).toBe(404);
    expect((await api(t, 'DELETE', `/proxy/tickets/${note._id}?${q()}`)).status).toBe(404);
    // A ticket written through /tickets is in the conversations too.
    const up = await api(t, 'POST', `/proxy/tickets/bulk_upsert?${q()}`, [
      { sourceId: 'ONE-STORE-1', email: tickets[0].email, title: 'One store', companyId: tickets[0].companyId },
    ]);
    const id = up.body.result.upsertedIds[0];
    expect((await api(t, 'GET', `/proxy/conversations/${id}?${q()}`)).body).toMatchObject({
      type: 'ticket',
      title: 'One store',
    });
    // Unified: the engagement of a ticket says so; the ticket has no helpdesk ticket_type.
    const eng = await api(t, 'GET', `/unified/crm/engagements/${id}?${q('&truto_ignore_remote_data=true')}`);
    expect(eng.body.engagement_type).toBe('ticket');
    const unified = await api(t, 'GET', `/unified/ticketing/tickets/${id}?${q('&truto_ignore_remote_data=true')}`);
    expect(unified.body.ticket_type).toBeUndefined();
    expect(unified.body.name).toBe('One store');
  });
});
