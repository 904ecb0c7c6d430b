import { LRUCache } from 'lru-cache';
import { allModels, findModel, idProblem, recordProblem, type ModelDef } from '../planhat/catalog';
import { hashString, objectId, Rng, SEED_ID_TIMESTAMP } from './prng';
import { AUTO_FIELDS, HIDE_ARCHIVED, UPSERT_QUIRKS, VIEWS, type Rec } from './rules';
import { SEEDERS, type SeedContext } from './seed';
import { sandboxTenantToken } from '../planhat/tenant-token';

/** An error with the HTTP status the sandbox answers with; the body is `{"error": message}`. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_BULK_ITEMS = 5000;
export const DEFAULT_LIMIT = 100;

export interface DeleteResult {
  n: number;
  ok: number;
  deletedCount: number;
}

export interface UpsertSummary {
  created: number;
  createdErrors: string[];
  insertsKeys: Rec[];
  updated: number;
  updatedErrors: string[];
  updatesKeys: Rec[];
  nonupdates: number;
  modified: string[];
  upsertedIds: string[];
  permissionErrors: string[];
}

export type Query = Record<string, string | string[] | undefined>;

function tagOf(model: ModelDef): number {
  const i = allModels().indexOf(model);
  return i >= 0 ? i + 1 : (hashString(model.key) & 0x7fff) | 0x8000;
}

/** Models stored in another model's collection: tickets are conversations of type ticket. */
const STORED_IN: Record<string, string> = { tickets: 'conversations' };
const isTicket = (r: Rec) => r.type === 'ticket';

function keyFieldsOf(model: ModelDef): string[] {
  return [...new Set(['sourceId', model.externalIdField ?? 'externalId', ...(model.extraKeyables ?? [])])];
}

const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null && v !== '';
const indexable = (v: unknown): v is string | number => (typeof v === 'string' && v !== '') || typeof v === 'number';

