import { CursorCodec } from '../common/cursor';
import { MAX_JSON_DEPTH } from '../common/body-parsing';
import { ErrorCode, GatewayError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { PlanhatConnectionResolver, type PlanhatConnection } from '../accounts/planhat-connection';
import { PlanhatClient } from './planhat.client';
import { fieldChanges, PlanhatService } from './planhat.service';
import { gatewayFailure } from '../../test/support/gateway-error';
import { startRecordingSandbox, type RecordingSandbox } from '../../test/support/recording-sandbox';

type Rec = Record<string, unknown>;

/** The connection port, from a table of accounts (the one hand-written stand-in: Planhat itself is the sandbox). */
class TableResolver extends PlanhatConnectionResolver {
  readonly resolved: (string | undefined)[] = [];
  readonly unauthorized: string[] = [];
  readonly healthy: string[] = [];

  constructor(
    private readonly tokens: Record<string, string>,
    private readonly baseUrl: () => string,
  ) {
    super();
  }

  async resolve(accountId: string | undefined): Promise<PlanhatConnection> {
    this.resolved.push(accountId);
    if (!accountId) throw GatewayError.invalid('integrated_account_id is required');
    const token = this.tokens[accountId];
    if (token === undefined) throw GatewayError.notFound(`Integrated account ${accountId} not found`);
    return { accountId, baseUrl: this.baseUrl(), token, sandbox: true };
  }

  async reportUnauthorized(accountId: string): Promise<void> {
    this.unauthorized.push(accountId);
  }

  async reportHealthy(accountId: string): Promise<void> {
    this.healthy.push(accountId);
  }
}

/**
 * PlanhatService against the real sandbox over HTTP (started here on loopback, with fault injection)
 * through the real PlanhatClient and CursorCodec. The sandbox records the request lines it
 * receives, so a spec can tell what reached Planhat and what was refused before.
 */
describe('PlanhatService', () => {
  let sandbox: RecordingSandbox;
  let baseUrl = '';
  /** `METHOD /path?query` of every request the sandbox received. */
  let received: string[] = [];
  const resolver = new TableResolver({ a: 'token-a', b: 'token-b', revoked: 'revoked-token' }, () => baseUrl);
  let client: PlanhatClient;
  let service: PlanhatService;
  let companies: Rec[];

  beforeAll(async () => {
    sandbox = await startRecordingSandbox({
      seedCompanies: 25,
      rateLimitPerMin: 0,
      faults: true,
      authorize: (token) => token !== 'revoked-token',
    });
    ({ url: baseUrl, received } = sandbox);
    client = new PlanhatClient({ upstreamTimeoutMs: 10_000 } as AppConfig, resolver);
    service = new PlanhatService(
      client,
      resolver,
      new CursorCodec({ encryptionKey: 'k'.repeat(32) } as unknown as AppConfig),
    );
    companies = (await service.listPage('a', 'companies', {}, { limit: 5000 })).data.result;
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
    await sandbox.close();
  });

  beforeEach(() => {
    received.length = 0;
  });

  const failure = gatewayFailure;

  const fault = (match: string, kind: string) => sandbox.fault(match, kind);

  const ids = (rows: Rec[]) => rows.map((r) => r._id);

  describe('listPage: paging over Planhat offsets', () => {
    it('pages through every record with the cursor, each page the size asked for, the last one short', async () => {
      expect(companies.length).toBeGreaterThan(12);
      const seen: unknown[] = [];
      let cursor: string | null | undefined;
      let pages = 0;
      do {
        const page = await service.listPage('a', 'companies', {}, { limit: 6, next_cursor: cursor ?? undefined });
        expect(page.status).toBe(200);
        expect(page.data.result_count).toBe(page.data.result.length);
        if (page.data.next_cursor) expect(page.data.result_count).toBe(6);
        seen.push(...ids(page.data.result));
        cursor = page.data.next_cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(seen).toEqual(ids(companies));
      expect(pages).toBe(Math.floor(companies.length / 6) + 1);
    });

    it('the cursor keeps the page size and the Planhat parameters of the first page', async () => {
      const first = await service.listPage('a', 'companies', { sort: '-name' }, { limit: 4 });
      const second = await service.listPage(
        'a',
        'companies',
        { sort: '-name' },
        { next_cursor: first.data.next_cursor },
      );
      expect(received[1]).toBe('GET /companies?sort=-name&limit=4&offset=4');
      const eight = await service.listPage('a', 'companies', { sort: '-name' }, { limit: 8 });
      expect(ids([...first.data.result, ...second.data.result])).toEqual(ids(eight.data.result));
      expect(ids(eight.data.result)).not.toEqual(ids(companies.slice(0, 8)));
    });

    it('a cursor from another account, another resource, other filters or edited is a 400', async () => {
      const cursor = (await service.listPage('a', 'companies', { sort: 'name' }, { limit: 3 })).data.next_cursor!;
      const replays: [string, string, Rec, string][] = [
        ['b', 'companies', { sort: 'name' }, cursor],
        ['a', 'endusers', { sort: 'name' }, cursor],
        ['a', 'companies', { sort: '-name' }, cursor],
        ['a', 'companies', { sort: 'name' }, cursor.replace(/^./, (ch) => (ch === 'e' ? 'f' : 'e'))],
        ['a', 'companies', { sort: 'name' }, 'garbage'],
      ];
      for (const [account, resource, query, c] of replays) {
        const e = await failure(service.listPage(account, resource, query, { next_cursor: c }));
        expect(e.code).toBe(ErrorCode.INVALID_INPUT);
        expect(e.message).toMatch(/^next_cursor is invalid/);
      }
      expect(received).toHaveLength(1);
    });

    it('offset starts the page there; an empty cursor is no cursor; the default page is 100', async () => {
      const page = await service.listPage('a', 'companies', {}, { offset: '5', limit: '4', next_cursor: '' });
      expect(ids(page.data.result)).toEqual(ids(companies.slice(5, 9)));
      await service.listPage('a', 'companies', {}, {});
      expect(received[1]).toBe('GET /companies?limit=100&offset=0');
    });

    it('a limit above the model maximum is clamped to it', async () => {
      await service.listPage('a', 'endusers', {}, { limit: 100_000 });
      expect(received).toEqual(['GET /endusers?limit=2000&offset=0']);
    });

    it.each([
      ['limit', '0', 'limit must be at least 1, got "0"'],
      ['limit', '100001', 'limit must be at most 100000, got "100001"'],
      ['limit', '1e3', 'limit must be a whole number, got "1e3"'],
      ['limit', '0x10', 'limit must be a whole number, got "0x10"'],
      ['limit', ' 16 ', 'limit must be a whole number, got " 16 "'],
      ['offset', '-1', 'offset must be at least 0, got "-1"'],
      ['offset', 2.5, 'offset must be a whole number, got 2.5'],
    ])('%s=%j is refused before Planhat is called', async (name, value, message) => {
      const e = await failure(service.listPage('a', 'companies', {}, { [name]: value }));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toBe(message);
      expect(e.details).toEqual({ field: name });
      expect(received).toEqual([]);
    });

    it('with a byte budget the page is cut at whole records; the cursor resumes after the last one kept', async () => {
      const one = Buffer.byteLength(JSON.stringify(companies[0]));
      const page = await service.listPage('a', 'companies', {}, { limit: 10, maxBytes: one * 3 });
      const kept = page.data.result_count;
      expect(kept).toBeGreaterThanOrEqual(1);
      expect(kept).toBeLessThan(10);
      expect(ids(page.data.result)).toEqual(ids(companies.slice(0, kept)));
      expect(JSON.parse(`[${page.resultChunks!.map(String).join(',')}]`)).toEqual(page.data.result);
      const next = await service.listPage('a', 'companies', {}, { next_cursor: page.data.next_cursor });
      expect(ids(next.data.result)).toEqual(ids(companies.slice(kept, kept + 10)));
    });

    it('listPageJson is the same envelope as bytes, with the same cursor', async () => {
      const objects = await service.listPage('a', 'companies', { sort: 'name' }, { limit: 7 });
      const bytes = await service.listPageJson('a', 'companies', { sort: 'name' }, { limit: 7 });
      expect(JSON.parse(bytes.data.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(objects.data)));
      const last = await service.listPageJson('a', 'companies', {}, { offset: companies.length - 2 });
      expect(JSON.parse(last.data.toString('utf8'))).toMatchObject({ next_cursor: null, result_count: 2 });
    });
  });

  describe('list parameters', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('a query parameter named %s is a 400', async (name) => {
      const query = JSON.parse(`{"sort": "name", "${name}": "1"}`) as Rec;
      const e = await failure(service.listPage('a', 'companies', query));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toBe(`Query parameter name not allowed: ${name}`);
      expect(received).toEqual([]);
    });

    it('a repeated parameter, an object or a value over 4000 characters is a 400', async () => {
      const cases: [Rec, string][] = [
        [{ sort: ['name', '-name'] }, 'Query parameter sort was given more than once; pass one comma-separated value'],
        [{ select: { a: 1 } }, 'Query parameter select must be a string'],
        [{ whatever: 'x'.repeat(4001) }, 'Query parameter whatever is longer than 4000 characters'],
      ];
      for (const [query, message] of cases) {
        const e = await failure(service.listPage('a', 'companies', query));
        expect([e.code, e.message]).toEqual([ErrorCode.INVALID_INPUT, message]);
      }
      expect(received).toEqual([]);
    });

    it('unknown parameters go to Planhat as text; the gateway keys and undefined values do not', async () => {
      const query = { custom_flag: 7, integrated_account_id: 'a', limit: '9', skipped: undefined };
      await service.listPage('a', 'companies', query, { limit: 2 });
      expect(received).toEqual(['GET /companies?custom_flag=7&limit=2&offset=0']);
    });

    it('a repeated integrated_account_id is a 400 before any account is resolved', async () => {
      resolver.resolved.length = 0;
      for (const call of [
        () => service.listPage(['a', 'b'] as unknown as string, 'companies', {}),
        () => service.get(['a', 'a'] as unknown as string, 'companies', String(companies[0]._id)),
      ]) {
        const e = await failure(call());
        expect(e.code).toBe(ErrorCode.INVALID_INPUT);
        expect(e.message).toBe('Query parameter integrated_account_id was given more than once; pass one id');
      }
      expect(resolver.resolved).toEqual([]);
      expect(received).toEqual([]);
    });
  });

  describe('models and ids', () => {
    it('an unknown resource is a 404 listing the valid ones', async () => {
      const e = await failure(service.listPage('a', 'compnies', {}));
      expect(e.code).toBe(ErrorCode.NOT_FOUND);
      expect(e.message).toBe('Unknown resource "compnies"');
      expect(e.hint).toMatch(/^Valid resources: .*\bcompanies\b/);
    });

    it('an operation the model lacks is a 405; a ticket create points to the bulk upsert', async () => {
      const lean = await failure(service.create('a', 'leancompanies', { name: 'x' }));
      expect([lean.code, lean.status, lean.message]).toEqual([
        ErrorCode.METHOD_NOT_ALLOWED,
        405,
        'leancompanies does not support create',
      ]);
      expect(lean.hint).toBe('leancompanies supports: list');
      const ticket = await failure(service.create('a', 'tickets', { title: 'x' }));
      expect(ticket.hint).toMatch(/^Planhat writes tickets with a bulk upsert: POST \/proxy\/tickets\/bulk_upsert/);
      expect(received).toEqual([]);
    });

    it.each(['a/b', '..', '%2e%2e', '.', 'extid-', ' ', 'x\u0000y'])('id %j is a 400 before Planhat', async (id) => {
      const e = await failure(service.get('a', 'companies', id));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toMatch(/^Invalid id: /);
      expect(e.hint).toMatch(/extid-<externalId>/);
      expect(received).toEqual([]);
    });

    it("a record Planhat does not have is a 404 with Planhat's answer and a hint", async () => {
      const e = await failure(service.get('a', 'companies', '000000000000000000000000'));
      expect(e.code).toBe(ErrorCode.NOT_FOUND);
      expect(e.remote?.status).toBe(404);
      expect(e.hint).toMatch(/list operation/);
      expect(received).toEqual(['GET /companies/000000000000000000000000']);
    });

    it('ids are encoded into the path', async () => {
      await failure(service.get('a', 'companies', 'extid-a b?c'));
      expect(received).toEqual(['GET /companies/extid-a%20b%3Fc']);
    });
  });

  describe('writes', () => {
    it.each([
      [{}, 'Missing required field: name'],
      [{ name: 'x', csmScore: 'high' }, /^Invalid field csmScore: /],
      [{ name: 'x', csmScore: 7 }, 'csmScore must be between 1 and 5'],
      [JSON.parse('{"name":"x","custom":{"__proto__":{"p":1}}}') as Rec, 'Field name not allowed: custom.__proto__'],
      [[{ name: 'x' }], 'The body must be a JSON object with company fields'],
    ])('create %j is a 400 naming the problem, nothing sent', async (body, message) => {
      const e = await failure(service.create('a', 'companies', body));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      expect(received).toEqual([]);
    });

    it('a body nested deeper than the limit is a 400 before the schema walks it', async () => {
      let deep: Rec = { leaf: 1 };
      for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = { d: deep };
      const e = await failure(service.update('a', 'companies', String(companies[0]._id), { custom: deep }));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toMatch(/nested deeper than/);
      expect(received).toEqual([]);
    });

    it('create, get, update (with its before-image) and delete a record', async () => {
      const created = await service.create('a', 'companies', { name: 'Spec Co', phase: 'Onboarding' });
      const id = String(created.data._id);
      expect(created.data).toMatchObject({ name: 'Spec Co', phase: 'Onboarding' });
      expect((await service.get('a', 'companies', id)).data.name).toBe('Spec Co');

      const { before, result } = await service.updateWithBefore('a', 'companies', id, { phase: 'Adopting' });
      expect(before.phase).toBe('Onboarding');
      expect(result.data.phase).toBe('Adopting');

      const removed = await service.deleteWithBefore('a', 'companies', id);
      expect(removed.before.phase).toBe('Adopting');
      expect((await failure(service.get('a', 'companies', id))).code).toBe(ErrorCode.NOT_FOUND);
      expect(received.map((r) => r.split(' ')[0])).toEqual(['POST', 'GET', 'GET', 'PUT', 'GET', 'DELETE', 'GET']);
    });

    it('an update with a bad body reads nothing before refusing', async () => {
      const e = await failure(service.updateWithBefore('a', 'companies', String(companies[0]._id), { csmScore: 9 }));
      expect(e.message).toBe('csmScore must be between 1 and 5');
      expect(received).toEqual([]);
    });
  });

  describe('dry_run', () => {
    it('previewUpdate lists changed and unchanged fields (custom one level down) and writes nothing', async () => {
      const c = companies[1];
      const body = { name: c.name, phase: `${String(c.phase)} next`, custom: { SpecOnly: 'v' } };
      const preview = await service.previewUpdate('a', 'companies', String(c._id), body);
      expect(preview.data).toEqual({
        dry_run: true,
        _id: c._id,
        changes: [
          { field: 'phase', before: c.phase ?? null, after: body.phase },
          { field: 'custom.SpecOnly', before: null, after: 'v' },
        ],
        unchanged: ['name'],
      });
      expect(received.every((r) => r.startsWith('GET '))).toBe(true);
      expect((await service.get('a', 'companies', String(c._id))).data.phase).toBe(c.phase);
    });

    it('previewDelete shows the record that would go and deletes nothing', async () => {
      const c = companies[2];
      const preview = await service.previewDelete('a', 'companies', String(c._id));
      expect(preview.data).toEqual({ dry_run: true, would_delete: expect.objectContaining({ _id: c._id }) });
      expect(received).toEqual([`GET /companies/${String(c._id)}`]);
    });

    it('fieldChanges compares JSON values; absent and null are the same', () => {
      expect(fieldChanges({ a: [1, 2], b: null, custom: { x: 1 } }, { a: [1, 2], b: undefined, c: 0 })).toEqual({
        changes: [{ field: 'c', before: null, after: 0 }],
        unchanged: ['a', 'b'],
      });
      expect(fieldChanges({ custom: null }, { custom: { x: 1 } }).changes).toEqual([
        { field: 'custom.x', before: null, after: 1 },
      ]);
    });
  });

  describe('bulk upsert and duplicate', () => {
    it.each([
      [{ name: 'x' }, 'The body of a bulk upsert must be a JSON array of records'],
      [[], 'The bulk upsert array is empty'],
      [Array.from({ length: 5001 }, () => ({ name: 'x' })), /^At most 5000 items per bulk upsert \(got 5001\)/],
      [[{ name: 'ok' }, { csmScore: 'x' }], /^Item 1: Invalid field csmScore/],
    ])('bulk upsert of %#: a 400 before Planhat', async (items, message) => {
      const e = await failure(service.bulkUpsert('a', 'companies', items));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      expect(received).toEqual([]);
    });

    it('a bulk upsert creates and updates, and answers with Planhat’s summary', async () => {
      const res = await service.bulkUpsert('a', 'companies', [
        { name: 'Bulk Spec New', externalId: 'bulk-spec-1' },
        { _id: companies[3]._id, phase: 'Spec Phase' },
      ]);
      expect(res.data).toMatchObject({ created: 1, updated: 1 });
      expect(received).toEqual(['PUT /companies']);
    });

    it('duplicate: only time entries, body {ids} of 1 to 500 valid ids, answered with the copies', async () => {
      expect((await failure(service.duplicate('a', 'companies', { ids: ['x'] }))).code).toBe(
        ErrorCode.METHOD_NOT_ALLOWED,
      );
      expect((await failure(service.duplicate('a', 'time_entries', { ids: ['x'], more: 1 }))).message).toBe(
        'Unknown field: more',
      );
      for (const body of [{ ids: [] }, { ids: [1] }, {}, { ids: Array.from({ length: 501 }, () => 'x') }]) {
        expect((await failure(service.duplicate('a', 'time_entries', body))).message).toMatch(/^Invalid field ids/);
      }
      expect((await failure(service.duplicate('a', 'time_entries', { ids: ['a/b'] }))).message).toMatch(
        /^Invalid id in ids: /,
      );
      expect(received).toEqual([]);
      const entries = (await service.listPage('a', 'time_entries', {}, { limit: 2 })).data.result;
      const copies = await service.duplicate('a', 'time_entries', { ids: ids(entries) });
      expect(copies.data.result).toHaveLength(2);
      expect(ids(copies.data.result as Rec[])).not.toEqual(ids(entries));
    });
  });

  describe("Planhat's failures", () => {
    it('a 401 reports the account unauthorized and is an UPSTREAM_REJECTED 401 naming it', async () => {
      resolver.unauthorized.length = 0;
      const e = await failure(service.listPage('revoked', 'companies', {}));
      expect([e.code, e.status]).toEqual([ErrorCode.UPSTREAM_REJECTED, 401]);
      expect(e.hint).toMatch(/integrated account revoked/);
      expect(resolver.unauthorized).toEqual(['revoked']);
    });

    it('a success reports the account healthy', async () => {
      resolver.healthy.length = 0;
      await service.get('b', 'companies', String(companies[0]._id));
      expect(resolver.healthy).toEqual(['b']);
    });

    it('a 500, a 429 and an answer that is not JSON map to the error vocabulary', async () => {
      await fault('GET /companies', '500');
      const e500 = await failure(service.listPage('a', 'companies', {}));
      expect([e500.code, e500.status]).toEqual([ErrorCode.UPSTREAM_ERROR, 502]);
      await fault('GET /companies', '429');
      const e429 = await failure(service.listPageJson('a', 'companies', {}));
      expect(e429.code).toBe(ErrorCode.RATE_LIMITED);
      expect(e429.headers['retry-after']).toBe('1');
      await fault('GET /companies', 'malformed');
      const bad = await failure(service.get('a', 'companies', String(companies[0]._id)));
      expect([bad.code, bad.message]).toEqual([ErrorCode.UPSTREAM_ERROR, 'Planhat sent a response that is not JSON']);
    });

    it('a list answer that is not a JSON array is an upstream error, on every list path', async () => {
      for (const list of [
        () => service.listPage('a', 'companies', {}),
        () => service.listPage('a', 'companies', {}, { maxBytes: 10_000 }),
        () => service.listPageJson('a', 'companies', {}),
      ]) {
        await fault('GET /companies', 'malformed');
        expect((await failure(list())).code).toBe(ErrorCode.UPSTREAM_ERROR);
      }
    });
  });
});
