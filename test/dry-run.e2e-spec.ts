/**
 * Safe writes, first part (issue #22 item 4): `dry_run` on native updates and deletes, over REST
 * (`?dry_run=true` on PATCH/PUT/DELETE /proxy/:resource/:id) and MCP (`dry_run: true` on every
 * native update/delete tool and through perform_model_action). The answer is the diff or the record
 * that would be deleted; Planhat's record is checked unchanged afterwards through the proxy.
 */
import { TEST_ADMIN_KEY, type TestApp } from './support/test-app';
import { api, call, closeClients, connect, createServer, ok, startMcpApp, textOf, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;
const q = () => `integrated_account_id=${accountId}`;

async function record(resource: string, id: string): Promise<Json> {
  const r = await api(t, 'GET', `/proxy/${resource}/${id}?${q()}`);
  expect(r.status).toBe(200);
  return r.body;
}

async function firstCompany(): Promise<Json> {
  const r = await api(t, 'GET', `/proxy/companies?${q()}&limit=1`);
  expect(r.status).toBe(200);
  return r.body.result[0];
}

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});
afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('dry_run over REST', () => {
  it('PATCH and PUT ?dry_run=true answer the diff (custom fields one level down) and write nothing', async () => {
    const c = await firstCompany();
    const before = await record('companies', c._id);
    for (const method of ['PATCH', 'PUT']) {
      const r = await api(t, method, `/proxy/companies/${c._id}?${q()}&dry_run=true`, {
        name: `${before.name} (renamed)`,
        phase: before.phase,
        custom: { DryRunProbe: 'x' },
      });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        dry_run: true,
        _id: c._id,
        changes: [
          { field: 'name', before: before.name, after: `${before.name} (renamed)` },
          { field: 'custom.DryRunProbe', before: null, after: 'x' },
        ],
        unchanged: ['phase'],
      });
    }
    expect(await record('companies', c._id)).toEqual(before);
  });

  it('DELETE ?dry_run=true answers the record and deletes nothing; dry_run=false deletes', async () => {
    const created = await api(t, 'POST', `/proxy/companies?${q()}`, { name: 'Dry Run Delete Probe' });
    expect(created.status).toBe(201);
    const id = created.body._id;
    const preview = await api(t, 'DELETE', `/proxy/companies/${id}?${q()}&dry_run=true`);
    expect(preview.status).toBe(200);
    expect(preview.body.dry_run).toBe(true);
    expect(preview.body.would_delete).toEqual(await record('companies', id));
    const real = await api(t, 'DELETE', `/proxy/companies/${id}?${q()}&dry_run=false`);
    expect(real.status).toBe(200);
    expect((await api(t, 'GET', `/proxy/companies/${id}?${q()}`)).status).toBe(404);
  });

  it('an unparseable dry_run is a 400 and writes nothing; an unknown record is a 404', async () => {
    const c = await firstCompany();
    const before = await record('companies', c._id);
    for (const value of ['yes', '1', '', 'TRUE']) {
      const r = await api(t, 'PATCH', `/proxy/companies/${c._id}?${q()}&dry_run=${value}`, {
        name: 'Should Not Be Written',
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('INVALID_INPUT');
      expect(r.body.message).toMatch(/dry_run/);
      expect((await api(t, 'DELETE', `/proxy/companies/${c._id}?${q()}&dry_run=${value}`)).status).toBe(400);
    }
    expect(await record('companies', c._id)).toEqual(before);
    expect(
      (await api(t, 'PATCH', `/proxy/companies/ffffffffffffffffffffffff?${q()}&dry_run=true`, { name: 'x' })).status,
    ).toBe(404);
  });

  it('a dry run still checks the body like a write (a forbidden key is a 400)', async () => {
    const c = await firstCompany();
    const raw = await fetch(`${t.url}/proxy/companies/${c._id}?${q()}&dry_run=true`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"name":"x","__proto__":{"polluted":true}}',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as Json).error).toBe('INVALID_INPUT');
  });
});

