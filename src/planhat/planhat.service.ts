import { isUtf8 } from 'node:buffer';
import { Injectable } from '@nestjs/common';
import { CursorCodec } from '../common/cursor';
import { nestedTooDeep, valueDepthExceeds } from '../common/body-parsing';
import type { JsonPiece } from '../common/byte-writer';
import { ErrorCode, GatewayError } from '../common/errors';
import { isForbiddenKey } from '../common/forbidden-keys';
import {
  findModel,
  idProblem,
  listQuerySchema,
  modelKeys,
  recordProblem,
  supports,
  type ModelDef,
  type Operation,
} from './catalog';
import { PlanhatClient, type PlanhatRequest, type PlanhatResponse } from './planhat.client';
import { countJsonArray, ElementFields, type ScannedArray } from '../common/json-scan';
import { PlanhatConnectionResolver } from '../accounts/planhat-connection';
import type { RateLimitHeaders } from './rate-limit';

export interface Page<T = Record<string, unknown>> {
  result: T[];
  next_cursor: string | null;
  result_count: number;
}

/**
 * A page whose records are parsed when `result` is first read.
 *
 * Lazy values that hold a page are classes with a getter on the prototype, never object literals
 * with a getter. V8 builds such a literal at run time as a dictionary-mode object, and its getter
 * (a new closure each time, closing over the page) then survives young-generation collections.
 * The page's bytes lived until the next full collection: on the unified list, 31–36 full collections
 * per 8,000 requests instead of 1, with RSS and CPU to match (`--trace-gc`).
 */
class LazyPage implements Page {
  readonly #parse: () => Record<string, unknown>[];
  #rows?: Record<string, unknown>[];

  constructor(
    parse: () => Record<string, unknown>[],
    readonly result_count: number,
    readonly next_cursor: string | null,
  ) {
    this.#parse = parse;
  }

  get result(): Record<string, unknown>[] {
    this.#rows ??= this.#parse().slice(0, this.result_count);
    return this.#rows;
  }

  /** Serialised as the envelope it stands for. */
  toJSON(): Page {
    return { result: this.result, next_cursor: this.next_cursor, result_count: this.result_count };
  }
}

export interface Result<T> {
  data: T;
  status: number;
  rateLimit: RateLimitHeaders;
  /** `data.result` serialised (lists cut to a byte budget, where each record was serialised to measure it): see serializeWithinBudget. */
  resultChunks?: JsonPiece[];
}

/** Characters per serialised chunk: below V8's large-object threshold (128 KB), where strings are cheap. */
export const JSON_CHUNK_CHARS = 64 * 1024;

/**
 * Planhat's own JSON text of each record of a list page: `bytes` is the array as Planhat sent it and
 * record k is `bytes[bounds[2k]] .. bytes[bounds[2k+1] - 1]` (from countJsonArray). Lets a caller
 * write a record out without serialising the parsed object again.
 */
/** Planhat's list bytes, delimited record by record (fields with `recordFields`). */
export type RawRecords = ScannedArray;

/**
 * serializeWithinBudget over Planhat's own text: the records kept are one contiguous run of its bytes
 * (what lies between two records is a comma and maybe whitespace, so the run is valid JSON of them),
 * returned as a view, neither decoded nor copied. Its byte length is the budget's measure.
 */
function rawWithinBudget(raw: RawRecords, maxBytes: number): { kept: number; chunks: JsonPiece[] } {
  const { bytes, bounds } = raw;
  const count = bounds.length / 2;
  if (count === 0) return { kept: 0, chunks: [] };
  let kept = 1;
  while (kept < count && 2 + bounds[2 * kept + 1] - bounds[0] <= maxBytes) kept++;
  return { kept, chunks: [bytes.subarray(bounds[0], bounds[2 * kept - 1])] };
}

/**
 * How many leading records fit in a serialized size budget (at least one, so paging always advances),
 * and those records serialised once (the measure is the output) into chunks of whole records (strings under
 * ~64 KB, or one run of Planhat's bytes): `[${chunks.join(',')}]` is `JSON.stringify(rows.slice(0, kept))`
 * in meaning (byte for byte without `raw`; with it, each record is Planhat's own text of it). Used to cut MCP tool results at
 * whole records; the cursor then resumes after the last one kept.
 */
