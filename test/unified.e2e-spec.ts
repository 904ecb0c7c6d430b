import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { normalizeTicketStatus } from '../src/unified/mappers/tickets';
import { UNIFIED_RESOURCES } from '../src/unified/unified-resources';

type Json = Record<string, any>;

const ADMIN = 'test-admin-key-0123456789';
let app: NestFastifyApplication;
let url: string;
let acct: string;

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries({ integrated_account_id: acct, ...q })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

/** Every record of a native list, via the proxy's own cursor. */
async function nativeAll(resource: string, q: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | undefined;
  do {
    const r = await call('GET', `/proxy/${resource}?${qs({ ...q, limit: 2000, next_cursor: cursor })}`);
    expect(r.status).toBe(200);
    out.push(...r.body.result);
    cursor = r.body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** Every record of a unified list, paging with `limit`; checks the page envelope on the way. */
async function unifiedAll(
  api: string,
  resource: string,
  q: Record<string, string> = {},
  limit = 7,
): Promise<{ records: Json[]; pages: number }> {
  const records: Json[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await call(
      'GET',
      `/unified/${api}/${resource}?${qs({ ...q, limit, next_cursor: cursor, include_remote_data: 'false' })}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.result.length).toBeLessThanOrEqual(limit);
    expect(r.body.result_count).toBe(r.body.result.length);
    if (r.body.next_cursor !== null) expect(r.body.result.length).toBe(limit);
    records.push(...r.body.result);
    cursor = r.body.next_cursor ?? undefined;
    pages++;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { records, pages };
}

const ids = (rows: Json[], key = 'id') => rows.map((r) => String(r[key]));
const sorted = (xs: string[]) => [...xs].sort();

function expectExactlyOnce(unified: Json[], native: Json[]): void {
  const u = ids(unified);
  expect(new Set(u).size).toBe(u.length); // no duplicates
  expect(sorted(u)).toEqual(sorted(ids(native, '_id'))); // no gaps
}

beforeAll(async () => {
  const created = await createApp({
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'phg-unified-')),
    ADMIN_API_KEY: ADMIN,
    LOG_LEVEL: 'silent',
    SANDBOX_RATE_LIMIT_PER_MIN: '0',
    THROTTLE_PER_MIN: '0',
  });
  app = created.app;
  url = created.url;
  const list = await call('GET', '/integrated-account');
  acct = list.body.result.find((a: Json) => a.name === 'sandbox').id;
});

afterAll(async () => {
  await app?.close();
});

describe('paging every unified list with limit=7 returns every record exactly once', () => {
  for (const def of UNIFIED_RESOURCES) {
    it(`${def.api}/${def.resource}`, async () => {
      const native = await nativeAll(def.native, def.resource === 'notes' ? { type: 'note' } : {});
      expect(native.length).toBeGreaterThan(0);
      const { records, pages } = await unifiedAll(def.api, def.resource);
      expectExactlyOnce(records, native);
      expect(pages).toBe(Math.floor(native.length / 7) + 1 - (native.length % 7 === 0 ? 1 : 0));
    });
  }
});

describe('filters', () => {
  it('tickets by status (applied in the gateway) page without duplicates or gaps', async () => {
    const native = (await nativeAll('tickets')).filter((t) =>
      ['resolved', 'closed'].includes(normalizeTicketStatus(t.status)),
    );
    expect(native.length).toBeGreaterThan(7);
    const { records } = await unifiedAll('ticketing', 'tickets', { status: 'resolved,closed' });
    expectExactlyOnce(records, native);
    // Truto's shape: id = the raw Planhat status, name = the normalized one; solved is resolved, not closed.
    for (const r of records)
      expect(r.status).toEqual({ id: r.status.id, name: r.status.id === 'solved' ? 'resolved' : 'closed' });
    expect(new Set(records.map((r) => r.status.id))).toEqual(new Set(['solved', 'closed']));
    const onlyResolved = await unifiedAll('ticketing', 'tickets', { status: 'resolved' });
    expect(onlyResolved.records.length).toBe(native.filter((t) => t.status === 'solved').length);
  });

  it('tickets by several statuses and an account (Planhat companyId)', async () => {
    const all = await nativeAll('tickets');
    const companyId = all[0].companyId as string;
    const native = all.filter(
      (t) => t.companyId === companyId && ['open', 'pending'].includes(normalizeTicketStatus(t.status)),
    );
    const { records } = await unifiedAll('ticketing', 'tickets', { status: 'open,pending', account_id: companyId }, 1);
    expectExactlyOnce(records, native);
  });

  it('accounts by name: case-insensitive contains; by updated_at: at or after', async () => {
    const all = await nativeAll('companies');
    const byName = all.filter((c) => String(c.name).toLowerCase().includes('ar'));
    expect(byName.length).toBeGreaterThan(7);
    expectExactlyOnce((await unifiedAll('crm', 'accounts', { name: 'AR' })).records, byName);

    const times = all.map((c) => String(c.updatedAt)).sort();
    const since = times[Math.floor(times.length / 2)];
    const recent = all.filter((c) => Date.parse(c.updatedAt) >= Date.parse(since));
    expectExactlyOnce((await unifiedAll('crm', 'accounts', { updated_at: since }, 5)).records, recent);
  });

  it('contacts by account_id and email (Planhat filters)', async () => {
    const all = await nativeAll('endusers');
    const companyId = all[0].companyId as string;
    expectExactlyOnce(
      (await unifiedAll('crm', 'contacts', { account_id: companyId }, 2)).records,
      all.filter((e) => e.companyId === companyId),
    );
    const { records } = await unifiedAll('crm', 'contacts', { email: all[5].email });
    expect(ids(records)).toEqual([all[5]._id]);
    expect(records[0].email_addresses[0]).toEqual({ email: all[5].email, type: 'primary' });
  });

  it('sort by a unified field maps onto the Planhat field', async () => {
    const r = await call(
      'GET',
      `/unified/crm/accounts?${qs({ sort: '-name', limit: 20, include_remote_data: 'false' })}`,
    );
    expect(r.status).toBe(200);
    const names = r.body.result.map((a: Json) => a.name as string);
    const native = await call('GET', `/proxy/companies?${qs({ sort: '-name', limit: 20 })}`);
    expect(names).toEqual(native.body.result.map((c: Json) => c.name));
    const bad = await call('GET', `/unified/crm/accounts?${qs({ sort: 'nope' })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/sort/);
  });

  it('an unknown filter is a 400 naming it, not a silently unfiltered list', async () => {
    const r = await call('GET', `/unified/crm/accounts?${qs({ colour: 'red' })}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    expect(r.body.message).toMatch(/colour/);
  });

  it('limit above the Planhat maximum is a 400 (not clamped)', async () => {
    const r = await call('GET', `/unified/crm/contacts?${qs({ limit: 2001 })}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/limit/);
  });
});

describe('cursors', () => {
  let cursor: string;
  beforeAll(async () => {
    const r = await call('GET', `/unified/ticketing/tickets?${qs({ limit: 3, status: 'closed' })}`);
    cursor = r.body.next_cursor;
    expect(typeof cursor).toBe('string');
  });

  it('the same cursor with the same filters works', async () => {
    const r = await call(
      'GET',
      `/unified/ticketing/tickets?${qs({ limit: 3, status: 'closed', next_cursor: cursor })}`,
    );
    expect(r.status).toBe(200);
  });

  it.each([
    ['garbage', () => ({ next_cursor: 'not-a-cursor', status: 'closed' }), 'ticketing/tickets'],
    ['forged (payload edited)', () => ({ next_cursor: forge(cursor), status: 'closed' }), 'ticketing/tickets'],
    ['foreign resource', () => ({ next_cursor: cursor }), 'ticketing/accounts'],
    ['other filters', () => ({ next_cursor: cursor, status: 'open' }), 'ticketing/tickets'],
  ])('%s → 400 INVALID_INPUT', async (_name, q, where) => {
    const r = await call('GET', `/unified/${where}?${qs(q())}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    expect(r.body.message).toMatch(/next_cursor/);
  });

  it('a cursor of another integrated account → 400', async () => {
    const r = await call(
      'GET',
      `/unified/ticketing/tickets?${qs({ status: 'closed', next_cursor: cursor }).replace(acct, 'other-account')}`,
    );
    expect(r.status).toBe(400);
  });
});

function forge(cursor: string): string {
  const [body, sig] = cursor.split('.');
  const state = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  state.d.o = 0;
  return `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${sig}`;
}

describe("Truto's shapes on sandbox data", () => {
  it("accounts carry Planhat's customer-success fields without remote_data; tags are [{id, name}]; owner {id}", async () => {
    const native = (await nativeAll('companies')).find(
      (c) => c.renewalDate && Array.isArray(c.tags) && c.tags.length > 0,
    )!;
    const r = await call('GET', `/unified/crm/accounts/${native._id}?${qs({ include_remote_data: 'false' })}`);
    expect(r.status).toBe(200);
    expect(r.body.remote_data).toBeUndefined();
    expect(r.body).toMatchObject({
      phase: native.phase,
      status: native.status,
      health_score: native.h,
      csm_score: native.csmScore,
      mrr: native.mrr,
      arr: native.arr,
      renewal_date: native.renewalDate,
      tags: native.tags.map((t: string) => ({ id: t, name: t })),
      owner: { id: native.owner },
    });
    // The list (written from Planhat's text) says the same.
    const list = await unifiedAll('crm', 'accounts', {}, 500);
    expect(list.records.find((a) => a.id === native._id)).toEqual(r.body);
  });

  it('contacts carry account_name; ticketing contacts emails[], phones[], account_id, is_active', async () => {
    const eu = (await nativeAll('endusers')).find((e) => e.phone && e.companyName)!;
    const crm = await call('GET', `/unified/crm/contacts/${eu._id}?${qs({ include_remote_data: 'false' })}`);
    expect(crm.body).toMatchObject({ account_name: eu.companyName, account: { id: eu.companyId } });
    const t = await call('GET', `/unified/ticketing/contacts/${eu._id}?${qs({ include_remote_data: 'false' })}`);
    expect(t.body).toMatchObject({
      account_id: eu.companyId,
      emails: [{ email: eu.email, type: 'primary' }],
      phones: [{ number: eu.phone, type: 'primary' }],
      is_active: eu.archived !== true,
    });
    expect(t.body.email_addresses).toBeUndefined();
    expect((await call('POST', `/unified/ticketing/contacts?${qs({})}`, { first_name: 'X' })).status).toBe(405);
  });

  it('ticketing accounts have domains[]; ticketing users emails[] and team_ids[], and can be updated', async () => {
    const c = (await nativeAll('companies'))[3];
    const acc = await call('GET', `/unified/ticketing/accounts/${c._id}?${qs({ include_remote_data: 'false' })}`);
    expect(acc.body).toMatchObject({ id: c._id, name: c.name, domains: c.domains });
    expect(acc.body.urls).toBeUndefined();
    const u = (await nativeAll('users'))[1];
    const user = await call('GET', `/unified/ticketing/users/${u._id}?${qs({ include_remote_data: 'false' })}`);
    expect(user.body).toMatchObject({
      emails: [{ email: u.email, type: 'primary' }],
      team_ids: u.teams,
      is_active: true,
      name: `${u.firstName} ${u.lastName}`,
    });
    const upd = await call('PATCH', `/unified/ticketing/users/${u._id}?${qs({})}`, {
      last_name: 'Renamed',
      is_active: false,
    });
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ last_name: 'Renamed', is_active: false });
    expect((await call('GET', `/proxy/users/${u._id}?${qs({})}`)).body).toMatchObject({
      lastName: 'Renamed',
      inactive: true,
    });
    expect((await call('POST', `/unified/ticketing/users?${qs({})}`, { first_name: 'X' })).status).toBe(405);
  });

  it('tasks: subject, content, type {id, name}, owner {id}; engagements: engagement_type, contact[], end_time, duration', async () => {
    const task = (await nativeAll('tasks'))[0];
    const t = await call('GET', `/unified/crm/tasks/${task._id}?${qs({ include_remote_data: 'false' })}`);
    expect(t.body).toMatchObject({
      subject: task.action,
      content: task.description,
      type: { id: task.type, name: task.type },
      owner: { id: task.ownerId },
      account: { id: task.companyId },
    });
    const conv = (await nativeAll('conversations', { type: 'email' }))[0];
    const e = await call('GET', `/unified/crm/engagements/${conv._id}?${qs({ include_remote_data: 'false' })}`);
    expect(e.body).toMatchObject({
      engagement_type: 'email',
      contact: conv.endusers.map((id: string) => ({ id })),
      owner: { id: conv.users[0].id, name: conv.users[0].name },
    });
    const created = await call('POST', `/unified/crm/engagements?${qs({})}`, {
      engagement_type: 'meeting',
      subject: 'QBR',
      start_time: '2026-02-01T10:00:00.000Z',
      end_time: '2026-02-01T11:30:00.000Z',
      account: { id: conv.companyId },
      contact: [{ id: conv.endusers[0] }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      engagement_type: 'meeting',
      start_time: '2026-02-01T10:00:00.000Z',
      end_time: '2026-02-01T11:30:00.000Z',
      duration: 5400,
      contact: [{ id: conv.endusers[0] }],
    });
    expect((await call('GET', `/proxy/conversations/${created.body.id}?${qs({})}`)).body).toMatchObject({
      type: 'meeting',
      date: '2026-02-01T10:00:00.000Z',
      outDate: '2026-02-01T11:30:00.000Z',
    });
    const byType = await unifiedAll('crm', 'engagements', { engagement_type: 'meeting' }, 50);
    expect(byType.records.map((r) => r.id)).toContain(created.body.id);
    for (const r of byType.records) expect(r.engagement_type).toBe('meeting');
  });

  it('crm/projects (create, update, delete through Planhat projects); ticketing/workspaces and collections read Planhat workspaces and projects', async () => {
    const company = (await nativeAll('companies'))[5];
    const created = await call('POST', `/unified/crm/projects?${qs({ truto_ignore_remote_data: 'true' })}`, {
      name: 'Unified Rollout',
      account: { id: company._id },
      start_date: '2026-03-01T00:00:00.000Z',
      end_date: '2026-05-01T00:00:00.000Z',
      status: 'active',
      nrr: 2500,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Unified Rollout',
      account: { id: company._id },
      account_name: company.name,
      start_date: '2026-03-01T00:00:00.000Z',
      status: 'active',
      nrr: 2500,
    });
    const id = created.body.id as string;
    expect((await call('GET', `/proxy/projects/${id}?${qs({})}`)).body).toMatchObject({
      name: 'Unified Rollout',
      companyId: company._id,
      startDate: '2026-03-01T00:00:00.000Z',
      endDate: '2026-05-01T00:00:00.000Z',
      status: 'active',
      nrr: 2500,
    });
    const done = await call('PATCH', `/unified/crm/projects/${id}?${qs({})}`, { status: 'completed' });
    expect(done.body.status).toBe('completed');
    const asCollection = await call(
      'GET',
      `/unified/ticketing/collections/${id}?${qs({ truto_ignore_remote_data: 'true' })}`,
    );
    expect(asCollection.body).toEqual({
      id,
      name: 'Unified Rollout',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      type: 'project',
      status: 'completed',
      account: { id: company._id },
    });
    expect((await call('POST', `/unified/ticketing/collections?${qs({})}`, { name: 'x' })).status).toBe(405);
    expect((await call('DELETE', `/unified/crm/projects/${id}?${qs({})}`)).body).toEqual({ id });
    expect((await call('GET', `/proxy/projects/${id}?${qs({})}`)).status).toBe(404);

    const ws = (await nativeAll('workspaces'))[0];
    const w = await call('GET', `/unified/ticketing/workspaces/${ws._id}?${qs({ truto_ignore_remote_data: 'true' })}`);
    expect(w.body).toMatchObject({
      id: ws._id,
      name: ws.name,
      account: { id: ws.companyId },
      owner: { id: ws.ownerId },
    });
    const byAccount = await unifiedAll('ticketing', 'workspaces', { account_id: ws.companyId });
    expect(byAccount.records.map((r) => r.id)).toContain(ws._id);
    for (const r of byAccount.records) expect(r.account).toEqual({ id: ws.companyId });
    expect((await call('PATCH', `/unified/ticketing/workspaces/${ws._id}?${qs({})}`, { name: 'x' })).status).toBe(405);
  });

  it('fields carry entity_type (and entity, as before); both filter', async () => {
    const a = await unifiedAll('crm', 'fields', { entity_type: 'account' }, 50);
    const b = await unifiedAll('crm', 'fields', { entity: 'account' }, 50);
    expect(a.records.length).toBeGreaterThan(0);
    expect(a.records).toEqual(b.records);
    for (const f of a.records) expect([f.entity_type, f.entity]).toEqual(['account', 'account']);
  });
});

describe('writes through the unified API are visible through /proxy', () => {
  let companyId: string;
  let contactId: string;

  it('create, update and delete an account', async () => {
    const created = await call('POST', `/unified/crm/accounts?${qs({})}`, {
      name: 'Unified Widgets',
      website: 'https://widgets.example',
      number_of_employees: 42,
      phone_numbers: [{ number: '+1-555-0100' }],
      addresses: [{ street_1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' }],
      tags: [{ id: 'unified', name: 'unified' }, 'plain'],
      phase: 'Onboarding',
      status: 'prospect',
      csm_score: 2,
      owner: (await nativeAll('users'))[0]._id,
      custom_fields: { Segment: 'SMB' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tags: [
        { id: 'unified', name: 'unified' },
        { id: 'plain', name: 'plain' },
      ],
      phase: 'Onboarding',
      status: 'prospect',
      csm_score: 2,
    });
    expect(created.body).toMatchObject({
      name: 'Unified Widgets',
      website: 'https://widgets.example',
      number_of_employees: 42,
      custom_fields: { Segment: 'SMB' },
    });
    companyId = created.body.id;
    const native = await call('GET', `/proxy/companies/${companyId}?${qs({})}`);
    expect(native.body).toMatchObject({
      name: 'Unified Widgets',
      web: 'https://widgets.example',
      employees: 42,
      phonePrimary: '+1-555-0100',
      address: '1 Main St',
      city: 'Springfield',
      zip: '12345',
      country: 'US',
      tags: ['unified', 'plain'],
      phase: 'Onboarding',
      status: 'prospect',
      csmScore: 2,
      custom: { Segment: 'SMB' },
    });

    const updated = await call('PATCH', `/unified/crm/accounts/${companyId}?${qs({})}`, {
      description: 'Made via unified',
      industry: 'Manufacturing',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: companyId,
      description: 'Made via unified',
      industry: 'Manufacturing',
      name: 'Unified Widgets',
    });
    expect((await call('GET', `/proxy/companies/${companyId}?${qs({})}`)).body).toMatchObject({
      description: 'Made via unified',
      industry: 'Manufacturing',
    });
  });

  it('create and update a contact', async () => {
    const created = await call('POST', `/unified/crm/contacts?${qs({})}`, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      title: 'CTO',
      account: { id: companyId },
      email_addresses: [{ email: 'ada@widgets.example', type: 'primary' }, { email: 'ada@home.example' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Ada Lovelace',
      account: { id: companyId },
      email_addresses: [
        { email: 'ada@widgets.example', type: 'primary' },
        { email: 'ada@home.example', type: 'other' },
      ],
    });
    contactId = created.body.id;
    const native = await call('GET', `/proxy/endusers/${contactId}?${qs({})}`);
    expect(native.body).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      position: 'CTO',
      companyId,
      email: 'ada@widgets.example',
      otherEmails: ['ada@home.example'],
    });

    const updated = await call('PATCH', `/unified/crm/contacts/${contactId}?${qs({})}`, {
      title: 'CEO',
      phone_numbers: [{ number: '+44 20 7946 0000' }],
    });
    expect(updated.body).toMatchObject({
      title: 'CEO',
      phone_numbers: [{ number: '+44 20 7946 0000', type: 'primary' }],
    });
    expect((await call('GET', `/proxy/endusers/${contactId}?${qs({})}`)).body).toMatchObject({
      position: 'CEO',
      phone: '+44 20 7946 0000',
    });
  });

  it('create a ticket (bulk upsert, email and account from the contact), update its status, delete it', async () => {
    const created = await call('POST', `/unified/ticketing/tickets?${qs({})}`, {
      name: 'Cannot export',
      description: 'CSV export fails',
      priority: { id: 'high', name: 'high' },
      tags: [{ id: 'export', name: 'export' }, 'csv'],
      status: { name: 'open' },
      contact: { id: contactId },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Cannot export',
      status: { id: 'open', name: 'open' },
      account: { id: companyId },
      contact: { email: 'ada@widgets.example' },
      priority: { id: 'high', name: 'high' },
      tags: [
        { id: 'export', name: 'export' },
        { id: 'csv', name: 'csv' },
      ],
    });
    expect(created.body.number).toMatch(/^unified-/);
    expect(created.body.completed_at).toBeUndefined();
    const id = created.body.id as string;
    const native = await call('GET', `/proxy/tickets/${id}?${qs({})}`);
    expect(native.body).toMatchObject({
      title: 'Cannot export',
      description: 'CSV export fails',
      severity: 'high',
      tags: ['export', 'csv'],
      status: 'open',
      companyId,
      email: 'ada@widgets.example',
    });
    expect(native.body.sourceId).toBe(created.body.number);

    // A normalized name writes Planhat's raw status; a raw id is stored as given.
    const resolved = await call('PATCH', `/unified/ticketing/tickets/${id}?${qs({})}`, {
      status: { name: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toEqual({ id: 'solved', name: 'resolved' });
    expect(resolved.body.completed_at).toBe(resolved.body.updated_at);
    const closed = await call('PATCH', `/unified/ticketing/tickets/${id}?${qs({})}`, { status: { id: 'closed' } });
    expect(closed.body.status).toEqual({ id: 'closed', name: 'closed' });
    expect((await call('GET', `/proxy/tickets/${id}?${qs({})}`)).body).toMatchObject({
      status: 'closed',
      title: 'Cannot export',
    });
    // ticket_type is read-only (a Planhat ticket is a conversation of type ticket).
    const typed = await call('PATCH', `/unified/ticketing/tickets/${id}?${qs({})}`, {
      ticket_type: { id: 'incident' },
    });
    expect(typed.status).toBe(400);
    expect(typed.body.message).toMatch(/ticket_type/);

    const del = await call('DELETE', `/unified/ticketing/tickets/${id}?${qs({})}`);
    expect(del.body).toEqual({ id });
    expect((await call('GET', `/proxy/tickets/${id}?${qs({})}`)).status).toBe(404);
  });

  it('a ticket without a requester email is a 400 naming contact.email', async () => {
    const r = await call('POST', `/unified/ticketing/tickets?${qs({})}`, {
      name: 'No email',
      account: { id: companyId },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/contact\.email/);
  });

  it('create a note (a conversation of type note), update, delete', async () => {
    const created = await call('POST', `/unified/crm/notes?${qs({})}`, {
      content: 'Met the team',
      title: 'Kickoff',
      account: { id: companyId },
      contact: [{ id: contactId }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      content: 'Met the team',
      title: 'Kickoff',
      account: { id: companyId },
      contact: [{ id: contactId }],
    });
    expect((await call('GET', `/proxy/conversations/${id}?${qs({})}`)).body).toMatchObject({
      type: 'note',
      description: 'Met the team',
      subject: 'Kickoff',
      companyId,
      endusers: [contactId],
    });
    const updated = await call('PATCH', `/unified/crm/notes/${id}?${qs({})}`, { content: 'Met the whole team' });
    expect(updated.body.content).toBe('Met the whole team');
    expect((await call('DELETE', `/unified/crm/notes/${id}?${qs({})}`)).body).toEqual({ id });
    expect((await call('GET', `/proxy/conversations/${id}?${qs({})}`)).status).toBe(404);
  });

  it('a conversation that is not a note is not a note (404)', async () => {
    const email = (await nativeAll('conversations', { type: 'email' }))[0];
    const r = await call('GET', `/unified/crm/notes/${email._id}?${qs({})}`);
    expect(r.status).toBe(404);
    expect((await call('GET', `/unified/crm/engagements/${email._id}?${qs({})}`)).body.engagement_type).toBe('email');
  });

  it('create a task and an opportunity', async () => {
    const owner = (await nativeAll('users'))[0];
    const task = await call('POST', `/unified/crm/tasks?${qs({})}`, {
      subject: 'Call Ada',
      content: 'About the renewal',
      type: { id: 'call', name: 'call' },
      account: { id: companyId },
      owner: { id: owner._id, name: 'ignored on write' },
      contact: [{ id: contactId }],
      status: 'completed',
    });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({
      subject: 'Call Ada',
      content: 'About the renewal',
      type: { id: 'call', name: 'call' },
      status: 'completed',
      owner: { id: owner._id },
      contact: [{ id: contactId }],
    });
    expect((await call('GET', `/proxy/tasks/${task.body.id}?${qs({})}`)).body).toMatchObject({
      action: 'Call Ada',
      description: 'About the renewal',
      type: 'call',
      mainType: 'task',
      isArchived: true,
      companyId,
      ownerId: owner._id,
      endusers: [contactId],
    });
    // The former names are refused with a 400 naming them.
    const old = await call('POST', `/unified/crm/tasks?${qs({})}`, { title: 'Call Ada', account: { id: companyId } });
    expect(old.status).toBe(400);
    expect(old.body.message).toMatch(/title/);
    const opp = await call('POST', `/unified/crm/opportunities?${qs({})}`, {
      name: 'Expansion',
      account: { id: companyId },
      status: 'open',
      stage: { id: 'Discovery' },
      amount: 12000,
    });
    expect(opp.status).toBe(201);
    expect(opp.body).toMatchObject({
      name: 'Expansion',
      status: 'open',
      stage: { id: 'Discovery', name: 'Discovery' },
      amount: 12000,
    });
    expect((await call('GET', `/proxy/opportunities/${opp.body.id}?${qs({})}`)).body).toMatchObject({
      title: 'Expansion',
      status: 'active',
      salesStage: 'Discovery',
      arr: 12000,
    });
  });

  it('delete the contact and the account', async () => {
    expect((await call('DELETE', `/unified/crm/contacts/${contactId}?${qs({})}`)).body).toEqual({ id: contactId });
    expect((await call('DELETE', `/unified/crm/accounts/${companyId}?${qs({})}`)).body).toEqual({ id: companyId });
    expect((await call('GET', `/proxy/companies/${companyId}?${qs({})}`)).status).toBe(404);
  });
});

describe('errors in the shared vocabulary', () => {
  it('400 naming a bad field (type) and an unknown field', async () => {
    const bad = await call('POST', `/unified/crm/accounts?${qs({})}`, { name: 'X', number_of_employees: 'many' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT' });
    expect(bad.body.message).toMatch(/number_of_employees/);
    const unknown = await call('POST', `/unified/crm/accounts?${qs({})}`, { name: 'X', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/colour/);
    const missing = await call('POST', `/unified/crm/contacts?${qs({})}`, {
      first_name: 'No',
      email_addresses: [{ email: 'a@b.c' }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/account/);
  });

  it('404 for unknown ids, resources and APIs; 405 for an operation the resource lacks', async () => {
    const r = await call('GET', `/unified/crm/accounts/ffffffffffffffffffffffff?${qs({})}`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect(typeof r.body.message).toBe('string');
    expect((await call('GET', `/unified/crm/widgets?${qs({})}`)).status).toBe(404);
    expect((await call('GET', `/unified/hris/accounts?${qs({})}`)).status).toBe(404);
    const del = await call('DELETE', `/unified/crm/fields/abc?${qs({})}`);
    expect(del.status).toBe(405);
    expect(del.body.error).toBe('METHOD_NOT_ALLOWED');
    expect((await call('POST', `/unified/ticketing/accounts?${qs({})}`, { name: 'x' })).status).toBe(405);
  });

  it('400 without integrated_account_id', async () => {
    const r = await call('GET', '/unified/crm/accounts');
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/integrated_account_id/);
  });

  it('remote_data is attached unless include_remote_data=false', async () => {
    const withRemote = await call('GET', `/unified/crm/accounts?${qs({ limit: 1 })}`);
    expect(withRemote.body.result[0].remote_data._id).toBe(withRemote.body.result[0].id);
    const without = await call(
      'GET',
      `/unified/crm/accounts/${withRemote.body.result[0].id}?${qs({ include_remote_data: 'false' })}`,
    );
    expect(without.body.remote_data).toBeUndefined();
    expect(without.body.name).toBe(withRemote.body.result[0].name);
  });
});
