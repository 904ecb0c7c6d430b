import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ByteWriter, type JsonPiece } from '../common/byte-writer';
import { CursorCodec } from '../common/cursor';
import { ErrorCode, GatewayError } from '../common/errors';
import { parseDryRun } from '../common/dry-run';
import { isForbiddenKey } from '../common/forbidden-keys';
import { fieldChanges, PlanhatService, serializeWithinBudget, type RawRecords } from '../planhat/planhat.service';
import type { RateLimitHeaders } from '../planhat/rate-limit';
import { mapperOf, type Native, type UnifiedMapper } from './mappers';
import { rawRecordWriterOf, type RawRecord } from './fast/raw';
import { filtersOf, rangeTest, takeBracketed } from './filters';
import {
  DEFAULT_LIMIT,
  maxLimitOf,
  outputMode,
  parseOr400,
  sortFields,
  unifiedSchemas,
  type OutputMode,
} from './unified.schemas';
import { findUnifiedResource, type UnifiedOp, type UnifiedResourceDef } from './unified-resources';

export interface UnifiedPage {
  result: object[];
  next_cursor: string | null;
  prev_cursor: string | null;
  result_count: number;
}

export interface UnifiedResult<T> {
  data: T;
  rateLimit: RateLimitHeaders;
  /** `data.result` serialised (lists cut to a byte budget, where each record was serialised to measure it): see serializeWithinBudget. */
  resultChunks?: JsonPiece[];
  /** Set when a write was applied but reading the record back failed (the same text is in `data.warnings`). */
  readBackFailed?: boolean;
}

/**
 * Cursor state: the Planhat offset of the first record not yet examined, the page size, and the
 * Planhat offsets where the pages before it started (for prev_cursor; the last PREV_DEPTH kept).
 */
interface UnifiedCursor {
  o: number;
  l: number;
  s?: number[];
}

/** Pages a prev_cursor can walk back. */
const PREV_DEPTH = 50;

/** Smallest Planhat page fetched while filtering in the gateway (fewer round trips for sparse matches). */
const MIN_SCAN_PAGE = 100;

const LIST_HEAD = Buffer.from('{"result":[');
const COMMA = 0x2c;

/**
 * The records of one unified page (see collect); `rows` are parsed when first read. A class, not an
 * object literal with a getter: see LazyPage in planhat.service for what such a literal costs.
 */
class Collected {
  #rows?: Native[];

  constructor(
    readonly mapper: UnifiedMapper,
    readonly mode: OutputMode,
    readonly count: number,
    private readonly rowsOf: () => Native[],
    readonly raws: RawRecord[] | undefined,
    readonly positions: number[],
    readonly resume: number | null,
    readonly rateLimit: RateLimitHeaders,
    readonly cursor: (o: number | null) => string | null,
    readonly prevCursor: string | null,
  ) {}

  get includeRemoteData(): boolean {
    return this.mode.includeRemoteData;
  }

  /** One record as answered: Planhat's own (raw) or mapped. */
  answer(n: Native): object {
    return this.mode.format === 'raw'
      ? n
      : this.mapper.toUnified(n, { includeRemoteData: this.mode.includeRemoteData });
  }

  get rows(): Native[] {
    this.#rows ??= this.rowsOf();
    return this.#rows;
  }
}

/**
 * The unified API over Planhat: resource lookup, validation with the unified zod schemas, the pure
 * mappers, and cursor paging (with gateway-side filters) over PlanhatService's offset paging.
 * The REST controller and the MCP unified tools both call this.
 */
@Injectable()
export class UnifiedService {
  constructor(
    private readonly planhat: PlanhatService,
    private readonly cursors: CursorCodec,
  ) {}

  /** The resource definition; 404 when unknown, 405 when it lacks the operation. */
  resource(api: string, resource: string, op?: UnifiedOp): UnifiedResourceDef {
    const def = findUnifiedResource(api, resource);
    if (!def) {
      throw GatewayError.notFound(
        `Unknown unified resource "${api}/${resource}"`,
        'Valid: crm/{accounts,contacts,users,opportunities,tasks,notes,engagements,fields,projects}, ticketing/{tickets,accounts,contacts,users,fields,workspaces,collections}',
      );
    }
    if (op && !def.ops.includes(op)) {
      throw new GatewayError(ErrorCode.METHOD_NOT_ALLOWED, `${api}/${resource} does not support ${op}`, {
        hint: `${api}/${resource} supports: ${def.ops.join(', ')}`,
      });
    }
    return def;
  }