export function serializeWithinBudget(
  rows: readonly unknown[] | RawRecords,
  maxBytes: number,
): { kept: number; chunks: JsonPiece[] } {
  if (!Array.isArray(rows)) return rawWithinBudget(rows as RawRecords, maxBytes);
  const chunks: string[] = [];
  let parts: string[] = [];
  let chars = 0;
  let size = 2;
  let kept = 0;
  for (let i = 0; i < rows.length; i++) {
    const text = JSON.stringify(rows[i]) ?? 'null';
    size += Buffer.byteLength(text) + 1;
    if (size > maxBytes && i > 0) break;
    parts.push(text);
    kept++;
    chars += text.length + 1;
    if (chars >= JSON_CHUNK_CHARS) {
      chunks.push(parts.join(','));
      parts = [];
      chars = 0;
    }
    if (size > maxBytes) break;
  }
  if (parts.length > 0) chunks.push(parts.join(','));
  return { kept, chunks };
}

/** Query keys the gateway owns; everything else on a list is a Planhat parameter. */
const GATEWAY_KEYS = new Set(['integrated_account_id', 'next_cursor', 'limit', 'offset']);
const DEFAULT_LIMIT = 100;

/** The integrated account id of a request: a repeated `integrated_account_id` is a 400, not a lookup of "a,b". */
function accountParam(accountId: unknown): string | undefined {
  if (Array.isArray(accountId))
    throw GatewayError.invalid('Query parameter integrated_account_id was given more than once; pass one id');
  return accountId as string | undefined;
}

export interface ListOptions {
  limit?: unknown;
  next_cursor?: unknown;
  offset?: unknown;
}

const LIST_PREFIX = Buffer.from('{"result":');
/** Room read around a proxied list body for its envelope: the prefix, and a suffix with a cursor. */
const ENVELOPE_ROOM = { head: LIST_PREFIX.length, tail: 1024 };

interface ListCursor {
  /** offset of the next page */
  o: number;
  /** page size */
  l: number;
}

/**
 * Every catalog operation against one integrated account: model lookup, id checks, body validation
 * from the catalog, and cursor paging over Planhat's offset paging. The proxy routes, the unified
 * API and the MCP tools all go through this service.
 */
@Injectable()
export class PlanhatService {
  constructor(
    private readonly client: PlanhatClient,
    private readonly accounts: PlanhatConnectionResolver,
    private readonly cursors: CursorCodec,
  ) {}

  /** The model for a REST name; 404 listing the valid ones; 405 when it lacks the operation. */
  model(resource: string, op?: Operation): ModelDef {
    const model = findModel(resource);
    if (!model) {
      throw GatewayError.notFound(`Unknown resource "${resource}"`, `Valid resources: ${modelKeys().join(', ')}`);
    }
    if (op && !supports(model, op)) {
      // A model written only through bulk upsert (Planhat's tickets) gets pointed there.
      const hint =
        (op === 'create' || op === 'update') && supports(model, 'bulk_upsert')
          ? `Planhat writes ${model.label.many} with a bulk upsert: POST /proxy/${model.key}/bulk_upsert with an array (matched on _id, sourceId or ${model.externalIdField ?? 'externalId'}).`
          : `${model.key} supports: ${model.ops.join(', ')}`;
      throw new GatewayError(ErrorCode.METHOD_NOT_ALLOWED, `${model.key} does not support ${op}`, { hint });
    }
    return model;
  }

  private recordPath(model: ModelDef, id: string): string {
    const problem = idProblem(id);
    if (problem) {
      throw GatewayError.invalid(
        `Invalid id: ${problem}`,
        undefined,
        `Use the record's _id, extid-<externalId> or srcid-<sourceId>.`,
      );
    }
    return `${model.path}/${encodeURIComponent(id)}`;
  }

