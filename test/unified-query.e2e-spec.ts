import { startGateway, type TestGateway } from './helpers';

/**
 * Truto's query parameters on the unified API, against the embedded sandbox over real HTTP:
 * truto_ignore_remote_data (include_remote_data kept), truto_response_format, remote_query[...],
 * sort_by[...], created_at/updated_at with bounds, owner, search_term and prev_cursor; and the
 * output parameters on creates and updates.
 */

type Json = Record<string, any>;

let gw: TestGateway;
let acct: string;

const qs = (q: Record<string, string | number | undefined>) =>
  Object.entries({ integrated_account_id: acct, ...q })
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(String(v))}`,
    )
    .join('&');

async function nativeAll(resource: string, q: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | undefined;
  do {
    const r = await gw.call('GET', `/proxy/${resource}?${qs({ ...q, limit: 2000, next_cursor: cursor })}`);
    expect(r.status).toBe(200);
    out.push(...r.body.result);
    cursor = r.body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** Every record of a unified list, paging with next_cursor; also returns each page's ids. */
async function unifiedAll(
  path: string,
  q: Record<string, string | number> = {},
  limit = 25,
): Promise<{ records: Json[]; pages: Json[] }> {
  const records: Json[] = [];
  const pages: Json[] = [];
  let cursor: string | undefined;
  do {
    const r = await gw.call(
      'GET',
      `/unified/${path}?${qs({ ...q, limit, next_cursor: cursor, truto_ignore_remote_data: 'true' })}`,
    );
    expect([r.status, r.body.message]).toEqual([200, undefined]);
    records.push(...r.body.result);
    pages.push(r.body);
    cursor = r.body.next_cursor ?? undefined;
  } while (cursor);
  return { records, pages };
}

const ids = (rows: Json[], key = 'id') => rows.map((r) => String(r[key])).sort();

beforeAll(async () => {
  gw = await startGateway();
  acct = gw.sandboxAccountId;
});

afterAll(async () => {
  await gw?.close();
});

describe('remote data and response formats', () => {
  it('truto_ignore_remote_data=true drops remote_data on lists and gets; include_remote_data=false still does', async () => {
    const withRemote = await gw.call('GET', `/unified/crm/accounts?${qs({ limit: 3 })}`);
    expect(withRemote.body.result[0].remote_data._id).toBe(withRemote.body.result[0].id);
    for (const q of [{ truto_ignore_remote_data: 'true' }, { include_remote_data: 'false' }]) {
      const list = await gw.call('GET', `/unified/crm/accounts?${qs({ limit: 3, ...q })}`);
      expect(list.status).toBe(200);
      expect(list.body.result.map((r: Json) => r.remote_data)).toEqual([undefined, undefined, undefined]);
      const one = await gw.call('GET', `/unified/crm/accounts/${list.body.result[0].id}?${qs(q)}`);
      expect(one.body.remote_data).toBeUndefined();
      expect(one.body.name).toBe(list.body.result[0].name);
    }
    const keep = await gw.call('GET', `/unified/crm/accounts?${qs({ limit: 1, truto_ignore_remote_data: 'false' })}`);
    expect(keep.body.result[0].remote_data).toBeDefined();
  });

  it('truto_response_format: raw answers the Planhat records, normalized the unified fields alone, stream is a 400', async () => {
    const native = await gw.call('GET', `/proxy/companies?${qs({ limit: 4 })}`);
    const raw = await gw.call('GET', `/unified/crm/accounts?${qs({ limit: 4, truto_response_format: 'raw' })}`);
    expect(raw.status).toBe(200);
    expect(raw.body.result).toEqual(native.body.result);
    const rawOne = await gw.call(
      'GET',
      `/unified/crm/accounts/${native.body.result[0]._id}?${qs({ truto_response_format: 'raw' })}`,
    );
    expect(rawOne.body).toEqual(native.body.result[0]);
    const normalized = await gw.call(
      'GET',
      `/unified/crm/accounts?${qs({ limit: 4, truto_response_format: 'normalized' })}`,
    );
    expect(normalized.body.result.map((r: Json) => [r.id, r.name, r.remote_data])).toEqual(
      native.body.result.map((n: Json) => [n._id, n.name, undefined]),
    );
    const stream = await gw.call('GET', `/unified/crm/accounts?${qs({ truto_response_format: 'stream' })}`);
    expect(stream.status).toBe(400);
    expect(stream.body.message).toMatch(/truto_response_format.*stream is not supported/);
    expect((await gw.call('GET', `/unified/crm/accounts?${qs({ truto_response_format: 'xml' })}`)).status).toBe(400);
  });

  it('creates and updates honour include_remote_data=false, truto_ignore_remote_data=true and raw', async () => {
    const plain = await gw.call('POST', `/unified/crm/accounts?${qs({})}`, { name: 'Remote On' });
    expect(plain.status).toBe(201);
    expect(plain.body.remote_data).toMatchObject({ _id: plain.body.id, name: 'Remote On' });
    const off = await gw.call('POST', `/unified/crm/accounts?${qs({ include_remote_data: 'false' })}`, {
      name: 'Remote Off',
    });
    expect(off.status).toBe(201);
    expect(off.body).toMatchObject({ name: 'Remote Off' });
    expect(off.body.remote_data).toBeUndefined();
    const ignored = await gw.call(
      'PATCH',
      `/unified/crm/accounts/${off.body.id}?${qs({ truto_ignore_remote_data: 'true' })}`,
      { description: 'updated' },
    );
    expect(ignored.status).toBe(200);
    expect(ignored.body).toMatchObject({ id: off.body.id, description: 'updated' });
    expect(ignored.body.remote_data).toBeUndefined();
    const raw = await gw.call('PATCH', `/unified/crm/accounts/${off.body.id}?${qs({ truto_response_format: 'raw' })}`, {
      industry: 'Retail',
    });
    expect(raw.body).toMatchObject({
      _id: off.body.id,
      name: 'Remote Off',
      industry: 'Retail',
      description: 'updated',
    });
    expect(raw.body.website).toBeUndefined();
    const note = await gw.call('POST', `/unified/crm/notes?${qs({ truto_ignore_remote_data: 'true' })}`, {
      content: 'hi',
      account: { id: off.body.id },
    });
    expect(note.status).toBe(201);
    expect(note.body.remote_data).toBeUndefined();
    // Unknown query parameters on writes are a 400 too (nothing is written).
    const bad = await gw.call('POST', `/unified/crm/accounts?${qs({ include_remote_dat: 'false' })}`, {
      name: 'Never',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/include_remote_dat/);
    expect((await nativeAll('companies')).some((c) => c.name === 'Never')).toBe(false);
  });
});

describe('filters, sorting and paging', () => {
  it('remote_query[...] goes to Planhat unchanged; limit/offset and bracketed names on /proxy are refused', async () => {
    const archived = await nativeAll('tasks', { isArchived: 'true' });
    expect(archived.length).toBeGreaterThan(0);
    const { records } = await unifiedAll('crm/tasks', { 'remote_query[isArchived]': 'true' }, 20);
    expect(ids(records)).toEqual(ids(archived, '_id'));
    for (const r of records) expect(r.status).toBe('completed');
    for (const name of ['remote_query[limit]', 'remote_query[offset]']) {
      const r = await gw.call('GET', `/unified/crm/tasks?${qs({ [name]: '5' })}`);
      expect([r.status, r.body.message]).toEqual([400, expect.stringMatching(/not allowed/)]);
    }
    const conflict = await gw.call('GET', `/unified/crm/notes?${qs({ 'remote_query[type]': 'email' })}`);
    expect(conflict.status).toBe(400);
    expect((await gw.call('GET', `/proxy/tasks?${qs({ 'remote_query[isArchived]': 'true' })}`)).status).toBe(400);
  });

  it('sort_by[field]=asc|desc sorts like sort; a field that does not sort, two sorts or a bad direction are a 400', async () => {
    const bySort = await gw.call(
      'GET',
      `/unified/crm/accounts?${qs({ limit: 30, sort: '-name', truto_ignore_remote_data: 'true' })}`,
    );
    const bySortBy = await gw.call(
      'GET',
      `/unified/crm/accounts?${qs({ limit: 30, 'sort_by[name]': 'desc', truto_ignore_remote_data: 'true' })}`,
    );
    expect(bySortBy.status).toBe(200);
    const names = bySortBy.body.result.map((r: Json) => r.name);
    expect(names).toEqual(bySort.body.result.map((r: Json) => r.name));
    expect(names).toEqual([...names].sort().reverse());
    const asc = await gw.call(
      'GET',
      `/unified/crm/accounts?${qs({ limit: 30, 'sort_by[name]': 'asc', truto_ignore_remote_data: 'true' })}`,
    );
    expect(asc.body.result[0].name <= asc.body.result[29].name).toBe(true);
    for (const q of [{ 'sort_by[tags]': 'asc' }, { 'sort_by[name]': 'up' }, { 'sort_by[name]': 'asc', sort: 'name' }]) {
      expect((await gw.call('GET', `/unified/crm/accounts?${qs(q)}`)).status).toBe(400);
    }
  });

  it('created_at / updated_at with gt, gte, lt, lte bounds (in the gateway) give exactly the records between', async () => {
    const native = await nativeAll('tasks');
    const times = native.map((t) => t.createdAt as string).sort();
    const from = times[Math.floor(times.length / 4)];
    const to = times[Math.floor((3 * times.length) / 4)];
    const expected = native.filter((t) => t.createdAt >= from && t.createdAt < to);
    const { records } = await unifiedAll('crm/tasks', { 'created_at[gte]': from, 'created_at[lt]': to }, 15);
    expect(ids(records)).toEqual(ids(expected, '_id'));
    const gt = await unifiedAll('crm/tasks', { 'created_at[gt]': from, 'created_at[lte]': to }, 15);
    expect(ids(gt.records)).toEqual(
      ids(
        native.filter((t) => t.createdAt > from && t.createdAt <= to),
        '_id',
      ),
    );
    // Plain updated_at is "at or after", now on every resource with the field.
    const uFrom = native.map((t) => t.updatedAt as string).sort()[Math.floor(native.length / 2)];
    const upd = await unifiedAll('crm/tasks', { updated_at: uFrom }, 40);
    expect(ids(upd.records)).toEqual(
      ids(
        native.filter((t) => t.updatedAt >= uFrom),
        '_id',
      ),
    );
    expect((await gw.call('GET', `/unified/crm/tasks?${qs({ 'created_at[ne]': from })}`)).status).toBe(400);
    expect((await gw.call('GET', `/unified/crm/tasks?${qs({ 'created_at[gt]': 'yesterday' })}`)).status).toBe(400);
    expect((await gw.call('GET', `/unified/crm/fields?${qs({ 'created_at[gt]': from })}`)).status).toBe(200);
  });

  it('owner (in the gateway) and search_term (case-insensitive contains, in the gateway)', async () => {
    const companies = await nativeAll('companies');
    const owner = companies[0].owner as string;
    const byOwner = await unifiedAll('crm/accounts', { owner }, 10);
    expect(ids(byOwner.records)).toEqual(
      ids(
        companies.filter((c) => c.owner === owner),
        '_id',
      ),
    );
    for (const r of byOwner.records) expect(r.owner.id).toBe(owner);

    const endusers = await nativeAll('endusers');
    const term = (endusers[0].lastName as string).slice(0, 4).toUpperCase();
    const hit = (e: Json) =>
      ['name', 'firstName', 'lastName', 'email'].some(
        (k) => typeof e[k] === 'string' && e[k].toLowerCase().includes(term.toLowerCase()),
      );
    const found = await unifiedAll('crm/contacts', { search_term: term }, 10);
    expect(found.records.length).toBeGreaterThan(0);
    expect(ids(found.records)).toEqual(ids(endusers.filter(hit), '_id'));
    const tickets = await unifiedAll('ticketing/tickets', { search_term: 'LOG IN' }, 50);
    expect(tickets.records.length).toBeGreaterThan(0);
    for (const t of tickets.records) expect(`${t.name} ${t.description}`.toLowerCase()).toContain('log in');
  });

  it('prev_cursor walks back page by page to the first page (whose prev_cursor is null), with and without gateway filters', async () => {
    for (const [path, q, limit] of [
      ['crm/accounts', {}, 7],
      ['ticketing/tickets', { status: 'open,pending' }, 3],
    ] as const) {
      const { pages } = await unifiedAll(path, q, limit);
      expect(pages.length).toBeGreaterThan(3);
      expect(pages[0].prev_cursor).toBeNull();
      let page = pages[3];
      for (let i = 2; i >= 0; i--) {
        const back = await gw.call(
          'GET',
          `/unified/${path}?${qs({ ...q, prev_cursor: page.prev_cursor, truto_ignore_remote_data: 'true' })}`,
        );
        expect(back.status).toBe(200);
        expect(back.body.result.map((r: Json) => r.id)).toEqual(pages[i].result.map((r: Json) => r.id));
        page = back.body;
      }
      expect(page.prev_cursor).toBeNull();
      // Forward again from a page reached backwards.
      const fwd = await gw.call(
        'GET',
        `/unified/${path}?${qs({ ...q, next_cursor: page.next_cursor, truto_ignore_remote_data: 'true' })}`,
      );
      expect(fwd.body.result.map((r: Json) => r.id)).toEqual(pages[1].result.map((r: Json) => r.id));
    }
    const first = await gw.call('GET', `/unified/crm/accounts?${qs({ limit: 2 })}`);
    expect(
      (
        await gw.call(
          'GET',
          `/unified/crm/accounts?${qs({ limit: 2, next_cursor: first.body.next_cursor, prev_cursor: first.body.next_cursor })}`,
        )
      ).status,
    ).toBe(400);
    expect((await gw.call('GET', `/unified/crm/contacts?${qs({ prev_cursor: first.body.next_cursor })}`)).status).toBe(
      400,
    );
  });
});