describe('dry_run over MCP', () => {
  it('update and delete tools preview with dry_run: true, directly and through perform_model_action', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    const c = await firstCompany();
    const before = await record('companies', c._id);
    const diff = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, name: 'MCP Dry Run', dry_run: true });
    expect(diff).toEqual({
      dry_run: true,
      _id: c._id,
      changes: [{ field: 'name', before: before.name, after: 'MCP Dry Run' }],
      unchanged: [],
    });
    const gone = await ok(client, 'delete_a_planhat_company_by_id', { id: c._id, dry_run: true });
    expect(gone).toEqual({ dry_run: true, would_delete: before });
    expect(await record('companies', c._id)).toEqual(before);

    const actions = await connect((await createServer(t, accountId, { tool_exposure: 'model_actions' })).url);
    const viaAction = await ok(actions, 'perform_model_action', {
      MODEL_ROUTE: 'companies',
      OPERATION: 'update',
      PARAMETERS: JSON.stringify({ id: c._id, phase: 'Churned', dry_run: true }),
    });
    expect(viaAction.changes).toEqual([{ field: 'phase', before: before.phase ?? null, after: 'Churned' }]);
    expect(await record('companies', c._id)).toEqual(before);

    // dry_run must be a boolean: a string is refused, nothing is written
    const bad = await call(client, 'update_a_planhat_company_by_id', {
      id: c._id,
      name: 'Not Written',
      dry_run: 'true',
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/dry_run/);
    expect(await record('companies', c._id)).toEqual(before);
  });
});

describe('dry_run on the unified API', () => {
  const u = (path: string, extra = '') => `/unified/crm/${path}?${q()}${extra}`;

  it('PATCH ?dry_run=true answers the diff in unified field names and writes nothing', async () => {
    const list = await api(t, 'GET', u('accounts', '&limit=1'));
    expect(list.status).toBe(200);
    const acct = list.body.result[0];
    const before = await api(t, 'GET', u(`accounts/${acct.id}`));
    const r = await api(t, 'PATCH', u(`accounts/${acct.id}`, '&dry_run=true'), {
      name: `${acct.name} Renamed`,
      phase: before.body.phase,
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      dry_run: true,
      id: acct.id,
      changes: [{ field: 'name', before: acct.name, after: `${acct.name} Renamed` }],
      unchanged: ['phase'],
    });
    expect((await api(t, 'GET', u(`accounts/${acct.id}`))).body).toEqual(before.body);
  });

  it('DELETE ?dry_run=true answers the unified record and deletes nothing; a bad dry_run is a 400', async () => {
    const created = await api(t, 'POST', u('accounts'), { name: 'Unified Dry Run Probe' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const preview = await api(t, 'DELETE', u(`accounts/${id}`, '&dry_run=true'));
    expect(preview.status).toBe(200);
    expect(preview.body.dry_run).toBe(true);
    expect(preview.body.would_delete).toMatchObject({ id, name: 'Unified Dry Run Probe' });
    // before this change, DELETE ignored its query: ?dry_run=yes deleted the record
    const bad = await api(t, 'DELETE', u(`accounts/${id}`, '&dry_run=yes'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('INVALID_INPUT');
    expect((await api(t, 'GET', u(`accounts/${id}`))).status).toBe(200);
  });

  it('unified MCP update/delete tools take dry_run', async () => {
    const client = await connect((await createServer(t, accountId, { tags: ['unified'] })).url);
    const list = await api(t, 'GET', u('accounts', '&limit=1'));
    const acct = list.body.result[0];
    const before = await api(t, 'GET', u(`accounts/${acct.id}`));
    const diff = await ok(client, 'update_a_crm_account_by_id', {
      id: acct.id,
      description: 'previewed only',
      dry_run: true,
    });
    expect(diff.dry_run).toBe(true);
    expect(diff.changes).toEqual([
      { field: 'description', before: before.body.description ?? null, after: 'previewed only' },
    ]);
    const gone = await ok(client, 'delete_a_crm_account_by_id', { id: acct.id, dry_run: true });
    expect(gone.would_delete.id).toBe(acct.id);
    expect((await api(t, 'GET', u(`accounts/${acct.id}`))).body).toEqual(before.body);
  });
});