  private checkBody(model: ModelDef, body: unknown, mode: 'create' | 'update'): void {
    // HTTP bodies are measured by the JSON parser; this also covers values that arrive another way
    // (an MCP tool's JSON string argument), before the schema walks them or they are serialised.
    if (valueDepthExceeds(body)) throw nestedTooDeep();
    const problem = recordProblem(model, body, mode);
    if (problem) {
      throw GatewayError.invalid(
        problem.message,
        problem.issues.length ? problem.issues : undefined,
        problem.field ? `Check the field ${problem.field}.` : undefined,
      );
    }
  }

  /**
   * One page of a list, in the `{result, next_cursor, result_count}` envelope. `query` holds the
   * Planhat parameters (sort, select, filters); the cursor is bound to the resource, the account and
   * those parameters. A page shorter than the limit is the last one (Planhat has no total).
   * With `maxBytes`, the page is cut at whole records to fit (see serializeWithinBudget).
   */
  async listPage(
    accountId: string | undefined,
    resource: string,
    query: Record<string, unknown>,
    opts: ListOptions & { maxBytes?: number; rawRecords?: boolean; recordFields?: boolean } = {},
  ): Promise<Result<Page> & { records?: RawRecords }> {
    const req = await this.listRequest(accountId, resource, query, opts);
    if (!opts.rawRecords && opts.maxBytes === undefined) {
      const res = await this.client.call<unknown>(req.conn, req.request);
      const rows = this.listRows(req.model, res.status, res.body);
      const next =
        rows.length >= req.limit
          ? this.cursors.encode<ListCursor>(req.scope, { o: req.offset + rows.length, l: req.limit })
          : null;
      return {
        data: { result: rows, next_cursor: next, result_count: rows.length },
        status: 200,
        rateLimit: res.rateLimit,
      };
    }
    // Planhat's text of each record is kept (delimited by the scanner) to be written out as it came,
    // and the records are parsed only when `data.result` is read (an MCP answer written from the
    // text alone never reads it).
    const res = await this.client.callBytes(req.conn, req.request);
    const bounds: number[] = [];
    const fields: ElementFields | undefined = opts.recordFields ? new ElementFields() : undefined;
    let total = isUtf8(res.bytes) ? countJsonArray(res.bytes, bounds, fields) : -1;
    let records: RawRecords | undefined;
    let parse: () => Record<string, unknown>[];
    if (total >= 0) {
      records = { bytes: res.bytes, bounds, fields };
      parse = () => JSON.parse(res.bytes.toString('utf8')) as Record<string, unknown>[];
    } else {
      const rows = this.listRows(
        req.model,
        res.status,
        this.client.parseOk(res.status, res.bytes.toString('utf8'), res.rateLimit).body,
      );
      total = rows.length;
      parse = () => rows;
    }
    let count = total;
    let resultChunks: JsonPiece[] | undefined;
    if (opts.maxBytes !== undefined) {
      const cut = serializeWithinBudget(records ?? parse(), opts.maxBytes);
      resultChunks = cut.chunks;
      count = cut.kept;
    }
    const more = count < total || total >= req.limit;
    const next = more ? this.cursors.encode<ListCursor>(req.scope, { o: req.offset + count, l: req.limit }) : null;
    const data: Page = new LazyPage(parse, count, next);
    return { data, status: 200, rateLimit: res.rateLimit, resultChunks, records };
  }