  /**
   * One page of a unified list. `opts.maxBytes` (MCP's response budget) cuts the page at whole
   * records; the cursor then resumes right after the last record returned.
   */
  async list(
    api: string,
    resource: string,
    accountId: string | undefined,
    query: Record<string, unknown>,
    opts: { maxBytes?: number } = {},
  ): Promise<UnifiedResult<UnifiedPage>> {
    const c = await this.collect(api, resource, accountId, query, false);
    let result = c.rows.map((n) => c.answer(n));
    let resume = c.resume;
    let resultChunks: JsonPiece[] | undefined;
    if (opts.maxBytes !== undefined) {
      const cut = serializeWithinBudget(result, opts.maxBytes);
      resultChunks = cut.chunks;
      if (cut.kept < result.length) {
        result = result.slice(0, cut.kept);
        resume = c.positions[cut.kept - 1] + 1;
      }
    }
    return {
      data: { result, next_cursor: c.cursor(resume), prev_cursor: c.prevCursor, result_count: result.length },
      rateLimit: c.rateLimit,
      resultChunks,
    };
  }

  /**
   * The same page as list, as the JSON bytes of its `{result, next_cursor, result_count}` envelope,
   * written from Planhat's own text of each record (fast/raw.ts): one-to-one fields and `remote_data` are
   * copied, not parsed and serialised again. A record the writer does not take is parsed, mapped and serialised.
   */
  async listJson(
    api: string,
    resource: string,
    accountId: string | undefined,
    query: Record<string, unknown>,
  ): Promise<UnifiedResult<Buffer>> {
    const c = await this.collect(api, resource, accountId, query, true);
    const raw = c.mode.format === 'raw';
    const writer = raw ? undefined : rawRecordWriterOf(c.mapper);
    let size = 256;
    for (const r of c.raws ?? [])
      size += (c.includeRemoteData ? 2 : 1) * (r.page.bounds[2 * r.index + 1] - r.page.bounds[2 * r.index]) + 64;
    const out = new ByteWriter(size);
    out.bytes(LIST_HEAD);
    for (let i = 0; i < c.count; i++) {
      if (i > 0) out.byte(COMMA);
      const record = c.raws?.[i];
      if (record && raw) {
        out.bytes(record.page.bytes, record.page.bounds[2 * record.index], record.page.bounds[2 * record.index + 1]);
        continue;
      }
      if (record && writer?.(record.page, record.index, out, c.includeRemoteData)) continue;
      const native = record ? (JSON.parse(rawText(record)) as Native) : c.rows[i];
      out.json(c.answer(native));
    }
    out.text(
      `],"next_cursor":${JSON.stringify(c.cursor(c.resume))},"prev_cursor":${JSON.stringify(c.prevCursor)},"result_count":${c.count}}`,
    );
    return { data: out.result(), rateLimit: c.rateLimit };
  }

