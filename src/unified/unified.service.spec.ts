import { CursorCodec } from '../common/cursor';
import type { AppConfig } from '../config/app-config';
import type { PlanhatService } from '../planhat/planhat.service';
import { countJsonArray, ElementFields } from '../common/json-scan';
import { normalizeTicketStatus } from './mappers/tickets';
import { unifiedSchemas } from './unified.schemas';
import { UnifiedService } from './unified.service';
import { findUnifiedResource } from './unified-resources';

const STATUSES = ['open', 'pending', 'solved', 'closed', 'hold'];
const TICKETS = Array.from({ length: 253 }, (_, i) => ({
  _id: `t${String(i).padStart(3, '0')}`,
  status: STATUSES[(i * 7 + (i >> 3)) % 5],
  companyId: `c${i % 4}`,
}));

/** A fake Planhat list over TICKETS with offset paging and the companyId filter, counting calls. */
function fakePlanhat(text: (rows: object[]) => string = (rows) => JSON.stringify(rows, null, 1)) {
  const calls: { offset: number; limit: number }[] = [];
  const planhat = {
    listPage: async (
      _a: string,
      _r: string,
      query: Record<string, string>,
      opts: { offset: number; limit: number; rawRecords?: boolean; recordFields?: boolean },
    ) => {
      calls.push(opts);
      const rows = TICKETS.filter((t) => !query.companyId || t.companyId === query.companyId).slice(
        opts.offset,
        opts.offset + opts.limit,
      );
      // Planhat's text of the page, spaced unlike JSON.stringify, so a spliced record is recognisable.
      const bytes = Buffer.from(text(rows));
      const bounds: number[] = [];
      const fields = opts.recordFields ? new ElementFields() : undefined;
      countJsonArray(bytes, bounds, fields);
      const records = opts.rawRecords ? { bytes, bounds, fields } : undefined;
      return {
        data: { result: rows, next_cursor: null, result_count: rows.length },
        status: 200,
        rateLimit: { 'ratelimit-remaining': '99' },
        records,
      };
    },
  } as unknown as PlanhatService;
  return { planhat, calls };
}

const codec = new CursorCodec({ encryptionKey: 'k'.repeat(32) } as unknown as AppConfig);

async function pageAll(svc: UnifiedService, query: Record<string, unknown>) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await svc.list('ticketing', 'tickets', 'acct', {
      ...query,
      ...(cursor ? { next_cursor: cursor } : {}),
    });
    ids.push(...res.data.result.map((r) => (r as { id: string }).id));
    cursor = res.data.next_cursor;
    if (cursor) expect(res.data.result_count).toBe(query.limit);
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
}