  /**
   * The same page as listPage, as the JSON bytes of its envelope, with Planhat's array bytes spliced
   * in as they came: they are checked (one valid JSON array, UTF-8) and counted by a scanner that
   * builds nothing, instead of parsed and re-serialised (the proxy's pass-through).
   */
  async listPageJson(
    accountId: string | undefined,
    resource: string,
    query: Record<string, unknown>,
    opts: ListOptions = {},
  ): Promise<Result<Buffer>> {
    const req = await this.listRequest(accountId, resource, query, opts);
    const res = await this.client.callBytes(req.conn, req.request, ENVELOPE_ROOM);
    let array = res.bytes;
    let count = isUtf8(array) ? countJsonArray(array) : -1;
    if (count < 0) {
      // Not plainly a JSON array: JSON.parse decides (an error naming what Planhat sent, or a valid
      // body the scanner does not take, such as very deep nesting, re-serialised).
      const parsed = this.client.parseOk(res.status, array.toString('utf8'), res.rateLimit);
      const rows = this.listRows(req.model, res.status, parsed.body);
      array = Buffer.from(JSON.stringify(rows));
      count = rows.length;
    }
    const next =
      count >= req.limit ? this.cursors.encode<ListCursor>(req.scope, { o: req.offset + count, l: req.limit }) : null;
    const suffix = Buffer.from(`,"next_cursor":${JSON.stringify(next)},"result_count":${count}}`);
    let data: Buffer;
    if (array === res.bytes && res.frame && suffix.length <= ENVELOPE_ROOM.tail) {
      // The envelope written around Planhat's bytes where they were read, instead of copying them.
      const end = ENVELOPE_ROOM.head + array.length;
      LIST_PREFIX.copy(res.frame, 0);
      suffix.copy(res.frame, end);
      data = res.frame.subarray(0, end + suffix.length);
    } else {
      data = Buffer.concat([LIST_PREFIX, array, suffix]);
    }
    return { data, status: 200, rateLimit: res.rateLimit };
  }

  /** Model, account, Planhat parameters, offset/limit from the cursor or the query, and the request to send. */
  private async listRequest(
    accountId: string | undefined,
    resource: string,
    query: Record<string, unknown>,
    opts: ListOptions,
  ) {
    const model = this.model(resource, 'list');
    const conn = await this.accounts.resolve(accountParam(accountId));
    const params = this.planhatParams(model, query);
    const scope = CursorCodec.scope('proxy', model.key, conn.accountId, params);

    let offset = 0;
    let limit = DEFAULT_LIMIT;
    if (opts.next_cursor !== undefined && opts.next_cursor !== '') {
      const c = this.cursors.decode<ListCursor>(scope, String(opts.next_cursor));
      offset = c.o;
      limit = c.l;
    } else if (opts.offset !== undefined) {
      offset = this.intParam('offset', opts.offset, 0, 10_000_000);
    }
    if (opts.limit !== undefined) limit = this.intParam('limit', opts.limit, 1, 100_000);
    limit = Math.min(limit, model.maxLimit);
    const request: PlanhatRequest = { method: 'GET', path: model.path, query: { ...params, limit, offset } };
    return { model, conn, scope, offset, limit, request };
  }

  private listRows(model: ModelDef, status: number, body: unknown): Record<string, unknown>[] {
    if (!Array.isArray(body)) {
      throw new GatewayError(
        ErrorCode.UPSTREAM_ERROR,
        `Planhat answered the ${model.key} list with something that is not an array`,
        {
          remote: { status, body },
        },
      );
    }
    return body as Record<string, unknown>[];
  }

  /** Validates list parameters against the catalog and keeps unknown ones for Planhat (it ignores them). */
  planhatParams(model: ModelDef, query: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    const schema = listQuerySchema(model);
    for (const [k, v] of Object.entries(query)) {
      if (GATEWAY_KEYS.has(k) || v === undefined) continue;
      if (isForbiddenKey(k)) throw GatewayError.invalid(`Query parameter name not allowed: ${k}`);
      if (Array.isArray(v))
        throw GatewayError.invalid(`Query parameter ${k} was given more than once; pass one comma-separated value`);
      if (typeof v === 'object' && v !== null) throw GatewayError.invalid(`Query parameter ${k} must be a string`);
      const value = String(v);
      const field = schema.shape[k as keyof typeof schema.shape] as
        { safeParse?: (x: unknown) => { success: boolean } } | undefined;
      if (field?.safeParse && !field.safeParse(value).success) {
        throw GatewayError.invalid(`Invalid query parameter ${k}: "${value.slice(0, 100)}"`);
      }
      if (value.length > 4000) throw GatewayError.invalid(`Query parameter ${k} is longer than 4000 characters`);
      out[k] = value;
    }
    return out;
  }