  /**
   * The Planhat records of one unified page: query validated, filters split into Planhat parameters
   * and gateway predicates, cursor decoded, pages fetched (and filtered) until the page is full.
   * `positions[i]` is the native offset of record i, `resume` the next offset (null at the end);
   * with `rawRecords`, `raws[i]` is Planhat's own JSON text of record i, when it could be delimited,
   * and `rows` (the parsed records) are parsed only when read.
   */
  private async collect(
    api: string,
    resource: string,
    accountId: string | undefined,
    query: Record<string, unknown>,
    rawRecords: boolean,
  ) {
    const def = this.resource(api, resource, 'list');
    const mapper = mapperOf(def);
    const plain = stripEmpty(query);
    const bracketed = takeBracketed(plain);
    const q = parseOr400(unifiedSchemas(def).listQuery, plain, 'query parameter') as Record<string, unknown>;
    const mode = outputMode(q);

    // Split filters into Planhat parameters and gateway predicates.
    const params: Record<string, string> = { ...(mapper.fixedQuery ?? {}) };
    const tests: ((n: Native) => boolean)[] = [];
    const filterValues: Record<string, string> = {};
    for (const [name, rule] of Object.entries(filtersOf(mapper))) {
      const v = q[name];
      if (v === undefined) continue;
      const value = String(v);
      filterValues[name] = value;
      if (rule.param) params[rule.param] = rule.paramValue ? rule.paramValue(value) : value;
      else if (rule.test) tests.push((n) => rule.test!(n, value));
    }
    for (const { field, op, value } of bracketed.ranges) {
      const f = mapper.fields.find((x) => x.unified === field && !x.read);
      if (!f)
        throw GatewayError.invalid(
          `Query parameter ${field}[${op}] does not apply: ${def.api}/${def.resource} has no ${field}`,
        );
      filterValues[`${field}[${op}]`] = value;
      tests.push(rangeTest(f.native, op, value));
    }
    for (const [name, value] of Object.entries(bracketed.remoteQuery)) {
      if (name in params)
        throw GatewayError.invalid(
          `Query parameter remote_query[${name}] conflicts with a filter the gateway sends as ${name}`,
        );
      params[name] = value;
      filterValues[`remote_query[${name}]`] = value;
    }
    if (mapper.accepts) tests.push(mapper.accepts);
    if (bracketed.sortBy) {
      if (q.sort !== undefined) throw GatewayError.invalid('Give sort or sort_by[field], not both');
      q.sort = `${bracketed.sortBy.desc ? '-' : ''}${bracketed.sortBy.field}`;
      if (!sortFields(mapper).has(bracketed.sortBy.field)) {
        throw GatewayError.invalid(
          `Invalid query parameter sort_by[${bracketed.sortBy.field}]: must be one of ${[...sortFields(mapper).keys()].join(', ')}`,
        );
      }
    }
    if (typeof q.sort === 'string') {
      const desc = q.sort.startsWith('-');
      params.sort = `${desc ? '-' : ''}${sortFields(mapper).get(q.sort.replace(/^[-+]/, ''))}`;
    }

    const scope = CursorCodec.scope('unified', def.api, def.resource, accountId ?? '', filterValues, {
      sort: q.sort as string | undefined,
    });
    let offset = 0;
    let limit = DEFAULT_LIMIT;
    let starts: number[] = [];
    if (q.next_cursor !== undefined && q.prev_cursor !== undefined)
      throw GatewayError.invalid('Give next_cursor or prev_cursor, not both');
    const given = (q.next_cursor ?? q.prev_cursor) as string | undefined;
    if (typeof given === 'string') {
      const cur = this.cursors.decode<UnifiedCursor>(scope, given);
      if (!Number.isInteger(cur.o) || cur.o < 0 || !Number.isInteger(cur.l) || cur.l < 1)
        throw GatewayError.invalid(`${q.next_cursor !== undefined ? 'next' : 'prev'}_cursor is invalid`);
      if (
        cur.s !== undefined &&
        (!Array.isArray(cur.s) || cur.s.length > PREV_DEPTH || !cur.s.every((x) => Number.isInteger(x) && x >= 0))
      )
        throw GatewayError.invalid('cursor is invalid');
      offset = cur.o;
      limit = cur.l;
      starts = cur.s ?? [];
    }
    if (q.limit !== undefined) limit = q.limit as number;
    const max = maxLimitOf(def);
    limit = Math.min(limit, max);

    // The next page remembers where this one started; the previous page is the last start remembered.
    const pageStart = offset;
    const nextStarts = [...starts, pageStart].slice(-PREV_DEPTH);
    const cursor = (o: number | null) =>
      o === null ? null : this.cursors.encode<UnifiedCursor>(scope, { o, l: limit, s: nextStarts });
    const prevCursor =
      starts.length === 0
        ? null
        : this.cursors.encode<UnifiedCursor>(scope, { o: starts[starts.length - 1], l: limit, s: starts.slice(0, -1) });
    const collected = (
      count: number,
      rowsOf: () => Native[],
      raws: RawRecord[] | undefined,
      positions: number[],
      resume: number | null,
      rateLimit: RateLimitHeaders,
    ) => new Collected(mapper, mode, count, rowsOf, raws, positions, resume, rateLimit, cursor, prevCursor);
    const rawOf = (page: RawRecords | undefined, index: number): RawRecord | undefined =>
      page ? { page, index } : undefined;

    if (tests.length === 0) {
      // Planhat filters everything: fetch one more than the page to know whether another follows.
      const size = Math.min(limit + 1, max);
      const res = await this.planhat.listPage(accountId, def.native, params, {
        offset,
        limit: size,
        rawRecords,
        recordFields: rawRecords,
      });
      const total = res.data.result_count;
      const count = Math.min(total, limit);
      const more = total > limit || (size === limit && count === limit);
      const raws = res.records ? Array.from({ length: count }, (_, i) => rawOf(res.records, i)!) : undefined;
      const positions = Array.from({ length: count }, (_, i) => offset + i);
      return collected(
        count,
        () => res.data.result.slice(0, limit),
        raws,
        positions,
        more ? offset + count : null,
        res.rateLimit,
      );
    }

    // Gateway-side filters: scan Planhat pages until `limit` matches or the end of the list; the
    // cursor resumes at the first record not yet examined, so no record is skipped or repeated.
    const size = Math.min(Math.max(limit, MIN_SCAN_PAGE), max);
    const out: Native[] = [];
    const raws: (RawRecord | undefined)[] = [];
    const positions: number[] = [];
    let rateLimit: RateLimitHeaders = {};
    const done = (resume: number | null) =>
      collected(
        out.length,
        () => out,
        rawRecords && raws.every(Boolean) ? (raws as RawRecord[]) : undefined,
        positions,
        resume,
        rateLimit,
      );
    for (;;) {
      const res = await this.planhat.listPage(accountId, def.native, params, {
        offset,
        limit: size,
        rawRecords,
        recordFields: rawRecords,
      });
      rateLimit = res.rateLimit;
      const rows = res.data.result;
      for (let i = 0; i < rows.length; i++) {
        if (!tests.every((t) => t(rows[i]))) continue;
        out.push(rows[i]);
        raws.push(rawOf(res.records, i));
        positions.push(offset + i);
        if (out.length === limit) {
          const ended = i === rows.length - 1 && rows.length < size;
          return done(ended ? null : offset + i + 1);
        }
      }
      if (rows.length < size) return done(null);
      offset += rows.length;
    }
  }