describe('UnifiedService.list paging', () => {
  it.each([
    [{ limit: 5 }],
    [{ limit: 5, include_remote_data: 'false' }],
    [{ limit: 4, status: 'closed,resolved' }],
    [{ limit: 3, account_id: 'c2', include_remote_data: 'false' }],
  ])("listJson is list as JSON bytes, remote_data spliced from Planhat's own text (%j)", async (query) => {
    const svc = new UnifiedService(fakePlanhat().planhat, codec);
    const objects = await svc.list('ticketing', 'tickets', 'acct', query);
    const bytes = await svc.listJson('ticketing', 'tickets', 'acct', query);
    expect(JSON.parse(bytes.data.toString())).toEqual(objects.data);
    expect(bytes.rateLimit).toEqual(objects.rateLimit);
    const text = bytes.data.toString();
    if ((query as Record<string, unknown>).include_remote_data === 'false') expect(text).not.toContain('remote_data');
    else expect(text).toContain('"remote_data":{\n  "_id"');
  });

  it('listJson maps parsed records where a key holds an escape (its bytes are not its name)', async () => {
    const escaped = fakePlanhat((rows) => JSON.stringify(rows).replaceAll('"status":', '"st\\u0061tus":')).planhat;
    const svc = new UnifiedService(escaped, codec);
    const bytes = await svc.listJson('ticketing', 'tickets', 'acct', { limit: 5 });
    const page = JSON.parse(bytes.data.toString()) as { result: { status: { name: string }; remote_data: object }[] };
    expect(page.result).toHaveLength(5);
    expect(page.result.map((r) => r.status.name)).toEqual(
      TICKETS.slice(0, 5).map((t) => normalizeTicketStatus(t.status)),
    );
    expect(page.result.map((r) => r.remote_data)).toEqual(TICKETS.slice(0, 5));
  });

  it.each([[{}], [{ status: 'closed,resolved' }]])(
    'a size budget cuts pages at whole records and resumes after the last one (%j)',
    async (filter) => {
      const svc = new UnifiedService(fakePlanhat().planhat, codec);
      const all: string[] = [];
      const budgeted: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await svc.list(
          'ticketing',
          'tickets',
          'acct',
          { limit: 100, ...filter, ...(cursor ? { next_cursor: cursor } : {}) },
          { maxBytes: 3000 },
        );
        expect(JSON.stringify(res.data.result).length).toBeLessThanOrEqual(3000);
        budgeted.push(...res.data.result.map((r) => (r as { id: string }).id));
        cursor = res.data.next_cursor;
        pages++;
      } while (cursor && pages < 1000);
      cursor = null;
      do {
        const res = await svc.list('ticketing', 'tickets', 'acct', {
          limit: 100,
          ...filter,
          ...(cursor ? { next_cursor: cursor } : {}),
        });
        all.push(...res.data.result.map((r) => (r as { id: string }).id));
        cursor = res.data.next_cursor;
      } while (cursor);
      expect(pages).toBeGreaterThan(Math.ceil(all.length / 100));
      expect(budgeted).toEqual(all);
    },
  );

  it.each([1, 3, 7, 50, 100, 101, 253, 500])(
    'gateway filter (status) with limit %i: every match exactly once, in Planhat order',
    async (limit) => {
      const svc = new UnifiedService(fakePlanhat().planhat, codec);
      const { ids } = await pageAll(svc, { limit, status: 'closed,resolved' });
      const expected = TICKETS.filter((t) => ['closed', 'resolved'].includes(normalizeTicketStatus(t.status))).map(
        (t) => t._id,
      );
      expect(ids).toEqual(expected);
    },
  );

  it.each([1, 7, 253, 300])(
    'Planhat-side filter only with limit %i: exact pages, null cursor on the last',
    async (limit) => {
      const { planhat } = fakePlanhat();
      const svc = new UnifiedService(planhat, codec);
      const { ids, pages } = await pageAll(svc, { limit, account_id: 'c1' });
      const expected = TICKETS.filter((t) => t.companyId === 'c1').map((t) => t._id);
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / limit));
    },
  );

  it('passes rate-limit headers through and reads Planhat pages of at least 100 while filtering', async () => {
    const { planhat, calls } = fakePlanhat();
    const svc = new UnifiedService(planhat, codec);
    const res = await svc.list('ticketing', 'tickets', 'acct', { limit: 2, status: 'pending' });
    expect(res.rateLimit).toEqual({ 'ratelimit-remaining': '99' });
    expect(calls[0]).toMatchObject({ offset: 0, limit: 100 });
  });

  it('rejects a cursor replayed with another account, and a limit above the maximum', async () => {
    const svc = new UnifiedService(fakePlanhat().planhat, codec);
    const first = await svc.list('ticketing', 'tickets', 'acct', { limit: 5 });
    await expect(
      svc.list('ticketing', 'tickets', 'other', { next_cursor: first.data.next_cursor }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(svc.list('ticketing', 'tickets', 'acct', { limit: 2001 })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('limit'),
    });
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'a query parameter named %s is a 400 before Planhat',
    async (k) => {
      const { planhat, calls } = fakePlanhat();
      const svc = new UnifiedService(planhat, codec);
      const query = JSON.parse(`{"limit": "2", "${k}": "x"}`) as Record<string, unknown>;
      const refusal = { status: 400, message: `Query parameter name not allowed: ${k}` };
      await expect(svc.list('ticketing', 'tickets', 'acct', query)).rejects.toMatchObject(refusal);
      await expect(svc.get('ticketing', 'tickets', 'acct', 't001', query)).rejects.toMatchObject(refusal);
      expect(calls).toEqual([]);
    },
  );

  it('404 for an unknown resource, 405 for an operation the resource lacks', async () => {
    const svc = new UnifiedService(fakePlanhat().planhat, codec);
    await expect(svc.list('crm', 'widgets', 'acct', {})).rejects.toMatchObject({ status: 404 });
    await expect(svc.create('ticketing', 'users', 'acct', {})).rejects.toMatchObject({ status: 405 });
  });
});

describe('unifiedSchemas', () => {
  it('create requires the required unified fields and describes every field', () => {
    const s = unifiedSchemas(findUnifiedResource('crm', 'contacts')!);
    const r = s.create.safeParse({ first_name: 'A' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path[0]).sort()).toEqual(['account', 'email_addresses']);
    for (const [name, field] of Object.entries(s.create.shape))
      expect([name, typeof (field as { description?: string }).description]).toEqual([name, 'string']);
    expect(Object.keys(s.listQuery.shape)).toEqual(
      expect.arrayContaining(['limit', 'next_cursor', 'include_remote_data', 'sort', 'account_id', 'email']),
    );
    expect(s.update.safeParse({}).success).toBe(true);
  });
});
