/**
 * Safe writes (issue #22 item 4, second part): every write made through MCP is recorded with its
 * before-image, its result carries a change_id, and undo_change restores it within 24 h when the
 * record was not changed since, only on the MCP server that made it. Real MCP SDK client, embedded
 * sandbox; Planhat's records are read back through the proxy, not through the code under test.
 */
import { Clock } from '../src/common/clock';
import type { TestApp } from './support/test-app';
import { api, call, closeClients, connect, createServer, ok, startMcpApp, textOf, type Json } from './mcp-helpers';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

let t: TestApp;
let accountId: string;
let client: Client;
const q = () => `integrated_account_id=${accountId}`;

async function proxyGet(resource: string, id: string): Promise<{ status: number; body: Json }> {
  const r = await api(t, 'GET', `/proxy/${resource}/${id}?${q()}`);
  return { status: r.status, body: r.body };
}

async function newCompany(name: string): Promise<Json> {
  const r = await api(t, 'POST', `/proxy/companies?${q()}`, { name, phase: 'Onboarding', custom: { UndoProbe: 'v0' } });
  expect(r.status).toBe(201);
  return r.body;
}

// Timestamps Planhat (and the sandbox) set itself on a create: not restorable.
const SYSTEM = ['_id', '__v', 'createdAt', 'updatedAt', 'createDate'];
const withoutSystem = (r: Json) => Object.fromEntries(Object.entries(r).filter(([k]) => !SYSTEM.includes(k)));

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  client = await connect((await createServer(t, accountId, {})).url);
});
afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('undo_change', () => {
  it('undoes a native update: the changed fields (custom one level down) get their before-values back; a second undo is a 409', async () => {
    const c = await newCompany('Undo Update Probe');
    const updated = await ok(client, 'update_a_planhat_company_by_id', {
      id: c._id,
      phase: 'Adopting',
      custom: { UndoProbe: 'v1' },
    });
    expect(updated.phase).toBe('Adopting');
    expect(updated.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('companies', c._id)).body.custom.UndoProbe).toBe('v1');

    const undone = await ok(client, 'undo_change', { change_id: updated.change_id });
    expect(undone).toMatchObject({ undone: updated.change_id, op: 'update', model: 'companies', _id: c._id });
    expect(undone.restored).toEqual(
      expect.arrayContaining([
        { field: 'phase', value: 'Onboarding' },
        { field: 'custom.UndoProbe', value: 'v0' },
      ]),
    );
    const now = (await proxyGet('companies', c._id)).body;
    expect(now.phase).toBe('Onboarding');
    expect(now.custom.UndoProbe).toBe('v0');
    expect(now.name).toBe('Undo Update Probe');

    const again = await call(client, 'undo_change', { change_id: updated.change_id });
    expect(again.isError).toBe(true);
    expect(again.structuredContent?.error).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(textOf(again)).toContain('undone already');
  });

  it('undoes a create by deleting the record', async () => {
    const created = await ok(client, 'create_a_planhat_company', { name: 'Undo Create Probe' });
    expect(created.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('companies', created._id)).status).toBe(200);
    const undone = await ok(client, 'undo_change', { change_id: created.change_id });
    expect(undone).toMatchObject({ op: 'create', deleted_id: created._id });
    expect((await proxyGet('companies', created._id)).status).toBe(404);
  });

  it('an idempotent create replayed returns the same change_id (one write, one change)', async () => {
    const first = await ok(client, 'create_a_planhat_company', {
      name: 'Undo Idempotent Probe',
      idempotency_key: 'undo-idem-1',
    });
    const replay = await ok(client, 'create_a_planhat_company', {
      name: 'Undo Idempotent Probe',
      idempotency_key: 'undo-idem-1',
    });
    expect(replay._id).toBe(first._id);
    expect(replay.change_id).toBe(first.change_id);
  });

  it('undoes a delete by re-creating the record from its before-image (new _id, fields restored, says what is not)', async () => {
    const c = await newCompany('Undo Delete Probe');
    const before = (await proxyGet('companies', c._id)).body;
    const deleted = await ok(client, 'delete_a_planhat_company_by_id', { id: c._id });
    expect(deleted.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('companies', c._id)).status).toBe(404);

    const undone = await ok(client, 'undo_change', { change_id: deleted.change_id });
    expect(undone).toMatchObject({ op: 'delete', previous_id: c._id });
    expect(undone.restored_id).toMatch(/^[0-9a-f]{24}$/);
    expect(undone.restored_id).not.toBe(c._id);
    expect(undone.not_restored.join(' ')).toContain('_id');
    const restored = (await proxyGet('companies', undone.restored_id)).body;
    expect(withoutSystem(restored)).toEqual(withoutSystem(before));
  });

  it('undoes a unified update (the Planhat record is what is recorded and restored)', async () => {
    const c = await newCompany('Undo Unified Probe');
    const updated = await ok(client, 'update_a_crm_account_by_id', { id: c._id, name: 'Undo Unified Probe (renamed)' });
    expect(updated.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('companies', c._id)).body.name).toBe('Undo Unified Probe (renamed)');
    await ok(client, 'undo_change', { change_id: updated.change_id });
    expect((await proxyGet('companies', c._id)).body.name).toBe('Undo Unified Probe');
  });

  it('undoes a unified create (deleted) and a unified delete (re-created)', async () => {
    const created = await ok(client, 'create_a_crm_account', { name: 'Undo Unified Create Probe' });
    expect(created.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('companies', created.id)).status).toBe(200);
    await ok(client, 'undo_change', { change_id: created.change_id });
    expect((await proxyGet('companies', created.id)).status).toBe(404);

    const c = await newCompany('Undo Unified Delete Probe');
    const deleted = await ok(client, 'delete_a_crm_account_by_id', { id: c._id });
    expect((await proxyGet('companies', c._id)).status).toBe(404);
    const undone = await ok(client, 'undo_change', { change_id: deleted.change_id });
    expect((await proxyGet('companies', undone.restored_id)).body).toMatchObject({
      name: 'Undo Unified Delete Probe',
      phase: 'Onboarding',
      custom: { UndoProbe: 'v0' },
    });
  });

  it('undoes a unified ticket update (tickets are written with bulk upserts in Planhat)', async () => {
    const list = await api(t, 'GET', `/proxy/tickets?${q()}&limit=1`);
    const ticket = list.body.result[0] as Json;
    const updated = await ok(client, 'update_a_ticketing_ticket_by_id', { id: ticket._id, name: 'Undo Ticket Probe' });
    expect(updated.change_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await proxyGet('tickets', ticket._id)).body.title).toBe('Undo Ticket Probe');
    const undone = await ok(client, 'undo_change', { change_id: updated.change_id });
    expect(undone.restored).toEqual([{ field: 'title', value: ticket.title }]);
    expect((await proxyGet('tickets', ticket._id)).body.title).toBe(ticket.title);
  });

  it('records writes made through perform_model_action and call_tool; undo_change is reachable there', async () => {
    const actions = await connect((await createServer(t, accountId, { tool_exposure: 'model_actions' })).url);
    const c = await newCompany('Undo Model Action Probe');
    const r = await ok(actions, 'perform_model_action', {
      MODEL_ROUTE: 'companies',
      OPERATION: 'update',
      PARAMETERS: JSON.stringify({ id: c._id, phase: 'Adopting' }),
    });
    expect(r.change_id).toMatch(/^[0-9a-f-]{36}$/);
    // undo_change is listed beside the model actions (a read-only model_actions server has neither).
    expect((await actions.listTools()).tools.map((x) => x.name)).toContain('undo_change');
    await ok(actions, 'undo_change', { change_id: r.change_id });
    expect((await proxyGet('companies', c._id)).body.phase).toBe('Onboarding');
    // Through call_tool on a discovery server too.
    const discovery = await connect((await createServer(t, accountId, { tool_exposure: 'discovery' })).url);
    const viaCall = await ok(discovery, 'call_tool', {
      name: 'update_a_planhat_company_by_id',
      arguments: { id: c._id, phase: 'Adopting' },
    });
    expect(viaCall.change_id).toMatch(/^[0-9a-f-]{36}$/);
    await ok(discovery, 'call_tool', { name: 'undo_change', arguments: { change_id: viaCall.change_id } });
    expect((await proxyGet('companies', c._id)).body.phase).toBe('Onboarding');
  });

  it('a record changed since the write is a 409 showing both versions, and nothing is written', async () => {
    const c = await newCompany('Undo Conflict Probe');
    const updated = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, phase: 'Adopting' });
    // Someone else changes the record afterwards (through the REST proxy).
    await new Promise((r) => setTimeout(r, 5));
    expect((await api(t, 'PATCH', `/proxy/companies/${c._id}?${q()}`, { phase: 'Renewing' })).status).toBe(200);
    const r = await call(client, 'undo_change', { change_id: updated.change_id });
    expect(r.isError).toBe(true);
    const error = r.structuredContent?.error as Json;
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(error.recorded.phase).toBe('Adopting');
    expect(error.current.phase).toBe('Renewing');
    expect(error.changed_fields).toContain('phase');
    expect(textOf(r)).toContain('Adopting');
    expect(textOf(r)).toContain('Renewing');
    expect((await proxyGet('companies', c._id)).body.phase).toBe('Renewing');
  });

  it('a change older than 24 h is refused (403), and nothing is written', async () => {
    const c = await newCompany('Undo Expired Probe');
    const updated = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, phase: 'Adopting' });
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 24 * 3600_000 + 60_000);
    try {
      const r = await call(client, 'undo_change', { change_id: updated.change_id });
      expect(r.isError).toBe(true);
      expect(r.structuredContent?.error).toMatchObject({ status: 403 });
      expect(textOf(r)).toContain('more than 24 h ago');
    } finally {
      clock.now = realNow;
    }
    expect((await proxyGet('companies', c._id)).body.phase).toBe('Adopting');
  });

  it("another MCP server's change (same account) is refused as unknown, and a malformed id is a 400", async () => {
    const c = await newCompany('Undo Foreign Probe');
    const updated = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, phase: 'Adopting' });
    const other = await connect((await createServer(t, accountId, {})).url);
    const r = await call(other, 'undo_change', { change_id: updated.change_id });
    expect(r.isError).toBe(true);
    expect(r.structuredContent?.error).toMatchObject({ status: 404 });
    expect((await proxyGet('companies', c._id)).body.phase).toBe('Adopting');
    const bad = await call(client, 'undo_change', { change_id: 'not-a-change' });
    expect(bad.structuredContent?.error).toMatchObject({ status: 400, field: 'change_id' });
  });

  it('dry runs record no change and carry no change_id', async () => {
    const c = await newCompany('Undo Dry Probe');
    const preview = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, phase: 'Adopting', dry_run: true });
    expect(preview.dry_run).toBe(true);
    expect(preview.change_id).toBeUndefined();
  });

  it('undo_change is hidden and refused on a read-only server, listed with write or the safety tag', async () => {
    const readOnly = await connect((await createServer(t, accountId, { methods: ['read'] })).url);
    expect((await readOnly.listTools()).tools.map((x) => x.name)).not.toContain('undo_change');
    const r = await call(readOnly, 'undo_change', { change_id: '00000000-0000-4000-8000-000000000000' });
    expect(r.isError).toBe(true);
    expect(r.structuredContent?.error).toMatchObject({ status: 403 });
    const safety = await connect((await createServer(t, accountId, { tags: ['safety'] })).url);
    expect((await safety.listTools()).tools.map((x) => x.name)).toEqual(['undo_change']);
    expect((await client.listTools()).tools.map((x) => x.name)).toContain('undo_change');
  });

  it("the README's agent workflow: resolve by domain, account_360, dry-run an update, apply it, undo_change", async () => {
    // 1. find the company by its domain
    const found = await ok(client, 'resolve', { query: 'acme-labs.com', types: 'companies' });
    expect(found.matches[0]).toMatchObject({ type: 'company', match: 'domain' });
    const id = found.matches[0]._id as string;
    const original = (await proxyGet('companies', id)).body;
    expect(original.domains).toContain('acme-labs.com');
    // 2. its 360
    const a360 = await ok(client, 'account_360', { company: id });
    expect(JSON.stringify(a360)).toContain(original.name);
    const target = original.phase === 'Renewal' ? 'Adopting' : 'Renewal';
    // 3. preview: the diff, nothing written
    const preview = await ok(client, 'update_a_planhat_company_by_id', { id, phase: target, dry_run: true });
    expect(preview).toMatchObject({
      dry_run: true,
      changes: [{ field: 'phase', before: original.phase, after: target }],
    });
    expect((await proxyGet('companies', id)).body).toEqual(original);
    // 4. apply
    const applied = await ok(client, 'update_a_planhat_company_by_id', { id, phase: target });
    expect((await proxyGet('companies', id)).body.phase).toBe(target);
    // 5. undo: the phase it had before
    const undone = await ok(client, 'undo_change', { change_id: applied.change_id });
    expect(undone.restored).toEqual([{ field: 'phase', value: original.phase }]);
    const after = (await proxyGet('companies', id)).body;
    expect(withoutSystem(after)).toEqual(withoutSystem(original));
  });
});