  async get(
    api: string,
    resource: string,
    accountId: string | undefined,
    id: string,
    query: Record<string, unknown> = {},
  ): Promise<UnifiedResult<object>> {
    const def = this.resource(api, resource, 'get');
    const mapper = mapperOf(def);
    const mode = outputMode(
      parseOr400(unifiedSchemas(def).getQuery, stripEmpty(query), 'query parameter') as Record<string, unknown>,
    );
    const res = await this.read(def, mapper, accountId, id);
    return { data: answerOf(mapper, res.data, mode), rateLimit: res.rateLimit };
  }

  async create(
    api: string,
    resource: string,
    accountId: string | undefined,
    body: unknown,
    query: Record<string, unknown> = {},
  ): Promise<UnifiedResult<object>> {
    const def = this.resource(api, resource, 'create');
    const mapper = mapperOf(def);
    const mode = outputMode(
      parseOr400(unifiedSchemas(def).writeQuery, stripEmpty(query), 'query parameter') as Record<string, unknown>,
    );
    const unified = parseOr400(unifiedSchemas(def).create, body, 'field') as Record<string, unknown>;
    let native = mapper.toNative(unified);
    if (mapper.createDefaults) native = mapper.createDefaults(native);
    if (def.native === 'tickets') {
      native = await this.ticketRequester(accountId, unified, native);
      native.sourceId ??= `unified-${randomUUID()}`;
      // The gateway chose the sourceId: an error whose outcome is unknown names it, so the client can look the ticket up.
      const res = await this.planhat
        .bulkUpsert(accountId, 'tickets', [native])
        .catch(outcomeUnknown({ id: `srcid-${String(native.sourceId)}` }));
      const id = upsertedId(res.data, 'created');
      return this.readBack(def, mapper, mode, accountId, id, 'created');
    }
    const res = await this.planhat.create(accountId, def.native, native);
    return this.readBack(def, mapper, mode, accountId, String(res.data._id ?? ''), 'created', res.data);
  }