  private intParam(name: string, v: unknown, min: number, max: number): number {
    // Decimal digits only: Number() would also take '0x10', '1e3', ' 16 ' and ''.
    const n = typeof v === 'number' ? v : /^-?\d{1,16}$/.test(String(v)) ? Number(String(v)) : NaN;
    const refuse = (what: string) =>
      GatewayError.invalid(
        `${name} must be ${what}, got ${JSON.stringify(typeof v === 'number' ? v : String(v).slice(0, 40))}`,
        { field: name },
        `${name} is an integer from ${min} to ${max}.`,
      );
    if (!Number.isInteger(n)) throw refuse('a whole number');
    if (n < min) throw refuse(`at least ${min}`);
    if (n > max) throw refuse(`at most ${max}`);
    return n;
  }

  async get(accountId: string | undefined, resource: string, id: string): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'get');
    const path = this.recordPath(model, id);
    const conn = await this.accounts.resolve(accountParam(accountId));
    return this.wrap(await this.client.call(conn, { method: 'GET', path }));
  }

  async create(
    accountId: string | undefined,
    resource: string,
    body: unknown,
  ): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'create');
    this.checkBody(model, body, 'create');
    const conn = await this.accounts.resolve(accountParam(accountId));
    return this.wrap(await this.client.call(conn, { method: 'POST', path: model.path, body }));
  }

  async update(
    accountId: string | undefined,
    resource: string,
    id: string,
    body: unknown,
  ): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'update');
    const path = this.recordPath(model, id);
    this.checkBody(model, body, 'update');
    const conn = await this.accounts.resolve(accountParam(accountId));
    return this.wrap(await this.client.call(conn, { method: 'PUT', path, body }));
  }

  /**
   * An update whose caller also needs the record as it was just before (the MCP change log's
   * before-image): the id and body are checked first, then one GET, then the update.
   */
  async updateWithBefore(
    accountId: string | undefined,
    resource: string,
    id: string,
    body: unknown,
  ): Promise<{ before: Record<string, unknown>; result: Result<Record<string, unknown>> }> {
    const model = this.model(resource, 'update');
    this.recordPath(model, id);
    this.checkBody(model, body, 'update');
    const before = (await this.get(accountId, resource, id)).data;
    return { before, result: await this.update(accountId, resource, id, body) };
  }

  /** A delete with the record as it was just before (one GET first, after the id is checked). */
  async deleteWithBefore(
    accountId: string | undefined,
    resource: string,
    id: string,
  ): Promise<{ before: Record<string, unknown>; result: Result<Record<string, unknown>> }> {
    this.recordPath(this.model(resource, 'delete'), id);
    const before = (await this.get(accountId, resource, id)).data;
    return { before, result: await this.delete(accountId, resource, id) };
  }

  /**
   * dry_run of an update: the record as it is now (one GET) against the body, field by field
   * (`custom` one level down, as `custom.<name>`); nothing is written.
   */
  async previewUpdate(
    accountId: string | undefined,
    resource: string,
    id: string,
    body: unknown,
  ): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'update');
    this.checkBody(model, body, 'update');
    const current = await this.get(accountId, resource, id);
    const { changes, unchanged } = fieldChanges(current.data, body as Record<string, unknown>);
    return {
      ...current,
      resultChunks: undefined,
      data: { dry_run: true, _id: current.data._id ?? id, changes, unchanged },
    };
  }

  /** dry_run of a delete: the record that would be deleted (one GET); nothing is deleted. */
  async previewDelete(
    accountId: string | undefined,
    resource: string,
    id: string,
  ): Promise<Result<Record<string, unknown>>> {
    this.model(resource, 'delete');
    const current = await this.get(accountId, resource, id);
    return { ...current, resultChunks: undefined, data: { dry_run: true, would_delete: current.data } };
  }

  async delete(accountId: string | undefined, resource: string, id: string): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'delete');
    const path = this.recordPath(model, id);
    const conn = await this.accounts.resolve(accountParam(accountId));
    return this.wrap(await this.client.call(conn, { method: 'DELETE', path }));
  }

  async bulkUpsert(
    accountId: string | undefined,
    resource: string,
    items: unknown,
  ): Promise<Result<Record<string, unknown>>> {
    const model = this.model(resource, 'bulk_upsert');
    if (!Array.isArray(items)) throw GatewayError.invalid('The body of a bulk upsert must be a JSON array of records');
    if (items.length === 0) throw GatewayError.invalid('The bulk upsert array is empty');
    if (items.length > 5000)
      throw GatewayError.invalid(
        `At most 5000 items per bulk upsert (got ${items.length}); send batches one after another`,
      );
    if (valueDepthExceeds(items)) throw nestedTooDeep();
    items.forEach((item, i) => {
      const problem = recordProblem(model, item, 'update');
      if (problem)
        throw GatewayError.invalid(`Item ${i}: ${problem.message}`, problem.issues.length ? problem.issues : undefined);
    });
    const conn = await this.accounts.resolve(accountParam(accountId));
    return this.wrap(await this.client.call(conn, { method: 'PUT', path: model.path, body: items }));
  }

  /** Planhat's `POST {path}/duplicate {ids}` (time entries): `{result: [the copies]}`. */
  async duplicate(
    accountId: string | undefined,
    resource: string,
    body: unknown,
  ): Promise<Result<{ result: unknown[] }>> {
    const model = this.model(resource);
    if (!model.duplicate) {
      throw new GatewayError(ErrorCode.METHOD_NOT_ALLOWED, `${model.key} does not support duplicate`, {
        hint: 'Planhat duplicates time entries only: POST /proxy/time_entries/duplicate {"ids": [...]}',
      });
    }
    const ids =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>).ids
        : undefined;
    const keys = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
    if (keys.some((k) => k !== 'ids'))
      throw GatewayError.invalid(
        `Unknown field: ${keys.find((k) => k !== 'ids')}`,
        undefined,
        'The body is {"ids": [...]}',
      );
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 500 || !ids.every((x) => typeof x === 'string')) {
      throw GatewayError.invalid(
        'Invalid field ids: give 1 to 500 record ids (strings)',
        undefined,
        'The body is {"ids": ["<_id>", ...]}',
      );
    }
    for (const id of ids as string[]) {
      const problem = idProblem(id);
      if (problem) throw GatewayError.invalid(`Invalid id in ids: ${problem}`);
    }
    const conn = await this.accounts.resolve(accountParam(accountId));
    const res = await this.client.call<unknown>(conn, {
      method: 'POST',
      path: `${model.path}/duplicate`,
      body: { ids },
    });
    if (!Array.isArray(res.body)) {
      throw new GatewayError(
        ErrorCode.UPSTREAM_ERROR,
        'Planhat answered the duplicate with something that is not an array',
        { remote: { status: res.status, body: res.body } },
      );
    }
    return { data: { result: res.body }, status: res.status, rateLimit: res.rateLimit };
  }

  private wrap(res: PlanhatResponse<unknown>): Result<Record<string, unknown>> {
    const body = res.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatewayError(ErrorCode.UPSTREAM_ERROR, 'Planhat answered with something that is not a JSON object', {
        remote: { status: res.status, body },
      });
    }
    return { data: body as Record<string, unknown>, status: res.status, rateLimit: res.rateLimit };
  }
}

/** One field an update would change: its path (`custom.<name>` inside custom), the value now and the value sent. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields of `body` whose value differs from `current`'s (JSON equality), and those that would stay the same. */
export function fieldChanges(
  current: Record<string, unknown>,
  body: Record<string, unknown>,
): { changes: FieldChange[]; unchanged: string[] } {
  const changes: FieldChange[] = [];
  const unchanged: string[] = [];
  const compare = (field: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before ?? null) === JSON.stringify(after ?? null)) unchanged.push(field);
    else changes.push({ field, before: before ?? null, after: after ?? null });
  };
  for (const [key, after] of Object.entries(body)) {
    if (key === 'custom' && after !== null && typeof after === 'object' && !Array.isArray(after)) {
      const was = (current.custom ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(after as Record<string, unknown>))
        compare(`custom.${name}`, Object.prototype.hasOwnProperty.call(was, name) ? was[name] : undefined, value);
    } else {
      compare(key, Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined, after);
    }
  }
  return { changes, unchanged };
}