function getPath(rec: Rec, path: string): unknown {
  if (!path.includes('.')) return rec[path];
  let cur: unknown = rec;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function compare(a: unknown, b: unknown): number {
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1; // missing values last (ascending)
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const as = typeof a === 'string' ? a : JSON.stringify(a);
  const bs = typeof b === 'string' ? b : JSON.stringify(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

function queryValue(q: Query, key: string): string | undefined {
  const v = q[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(',') : v;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function intParam(v: string | undefined, fallback: number, min: number): number {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return fallback;
  const n = Number.parseInt(v, 10);
  return n < min ? fallback : n;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/**
 * One model's records: an array in insertion (= ascending `_id`) order, a Map by `_id`, and
 * keyable indexes (sourceId, externalId, ...) built lazily on the first lookup of each field.
 */
export class Collection {
  readonly items: Rec[] = [];
  readonly byId = new Map<string, Rec>();
  private readonly indexes = new Map<string, Map<string, Rec | Rec[]>>();
  private counter = 0;
  private lastTs = SEED_ID_TIMESTAMP;
  readonly tag: number;

  constructor(
    readonly model: ModelDef,
    readonly keyFields: string[],
  ) {
    this.tag = tagOf(model);
  }

  /** What a snapshot keeps of this collection (indexes are rebuilt lazily). */
  state(): CollectionSnapshot {
    return { items: this.items, counter: this.counter, lastTs: this.lastTs };
  }

  /** Fills an empty collection from a snapshot. */
  restoreState(snap: CollectionSnapshot): void {
    for (const rec of snap.items) this.insert(rec);
    this.counter = snap.counter;
    this.lastTs = snap.lastTs;
  }

  nextId(nowMs?: number): string {
    if (nowMs !== undefined) this.lastTs = Math.max(this.lastTs, Math.floor(nowMs / 1000), SEED_ID_TIMESTAMP + 1);
    return objectId(this.lastTs, this.tag, ++this.counter);
  }

  insert(rec: Rec): void {
    this.items.push(rec);
    this.byId.set(rec._id as string, rec);
    for (const [f, idx] of this.indexes) indexValue(idx, rec[f], rec);
  }

  remove(rec: Rec): void {
    const id = rec._id as string;
    this.byId.delete(id);
    // Items are sorted by _id (fixed-width lowercase hex), so binary search.
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const midId = this.items[mid]._id as string;
      if (midId === id) {
        this.items.splice(mid, 1);
        break;
      }
      if (midId < id) lo = mid + 1;
      else hi = mid - 1;
    }
    for (const [f, idx] of this.indexes) unindexValue(idx, rec[f], rec);
  }

  /** Snapshot of the key values before a change, for `reindex`. */
  keysOf(rec: Rec): Rec {
    const out: Rec = {};
    for (const f of this.indexes.keys()) out[f] = rec[f];
    return out;
  }

  reindex(rec: Rec, before: Rec): void {
    for (const [f, idx] of this.indexes) {
      if (before[f] === rec[f]) continue;
      unindexValue(idx, before[f], rec);
      indexValue(idx, rec[f], rec);
    }
  }

  /** The first record (insertion order) whose `field` equals `value`. */
  findBy(field: string, value: string): Rec | undefined {
    let idx = this.indexes.get(field);
    if (!idx) {
      idx = new Map();
      for (const r of this.items) indexValue(idx, r[field], r);
      this.indexes.set(field, idx);
    }
    const hit = idx.get(value);
    return Array.isArray(hit) ? hit[0] : hit;
  }
}

function indexValue(idx: Map<string, Rec | Rec[]>, v: unknown, rec: Rec) {
  if (!indexable(v)) return;
  const k = String(v);
  const cur = idx.get(k);
  if (cur === undefined) idx.set(k, rec);
  else if (Array.isArray(cur)) cur.push(rec);
  else idx.set(k, [cur, rec]);
}

function unindexValue(idx: Map<string, Rec | Rec[]>, v: unknown, rec: Rec) {
  if (!indexable(v)) return;
  const k = String(v);
  const cur = idx.get(k);
  if (cur === undefined) return;
  if (!Array.isArray(cur)) {
    if (cur === rec) idx.delete(k);
    return;
  }
  const i = cur.indexOf(rec);
  if (i >= 0) cur.splice(i, 1);
  if (cur.length === 1) idx.set(k, cur[0]);
  else if (cur.length === 0) idx.delete(k);
}

export interface CollectionSnapshot {
  items: Rec[];
  counter: number;
  lastTs: number;
}

/** A tenant as SANDBOX_PERSIST writes it (without its token). */
export interface TenantSnapshot {
  v: 1;
  seedCompanies: number;
  createdAt: number;
  writes: number;
  counters: Array<[string, number]>;
  collections: Record<string, CollectionSnapshot>;
}

/** One token's isolated Planhat tenant. Collections are created (and seeded) on first access. */
export class Tenant {
  readonly createdAt: number;
  writes = 0;
  private readonly collections = new Map<string, Collection>();
  private readonly seeding = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(
    readonly token: string,
    readonly seedCompanies: number,
    private readonly now: () => number,
  ) {
    this.createdAt = now();
  }

  snapshot(): TenantSnapshot {
    const collections: Record<string, CollectionSnapshot> = {};
    for (const [key, c] of this.collections) collections[key] = c.state();
    return {
      v: 1,
      seedCompanies: this.seedCompanies,
      createdAt: this.createdAt,
      writes: this.writes,
      counters: [...this.counters],
      collections,
    };
  }

  /**
   * Loads a snapshot into this fresh tenant. Collections it does not hold are seeded on first access
   * as usual (seeding is deterministic, so their references to restored records still hold).
   */
  restore(snap: TenantSnapshot): void {
    if (snap.v !== 1 || snap.seedCompanies !== this.seedCompanies) return; // another format or size: seed afresh
    (this as { createdAt: number }).createdAt = snap.createdAt;
    this.writes = snap.writes;
    for (const [k, n] of snap.counters) this.counters.set(k, n);
    for (const [key, cs] of Object.entries(snap.collections)) {
      const model = findModel(key);
      if (!model) continue;
      const c = new Collection(model, keyFieldsOf(model));
      c.restoreState(cs);
      this.collections.set(key, c);
    }
  }

  /**
   * The collection of a model (by catalog key), seeding it on first access. Tickets live in the
   * conversations collection (in Planhat a ticket is a conversation of type ticket).
   */
  collection(requested: string): Collection {
    const key = STORED_IN[requested] ?? requested;
    let c = this.collections.get(key);
    if (c) return c;
    const model = findModel(key);
    if (!model) throw new SandboxError(404, `Unknown model ${key}`);
    if (this.seeding.has(key)) throw new Error(`Seed cycle on ${key}`);
    c = new Collection(model, keyFieldsOf(model));
    const seeder = SEEDERS[model.key];
    if (seeder) {
      this.seeding.add(key);
      try {
        const ctx: SeedContext = {
          n: this.seedCompanies,
          now: this.createdAt,
          rng: new Rng(hashString(model.key) ^ Math.imul(this.seedCompanies + 1, 0x9e3779b1)),
          newId: () => c!.nextId(),
          records: (k) => this.collection(k).items,
        };
        for (const rec of seeder(ctx)) c.insert(rec);
        // The tickets seeded into the one conversations store, as conversations of type ticket.
        for (const [stored, at] of Object.entries(STORED_IN)) {
          if (at !== key) continue;
          const more = SEEDERS[stored];
          if (more)
            for (const rec of more({
              ...ctx,
              rng: new Rng(hashString(stored) ^ Math.imul(this.seedCompanies + 1, 0x9e3779b1)),
            }))
              c.insert(rec);
        }
        if (model.key === 'invoices') {
          let max = 0;
          for (const r of c.items) if (typeof r.invoiceNo === 'number' && r.invoiceNo > max) max = r.invoiceNo;
          this.counters.set('invoices:invoiceNo', max);
        }
      } finally {
        this.seeding.delete(key);
      }
    }
    this.collections.set(key, c);
    return c;
  }

  private nextCounter(model: ModelDef, name: string): number {
    const k = `${model.key}:${name}`;
    const n = (this.counters.get(k) ?? 0) + 1;
    this.counters.set(k, n);
    return n;
  }

  // ---------------------------------------------------------------- reads

  list(model: ModelDef, query: Query): Rec[] {
    const view = VIEWS[model.key];
    const coll = this.collection(view ? view.source : model.key);
    const limit = Math.min(intParam(queryValue(query, 'limit'), DEFAULT_LIMIT, 1), model.maxLimit);
    const offset = intParam(queryValue(query, 'offset'), 0, 0);
    const preds = this.predicates(model, query);
    const sortParam = queryValue(query, 'sort')?.trim();
    let page: Rec[];
    if (sortParam) {
      const desc = sortParam.startsWith('-');
      const field = sortParam.replace(/^[-+]/, '');
      const rows = preds.length ? coll.items.filter((r) => preds.every((p) => p(r))) : coll.items.slice();
      const decorated = rows.map((r, i) => ({ r, i, v: getPath(r, field) }));
      decorated.sort((a, b) => {
        const c = compare(a.v, b.v);
        if (c !== 0) return desc ? -c : c;
        return a.i - b.i; // stable
      });
      page = decorated.slice(offset, offset + limit).map((d) => d.r);
    } else if (preds.length === 0) {
      page = coll.items.slice(offset, offset + limit);
    } else {
      page = [];
      let skipped = 0;
      for (const r of coll.items) {
        if (!preds.every((p) => p(r))) continue;
        if (skipped < offset) {
          skipped++;
          continue;
        }
        page.push(r);
        if (page.length >= limit) break;
      }
    }
    const project = view ? view.project : (r: Rec) => ({ ...r });
    const selectParam = queryValue(query, 'select');
    const select = selectParam ? splitList(selectParam) : undefined;
    return page.map((r) => {
      const o = project(r);
      if (!select) return o;
      const out: Rec = { _id: o._id };
      for (const f of select) if (o[f] !== undefined) out[f] = o[f];
      return out;
    });
  }

  private predicates(model: ModelDef, query: Query): ((r: Rec) => boolean)[] {
    const preds: ((r: Rec) => boolean)[] = [];
    const ref = model.companyRef;
    const filterKeys = new Set(Object.keys(model.filters));
    if (ref) filterKeys.add('companyId');
    if (model.key === 'dimension_data') {
      // GET /dimensiondata: dimid is the metric, from/to bound the day number (inclusive).
      for (const key of ['dimid', 'from', 'to']) filterKeys.delete(key);
      const dimid = queryValue(query, 'dimid');
      if (dimid) preds.push((r) => r.dimensionId === dimid);
      const from = queryValue(query, 'from');
      if (from) preds.push((r) => typeof r.day === 'number' && r.day >= Number(from));
      const to = queryValue(query, 'to');
      if (to) preds.push((r) => typeof r.day === 'number' && r.day <= Number(to));
    }
    for (const key of filterKeys) {
      const raw = queryValue(query, key);
      if (raw === undefined || raw === '') continue;
      let values = splitList(raw);
      const field = key === 'companyId' && ref ? ref : key;
      if (field === ref) values = values.map((v) => this.tryResolveCompany(v) ?? v);
      const set = new Set(values);
      preds.push((r) => {
        const v = r[field];
        if (Array.isArray(v)) return v.some((x) => set.has(String(x)));
        if (v === undefined || v === null) return false;
        return set.has(String(v));
      });
    }
    if (HIDE_ARCHIVED.has(model.key)) preds.push((r) => r.archived !== true);
    if (model.key === 'tickets') preds.push(isTicket);
    return preds;
  }

  get(model: ModelDef, id: string): Rec {
    return clone(this.find(model, id));
  }

  private find(model: ModelDef, rawId: string): Rec {
    const problem = idProblem(rawId);
    if (problem) throw new SandboxError(400, `Invalid id: ${problem}`);
    const coll = this.collection(model.key);
    let rec: Rec | undefined;
    if (rawId.startsWith('extid-')) rec = coll.findBy(model.externalIdField ?? 'externalId', rawId.slice(6));
    else if (rawId.startsWith('srcid-')) rec = coll.findBy('sourceId', rawId.slice(6));
    else rec = coll.byId.get(rawId);
    // A conversation that is not a ticket is no ticket (the other way round it is a conversation).
    if (rec && model.key === 'tickets' && !isTicket(rec)) rec = undefined;
    if (!rec)
      throw new SandboxError(404, `${model.label.one[0].toUpperCase()}${model.label.one.slice(1)} not found: ${rawId}`);
    return rec;
  }

  // ---------------------------------------------------------------- company references

  private tryResolveCompany(v: string): string | undefined {
    const companies = this.collection('companies');
    if (v.startsWith('extid-')) return companies.findBy('externalId', v.slice(6))?._id as string | undefined;
    if (v.startsWith('srcid-')) return companies.findBy('sourceId', v.slice(6))?._id as string | undefined;
    return companies.byId.has(v) ? v : undefined;
  }

  private resolveCompany(v: unknown, field: string): Rec {
    if (typeof v !== 'string' || v === '')
      throw new SandboxError(400, `Invalid value for field ${field}: expected a company id`);
    const id = this.tryResolveCompany(v);
    if (!id) throw new SandboxError(400, `Invalid value for field ${field}: company not found: ${v}`);
    return this.collection('companies').byId.get(id)!;
  }

  /** Resolves the body's company reference in place; returns the company (single refs) if any. */
  private resolveRefs(model: ModelDef, body: Rec): Rec | undefined {
    const ref = model.companyRef;
    if (!ref || model.key === 'companies') return undefined;
    if (
      body[ref] === undefined &&
      typeof body.companyExternalId === 'string' &&
      ref === 'companyId' &&
      body.companyExternalId
    ) {
      body[ref] = `extid-${body.companyExternalId}`;
    }
    const v = body[ref];
    if (v === undefined || v === null) return undefined;
    if (ref === 'companyIds') {
      if (!Array.isArray(v))
        throw new SandboxError(400, `Invalid value for field ${ref}: expected an array of company ids`);
      body[ref] = v.map((x, i) => this.resolveCompany(x, `${ref}.${i}`)._id);
      return undefined;
    }
    const company = this.resolveCompany(v, ref);
    body[ref] = company._id;
    return company;
  }

  // ---------------------------------------------------------------- validation

  /** The catalog's own check (required fields, one-of groups, types, constraints), as Planhat answers it. */
  private validate(model: ModelDef, body: Rec, mode: 'create' | 'update'): string | undefined {
    return recordProblem(model, body, mode)?.message;
  }

  private sanitize(model: ModelDef, body: Rec): Rec {
    const out: Rec = { ...body };
    delete out._id;
    delete out.__v;
    delete out[model.timestamps.created];
    delete out[model.timestamps.updated];
    if (model.companyNameField) delete out[model.companyNameField];
    return out;
  }

  // ---------------------------------------------------------------- writes

  private assertWritable(model: ModelDef): void {
    if (VIEWS[model.key]) throw new SandboxError(404, `${model.path} is read only`);
  }

  /** Validates and inserts; throws SandboxError(400) on a bad body. Does not count a write. */
  private createOne(model: ModelDef, input: unknown): Rec {
    this.assertWritable(model);
    if (!isObject(input)) throw new SandboxError(400, 'Body must be a JSON object');
    const body = this.sanitize(model, input);
    // Resolve company reference shorthands before validating so `companyExternalId` satisfies `companyId`.
    if (
      model.companyRef === 'companyId' &&
      body.companyId === undefined &&
      typeof body.companyExternalId === 'string'
    ) {
      body.companyId = `extid-${body.companyExternalId}`;
    }
    const problem = this.validate(model, body, 'create');
    if (problem) throw new SandboxError(400, problem);
    const company = this.resolveRefs(model, body);
    const coll = this.collection(model.key);
    const nowMs = this.now();
    const iso = new Date(nowMs).toISOString();
    const rec: Rec = { _id: coll.nextId(nowMs), ...body, __v: 0 };
    if (model.hasCustom) rec.custom = isObject(body.custom) ? { ...body.custom } : {};
    if (company && model.companyNameField) rec[model.companyNameField] = company.name;
    rec[model.timestamps.created] = iso;
    rec[model.timestamps.updated] = iso;
    AUTO_FIELDS[model.key]?.(rec, {
      mode: 'create',
      changed: new Set(Object.keys(body)),
      nextCounter: (name) => this.nextCounter(model, name),
    });
    coll.insert(rec);
    return rec;
  }

  /** Validates and applies a partial update; returns whether anything changed. Does not count a write. */
  private updateOne(model: ModelDef, rec: Rec, input: unknown): boolean {
    this.assertWritable(model);
    if (!isObject(input)) throw new SandboxError(400, 'Body must be a JSON object');
    const body = this.sanitize(model, input);
    const problem = this.validate(model, body, 'update');
    if (problem) throw new SandboxError(400, problem);
    const company = this.resolveRefs(model, body);
    const coll = this.collection(model.key);
    const before = coll.keysOf(rec);
    let changed = false;
    for (const [k, v] of Object.entries(body)) {
      if (k === 'custom' && model.hasCustom && isObject(v)) {
        const cur: Rec = isObject(rec.custom) ? rec.custom : (rec.custom = {});
        for (const [ck, cv] of Object.entries(v)) {
          if (JSON.stringify(cur[ck]) !== JSON.stringify(cv)) {
            cur[ck] = cv;
            changed = true;
          }
        }
        continue;
      }
      if (JSON.stringify(rec[k]) !== JSON.stringify(v)) {
        rec[k] = v;
        changed = true;
      }
    }
    if (company && model.companyNameField && rec[model.companyNameField] !== company.name) {
      rec[model.companyNameField] = company.name;
      changed = true;
    }
    if (changed) {
      AUTO_FIELDS[model.key]?.(rec, {
        mode: 'update',
        changed: new Set(Object.keys(body)),
        nextCounter: (name) => this.nextCounter(model, name),
      });
      rec[model.timestamps.updated] = new Date(this.now()).toISOString();
      coll.reindex(rec, before);
    }
    return changed;
  }

  create(model: ModelDef, body: unknown): Rec {
    const rec = this.createOne(model, body);
    this.writes++;
    return clone(rec);
  }

  update(model: ModelDef, id: string, body: unknown): Rec {
    const rec = this.find(model, id);
    this.updateOne(model, rec, body);
    this.writes++;
    return clone(rec);
  }

  remove(model: ModelDef, id: string): DeleteResult {
    this.assertWritable(model);
    const rec = this.find(model, id);
    this.collection(model.key).remove(rec);
    this.writes++;
    return { n: 1, ok: 1, deletedCount: 1 };
  }

  /** Bulk upsert (`PUT /{path}` with an array). Returns Planhat's summary and 200 or 206. */
  upsert(model: ModelDef, input: unknown): { status: number; body: UpsertSummary } {
    this.assertWritable(model);
    const quirks = UPSERT_QUIRKS[model.key] ?? {};
    let items: unknown[];
    if (Array.isArray(input)) items = input;
    else if (quirks.singleObject && isObject(input)) items = [input];
    else throw new SandboxError(400, 'Bulk upsert body must be a JSON array of objects');
    if (items.length > MAX_BULK_ITEMS) {
      throw new SandboxError(400, `Too many items: ${items.length} (at most ${MAX_BULK_ITEMS} per request)`);
    }
    const coll = this.collection(model.key);
    const extField = model.externalIdField ?? 'externalId';
    const keyables = ['sourceId', extField, ...(model.extraKeyables ?? [])];
    const s: UpsertSummary = {
      created: 0,
      createdErrors: [],
      insertsKeys: [],
      updated: 0,
      updatedErrors: [],
      updatesKeys: [],
      nonupdates: 0,
      modified: [],
      upsertedIds: [],
      permissionErrors: [],
    };
    const keysOf = (rec: Rec): Rec => {
      const k: Rec = { _id: rec._id };
      if (present(rec[extField])) k[extField] = rec[extField];
      if (present(rec.sourceId)) k.sourceId = rec.sourceId;
      return k;
    };
    items.forEach((item, i) => {
      if (!isObject(item)) {
        s.createdErrors.push(`Item ${i}: not a JSON object`);
        return;
      }
      if (quirks.dropWithout && !present(item[quirks.dropWithout])) return;
      let match: Rec | undefined;
      if (typeof item._id === 'string' && item._id) match = coll.byId.get(item._id);
      for (const k of keyables) {
        if (match) break;
        const v = item[k];
        if (indexable(v)) match = coll.findBy(k, String(v));
      }
      if (match) {
        try {
          if (this.updateOne(model, match, item)) {
            s.updated++;
            s.modified.push(match._id as string);
          } else s.nonupdates++;
          s.updatesKeys.push(keysOf(match));
        } catch (e) {
          if (!(e instanceof SandboxError)) throw e;
          s.updatedErrors.push(`Item ${i}: ${e.message}`);
        }
      } else {
        try {
          const rec = this.createOne(model, model.key === 'tickets' ? this.ticketRequester(item) : item);
          s.created++;
          s.insertsKeys.push(keysOf(rec));
          s.upsertedIds.push(rec._id as string);
        } catch (e) {
          if (!(e instanceof SandboxError)) throw e;
          s.createdErrors.push(`Item ${i}: ${e.message}`);
        }
      }
    });
    this.writes++;
    const failed = s.createdErrors.length + s.updatedErrors.length > 0;
    return { status: failed ? 206 : 200, body: s };
  }

  /**
   * A new ticket's requester, as Planhat links it: the enduser with the ticket's email, or one created
   * for that email in the ticket's company, or in the company whose `domains` hold the email's domain;
   * the ticket gets `endusers: [id]` and, when it has none, that enduser's company.
   */
  private ticketRequester(item: Rec): Rec {
    const email = typeof item.email === 'string' ? item.email.trim() : '';
    if (!email) return item;
    const endusers = this.collection('endusers');
    let eu =
      endusers.findBy('email', email) ??
      endusers.items.find((e) => typeof e.email === 'string' && e.email.toLowerCase() === email.toLowerCase());
    let companyId =
      typeof item.companyId === 'string' && item.companyId ? this.tryResolveCompany(item.companyId) : undefined;
    if (!eu) {
      if (!companyId && typeof item.companyExternalId !== 'string') {
        const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
        const byDomain = this.collection('companies').items.find(
          (c) => Array.isArray(c.domains) && c.domains.some((d) => typeof d === 'string' && d.toLowerCase() === domain),
        );
        companyId = byDomain?._id as string | undefined;
      }
      if (!companyId) return item;
      eu = this.createOne(findModel('endusers')!, { email, companyId, name: email.slice(0, email.indexOf('@')) });
    }
    const linked = Array.isArray(item.endusers) ? item.endusers : [];
    return {
      ...item,
      companyId: item.companyId ?? eu.companyId,
      endusers: [eu._id, ...linked.filter((x) => x !== eu!._id)],
    };
  }

  /** `POST /timeentries/duplicate {ids}`: copies of the given records, created now. */
  duplicate(model: ModelDef, input: unknown): Rec[] {
    const ids = isObject(input) ? input.ids : undefined;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) {
      throw new SandboxError(400, 'Invalid value for field ids: expected a non-empty array of ids');
    }
    const sources = (ids as string[]).map((id) => this.find(model, id));
    const out = sources.map((src) => {
      const copy: Rec = { ...clone(src) };
      for (const k of ['_id', '__v', 'externalId', 'sourceId', model.timestamps.created, model.timestamps.updated])
        delete copy[k];
      return clone(this.createOne(model, copy));
    });
    this.writes++;
    return out;
  }

  // ---------------------------------------------------------------- the analytics host

  /** Activities received through the analytics emulation (newest last, at most 10,000 kept). */
  readonly activities: Rec[] = [];

  /**
   * `POST /analytics[/bulk]/{tenant}` and `/dock/segment`: each activity's user (an enduser by email or
   * externalId) gets `lastActive` = the activity's date (now when absent). Like Planhat's data sinks
   * it answers 200 with `{processed, errors}`; a wrong tenant token processes nothing.
   */
  trackActivities(tenantToken: string, items: unknown[]): { processed: number; errors: string[] } {
    if (tenantToken !== sandboxTenantToken(this.token)) return { processed: 0, errors: ['Unknown tenant token'] };
    const endusers = this.collection('endusers');
    const errors: string[] = [];
    let processed = 0;
    items.forEach((item, i) => {
      const a = isObject(item) ? item : {};
      const eu =
        (typeof a.email === 'string' ? endusers.findBy('email', a.email) : undefined) ??
        (typeof a.externalId === 'string' ? endusers.findBy('externalId', a.externalId) : undefined);
      if (!eu) {
        errors.push(`Item ${i}: no enduser with that email or externalId`);
        return;
      }
      const date =
        typeof a.date === 'string' && !Number.isNaN(Date.parse(a.date))
          ? new Date(a.date).toISOString()
          : new Date(this.now()).toISOString();
      eu.lastActive = date;
      this.activities.push({ enduserId: eu._id, action: typeof a.action === 'string' ? a.action : undefined, date });
      if (this.activities.length > 10_000) this.activities.shift();
      processed++;
    });
    if (processed) this.writes++;
    return { processed, errors };
  }

  /**
   * `POST /dimensiondata/{tenant}`: metric values (an object or an array) stored as dimension data of
   * the company named by `externalId` (or `companyId`), dated `date` or now; `{processed, errors}`.
   */
  pushMetrics(tenantToken: string, input: unknown): { processed: number; errors: string[] } {
    if (tenantToken !== sandboxTenantToken(this.token)) return { processed: 0, errors: ['Unknown tenant token'] };
    const items = Array.isArray(input) ? input : [input];
    const companies = this.collection('companies');
    const coll = this.collection('dimension_data');
    const errors: string[] = [];
    let processed = 0;
    items.forEach((item, i) => {
      const m = isObject(item) ? item : {};
      if (typeof m.dimensionId !== 'string' || typeof m.value !== 'number') {
        errors.push(`Item ${i}: dimensionId and a numeric value are required`);
        return;
      }
      const company =
        (typeof m.externalId === 'string' ? companies.findBy('externalId', m.externalId) : undefined) ??
        (typeof m.companyId === 'string' ? companies.byId.get(m.companyId) : undefined);
      if (!company) {
        errors.push(`Item ${i}: no company with that externalId`);
        return;
      }
      const nowMs = this.now();
      const at = typeof m.date === 'string' && !Number.isNaN(Date.parse(m.date)) ? Date.parse(m.date) : nowMs;
      const iso = new Date(nowMs).toISOString();
      coll.insert({
        _id: coll.nextId(nowMs),
        cId: company._id,
        companyName: company.name,
        model: typeof m.model === 'string' ? m.model : 'Company',
        dimensionId: m.dimensionId,
        value: m.value,
        date: new Date(at).toISOString(),
        day: Math.floor(at / 86_400_000),
        createdAt: iso,
        updatedAt: iso,
      });
      processed++;
    });
    if (processed) this.writes++;
    return { processed, errors };
  }

  stats(): { writes: number; counts: Record<string, number> } {
    const counts: Record<string, number> = {};
    for (const m of allModels()) {
      if (VIEWS[m.key]) continue;
      const items = this.collection(m.key).items;
      counts[m.key] = m.key === 'tickets' ? items.filter(isTicket).length : items.length;
    }
    return { writes: this.writes, counts };
  }
}

/** Live tenants kept by default; the least recently used one is dropped beyond that. */
export const DEFAULT_MAX_TENANTS = 100;

export interface SandboxStoreOptions {
  seedCompanies: number;
  /** Live tenants kept at most (least recently used evicted, recreated freshly seeded on next use). */
  maxTenants?: number;
  now?: () => number;
  /** A saved snapshot of a token's tenant, loaded when the tenant is first used (SANDBOX_PERSIST). */
  restore?: (token: string) => TenantSnapshot | undefined;
  /** Called with a tenant the LRU drops (SANDBOX_PERSIST saves it first). */
  onEvict?: (tenant: Tenant) => void;
}

/**
 * All tenants of one sandbox, keyed by token. At most `maxTenants` live at once: each holds its
 * seeded data, so a flood of new tokens must not grow the process without bound.
 */
export class SandboxStore {
  readonly seedCompanies: number;
  readonly maxTenants: number;
  readonly now: () => number;
  private readonly tenants: LRUCache<string, Tenant>;

  constructor(opts: SandboxStoreOptions) {
    if (!Number.isInteger(opts.seedCompanies) || opts.seedCompanies < 0) {
      throw new Error('seedCompanies must be a non-negative integer');
    }
    const max = opts.maxTenants ?? DEFAULT_MAX_TENANTS;
    if (!Number.isInteger(max) || max < 1) throw new Error('maxTenants must be a positive integer');
    this.seedCompanies = opts.seedCompanies;
    this.maxTenants = max;
    this.now = opts.now ?? Date.now;
    this.restoreSnapshot = opts.restore;
    const onEvict = opts.onEvict;
    this.tenants = new LRUCache<string, Tenant>({
      max,
      ...(onEvict ? { dispose: (t: Tenant, _k: string, reason: string) => reason === 'evict' && onEvict(t) } : {}),
    });
  }

  private readonly restoreSnapshot?: (token: string) => TenantSnapshot | undefined;

  /** The tenants held now. */
  liveTenants(): Tenant[] {
    return [...this.tenants.values()];
  }

  /** The tenant of a token, created (empty, seeded lazily) on first use; marks it most recently used. */
  tenant(token: string): Tenant {
    let t = this.tenants.get(token);
    if (!t) {
      t = new Tenant(token, this.seedCompanies, this.now);
      const snap = this.restoreSnapshot?.(token);
      if (snap) t.restore(snap);
      this.tenants.set(token, t);
    }
    return t;
  }

  get tenantCount(): number {
    return this.tenants.size;
  }

  /** Forget every tenant (they are recreated, freshly seeded, on next use). */
  reset(): void {
    this.tenants.clear();
  }
}