  async update(
    api: string,
    resource: string,
    accountId: string | undefined,
    id: string,
    body: unknown,
    rawQuery: Record<string, unknown> = {},
  ): Promise<UnifiedResult<object>> {
    const def = this.resource(api, resource, 'update');
    const mapper = mapperOf(def);
    const { dryRun, query } = takeDryRun(rawQuery);
    const mode = outputMode(
      parseOr400(unifiedSchemas(def).writeQuery, stripEmpty(query), 'query parameter') as Record<string, unknown>,
    );
    const unified = parseOr400(unifiedSchemas(def).update, body, 'field') as Record<string, unknown>;
    if (dryRun) {
      // The record as it is now, in unified terms, against each unified field sent; nothing is written.
      const current = await this.read(def, mapper, accountId, id);
      const now = mapper.toUnified(current.data, { includeRemoteData: false }) as Record<string, unknown>;
      return {
        data: { dry_run: true, id: String(current.data._id ?? id), ...fieldChanges(now, unified) },
        rateLimit: current.rateLimit,
      };
    }
    let native = mapper.toNative(unified);
    if (def.native === 'tickets') {
      // Planhat's ticket upsert matches on sourceId and drops items without an email: send both.
      const current = await this.read(def, mapper, accountId, id);
      native = await this.ticketRequester(accountId, unified, native, false);
      const item = { _id: current.data._id, sourceId: current.data.sourceId, email: current.data.email, ...native };
      const res = await this.planhat.bulkUpsert(accountId, 'tickets', [item]).catch(outcomeUnknown({ id }));
      upsertedId(res.data, 'updated');
      return this.readBack(def, mapper, mode, accountId, String(current.data._id), 'updated');
    }
    if (mapper.accepts) await this.read(def, mapper, accountId, id);
    if (Object.keys(native).length === 0) return this.readBack(def, mapper, mode, accountId, id);
    const res = await this.planhat.update(accountId, def.native, id, native).catch(outcomeUnknown({ id }));
    return this.readBack(def, mapper, mode, accountId, id, 'updated', res.data);
  }

  async delete(
    api: string,
    resource: string,
    accountId: string | undefined,
    id: string,
    rawQuery: Record<string, unknown> = {},
  ): Promise<UnifiedResult<object>> {
    const def = this.resource(api, resource, 'delete');
    const mapper = mapperOf(def);
    if (takeDryRun(rawQuery).dryRun) {
      const current = await this.read(def, mapper, accountId, id);
      return {
        data: { dry_run: true, would_delete: mapper.toUnified(current.data, { includeRemoteData: false }) },
        rateLimit: current.rateLimit,
      };
    }
    if (mapper.accepts) await this.read(def, mapper, accountId, id);
    const res = await this.planhat.delete(accountId, def.native, id);
    return { data: { id }, rateLimit: res.rateLimit };
  }

  /** One Planhat record; 404 when it is not part of this unified resource (e.g. a conversation that is not a note). */
  private async read(def: UnifiedResourceDef, mapper: UnifiedMapper, accountId: string | undefined, id: string) {
    const res = await this.planhat.get(accountId, def.native, id);
    if (mapper.accepts && !mapper.accepts(res.data)) {
      throw GatewayError.notFound(
        `${def.one[0].toUpperCase()}${def.one.slice(1)} not found: ${id}`,
        `That ${def.native} record is not a ${def.one}.`,
      );
    }
    return res;
  }

  /**
   * The record read back after a write. When the write was applied (`written` says how) and only the
   * read fails, the answer is still the write's success, never an error a client would retry (which
   * made duplicates): the record as Planhat answered the write (or just its id), with a `warnings` entry.
   */
  private async readBack(
    def: UnifiedResourceDef,
    mapper: UnifiedMapper,
    mode: OutputMode,
    accountId: string | undefined,
    id: string,
    written?: 'created' | 'updated',
    answer?: Record<string, unknown>,
  ): Promise<UnifiedResult<object>> {
    if (!id) throw new GatewayError(ErrorCode.UPSTREAM_ERROR, `Planhat did not return the id of the ${def.one}`);
    let res: Awaited<ReturnType<UnifiedService['read']>>;
    try {
      res = await this.read(def, mapper, accountId, id);
    } catch (err) {
      if (!written) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      const warning =
        `The ${def.one} was ${written} (id ${id}), but reading it back from Planhat failed: ${reason}. ` +
        `Do not repeat the write; get the ${def.one} by its id later for the full record.`;
      let data: Record<string, unknown> = { id };
      if (answer && typeof answer._id === 'string') {
        try {
          data = answerOf(mapper, answer as Native, mode) as Record<string, unknown>;
        } catch {
          // Planhat's answer to the write did not map: the id alone.
        }
      }
      return { data: { ...data, warnings: [warning] }, rateLimit: {}, readBackFailed: true };
    }
    return { data: answerOf(mapper, res.data, mode), rateLimit: res.rateLimit };
  }

  /**
   * Tickets need the requester's email and a company: from `contact.email`, or from the contact
   * named by `contact.id` (its email, and its company when `account` is absent).
   */
  private async ticketRequester(
    accountId: string | undefined,
    unified: Record<string, unknown>,
    native: Native,
    creating = true,
  ): Promise<Native> {
    const contact = unified.contact as { id?: string; email?: string } | undefined;
    const out = { ...native };
    if (contact?.id && (!out.email || !out.companyId)) {
      const eu = await this.planhat.get(accountId, 'endusers', contact.id).catch((e: unknown) => {
        if (e instanceof GatewayError && e.status === 404)
          throw GatewayError.invalid(`Invalid field contact.id: contact not found: ${contact.id}`);
        throw e;
      });
      if (!out.email && typeof eu.data.email === 'string' && eu.data.email) out.email = eu.data.email;
      if (!out.companyId && creating && typeof eu.data.companyId === 'string') out.companyId = eu.data.companyId;
    }
    if (creating && !out.email) {
      throw GatewayError.invalid(
        'Missing required field: contact.email (Planhat drops tickets without the requester email)',
        undefined,
        'Give contact: {email} or contact: {id} of a contact with an email.',
      );
    }
    if (creating && !out.companyId) {
      throw GatewayError.invalid(
        'Missing required field: account.id',
        undefined,
        'Give account: {id}, or contact: {id} of a contact of that account.',
      );
    }
    return out;
  }
}

/** One record as answered: Planhat's own (raw) or mapped, with or without remote_data. */
function answerOf(mapper: UnifiedMapper, n: Native, mode: OutputMode): object {
  return mode.format === 'raw' ? n : mapper.toUnified(n, { includeRemoteData: mode.includeRemoteData });
}

/** `dry_run` of an update or delete, taken out of the query (see parseDryRun). */
function takeDryRun(query: Record<string, unknown>): { dryRun: boolean; query: Record<string, unknown> } {
  const { dry_run: raw, ...rest } = query;
  return { dryRun: parseDryRun(raw), query: rest };
}

/** Planhat's JSON text of one record. */
function rawText(r: RawRecord): string {
  return r.page.bytes.toString('utf8', r.page.bounds[2 * r.index], r.page.bounds[2 * r.index + 1]);
}

/** Query values with empty strings removed (`?status=` means no filter). */
function stripEmpty(query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === 'integrated_account_id' || v === undefined || v === '') continue;
    // `out.__proto__ = v` would drop the key silently and slip past the strict schema.
    if (isForbiddenKey(k)) throw GatewayError.invalid(`Query parameter name not allowed: ${k}`);
    if (Array.isArray(v)) throw GatewayError.invalid(`Query parameter ${k} was given more than once`);
    out[k] = v;
  }
  return out;
}

/**
 * For a write whose outcome is unknown (Planhat failed or did not answer after the request was sent):
 * the same error with the id the client can check before retrying, in `details`.
 */
function outcomeUnknown(known: { id: string }): (err: unknown) => never {
  return (err) => {
    if (!(err instanceof GatewayError) || err.status < 500) throw err;
    const details = { ...(isObject(err.details) ? err.details : {}), id: known.id, write_outcome: 'unknown' };
    throw new GatewayError(err.code, err.message, {
      hint: err.hint,
      details,
      remote: err.remote,
      headers: err.headers,
      cause: err,
    });
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The record id from Planhat's upsert summary; its item errors become a 400 with Planhat's message. */
function upsertedId(summary: Record<string, unknown>, kind: 'created' | 'updated'): string {
  const errors = [...((summary.createdErrors as unknown[]) ?? []), ...((summary.updatedErrors as unknown[]) ?? [])];
  if (errors.length) {
    throw new GatewayError(ErrorCode.UPSTREAM_REJECTED, `Planhat rejected the ticket: ${String(errors[0])}`, {
      remote: { status: 400, body: summary },
    });
  }
  const keys = (kind === 'created' ? summary.insertsKeys : summary.updatesKeys) as { _id?: string }[] | undefined;
  const ids = (summary.upsertedIds as string[] | undefined) ?? [];
  const id = keys?.[0]?._id ?? ids[0];
  if (!id)
    throw new GatewayError(
      ErrorCode.UPSTREAM_ERROR,
      `Planhat did not ${kind === 'created' ? 'create' : 'update'} the ticket`,
      { remote: { status: 200, body: summary } },
    );
  return id;
}
