import { z } from 'zod';

/** A Planhat record as Planhat returns it, and a record in a unified model. */
export type Native = Record<string, unknown>;
export type Unified = Record<string, unknown>;

export interface MapCtx {
  /** Attach the Planhat record as `remote_data` (default true; `include_remote_data=false` drops it). */
  includeRemoteData: boolean;
}

/**
 * One unified field. One-to-one fields are data (`direct`), the awkward ones carry a `read`
 * (Planhat record → unified value) and, when writable, a `write` (unified value → Planhat fields).
 * `schema` is the zod schema of the writable value; a field without one is read-only.
 */
export interface FieldRule {
  readonly unified: string;
  /** The Planhat field(s) behind it, for the coverage table and for `sort`. */
  readonly native: string;
  readonly schema?: z.ZodType;
  /** Only for awkward fields. */
  readonly read?: (n: Native) => unknown;
  /**
   * The Planhat fields `read` looks at. With them the unified list writes records straight from
   * Planhat's text (../fast/raw.ts), giving `read` a record of just these fields; a mapper with a `read`
   * field without `reads` maps parsed records instead.
   */
  readonly reads?: readonly string[];
  /**
   * What `read` gives, as a shape the unified list's raw writer (../fast/) writes straight from
   * Planhat's text of the `reads` fields, without decoding them. Only the combinators below set it,
   * next to their `read`; ../fast/raw.spec.ts checks that the two agree.
   */
  readonly raw?: RawShape;
  readonly write?: (value: unknown, out: Native) => void;
  /** `sort` on this unified field sorts on `native` (true for every direct field). */
  readonly sortable?: boolean;
  readonly note?: string;
}

/**
 * How a combinator's `read` value is laid out, for the raw writer (../fast/raw-shapes.ts):
 * `id`: `{id}` from a text field 0; `textRecords`: `[{...non-empty text fields, ...constants}]`;
 * `textList`: `[{[key]: text, type}, ...]` from the sources; `tags`: `[{id, name}]` from a string array.
 */
export type RawShape =
  | { readonly kind: 'id' }
  | {
      readonly kind: 'textRecords';
      readonly keys: readonly string[];
      readonly constants: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'textList'; readonly key: string; readonly sources: readonly TextSource[] }
  | { readonly kind: 'tags' };

/** A list filter: mapped onto a Planhat parameter (`param`) or applied by the gateway (`test`). */
export interface FilterRule {
  readonly schema: z.ZodType<string>;
  /** Planhat list parameter the value goes to (Planhat filters). */
  readonly param?: string;
  /** Unified value → Planhat parameter value (default: unchanged). */
  readonly paramValue?: (value: string) => string;
  /** Gateway-side predicate on the Planhat record, for filters Planhat does not have. */
  readonly test?: (n: Native, value: string) => boolean;
}

export interface MapperSpec {
  readonly fields: readonly FieldRule[];
  /** Unified fields required on create (checked by the create schema, so the 400 names them). */
  readonly required?: readonly string[];
  readonly filters?: Readonly<Record<string, FilterRule>>;
  /** Planhat parameters always sent on list (notes: `type=note`). */
  readonly fixedQuery?: Readonly<Record<string, string>>;
  /** Records of the Planhat model that belong to this unified resource (notes: type note); default all. */
  readonly accepts?: (n: Native) => boolean;
  /** Planhat fields set on create when the body leaves them out (pure; e.g. tasks `mainType: task`). */
  readonly createDefaults?: (n: Native) => Native;
}

export interface UnifiedMapper extends MapperSpec {
  toUnified(native: Native, ctx?: MapCtx): Unified;
  toNative(unified: Unified): Native;
}

/** `[unified, native, schema?]`: a one-to-one field; without a schema it is read-only. */
export type Direct = readonly [unified: string, native: string, schema?: z.ZodType];

export function direct(rows: readonly Direct[]): FieldRule[] {
  return rows.map(([unified, native, schema]) => ({ unified, native, schema, sortable: true }));
}

export function defineMapper(spec: MapperSpec): UnifiedMapper {
  // The fields as parallel arrays, walked by index: toUnified runs for every record of every page.
  const count = spec.fields.length;
  const unifieds = spec.fields.map((f) => f.unified);
  const natives = spec.fields.map((f) => f.native);
  const reads = spec.fields.map((f) => f.read);
  return {
    ...spec,
    toUnified(n: Native, ctx: MapCtx = { includeRemoteData: true }): Unified {
      const out: Unified = { id: idOf(n) };
      for (let i = 0; i < count; i++) {
        const read = reads[i];
        const v = read === undefined ? n[natives[i]] : read(n);
        if (v !== undefined) out[unifieds[i]] = v;
      }
      if (ctx.includeRemoteData) out.remote_data = n;
      return out;
    },
    toNative(u: Unified): Native {
      const out: Native = {};
      for (const f of spec.fields) {
        const v = u[f.unified];
        if (v === undefined || !f.schema) continue;
        if (f.write) f.write(v, out);
        else out[f.native] = v;
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------ helpers for awkward fields

export function idOf(n: Native): string {
  return String(n._id ?? n.id ?? '');
}

export const str = (n: Native, k: string): string | undefined =>
  typeof n[k] === 'string' && n[k] !== '' ? (n[k] as string) : undefined;

/** `{id}` from a Planhat reference that is an id string or an object `{id|_id, ...}` (list vs get). */
export function ref(v: unknown): { id: string } | undefined {
  if (typeof v === 'string' && v) return { id: v };
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const id = o.id ?? o._id;
    if (typeof id === 'string' && id) return { id };
  }
  return undefined;
}

/** A field `{id}` ↔ a Planhat id field (owner, companyId, ownerId). */
export function refField(unified: string, native: string, what: string, opts: { writable?: boolean } = {}): FieldRule {
  return {
    unified,
    native,
    sortable: true,
    read: (n) => ref(n[native]),
    reads: [native],
    raw: { kind: 'id' },
    ...(opts.writable === false
      ? {}
      : {
          schema: refSchema(what),
          write: (v, out) => {
            out[native] = (v as { id: string }).id;
          },
        }),
  };
}

/**
 * `[{...the non-empty text fields, ...constants}]`, or `[]` when the record has none of them: the
 * one address or phone number Planhat keeps, as a unified list. `fields` maps unified keys to
 * Planhat fields, in the order they are written.
 */
export function textRecordList(
  fields: Readonly<Record<string, string>>,
  constants: Readonly<Record<string, string>>,
): Pick<FieldRule, 'reads' | 'read' | 'raw'> {
  const entries = Object.entries(fields);
  const unifiedKeys = entries.map(([unified]) => unified);
  const nativeKeys = entries.map(([, native]) => native);
  const constantEntries = Object.entries(constants);
  return {
    reads: entries.map(([, native]) => native),
    read: (n) => {
      let record: Native | undefined;
      for (let i = 0; i < unifiedKeys.length; i++) {
        const v = n[nativeKeys[i]];
        if (typeof v !== 'string' || v === '') continue;
        record ??= {};
        record[unifiedKeys[i]] = v;
      }
      if (record === undefined) return [];
      for (let i = 0; i < constantEntries.length; i++) record[constantEntries[i][0]] = constantEntries[i][1];
      return [record];
    },
    raw: { kind: 'textRecords', keys: unifiedKeys, constants },
  };
}

/**
 * Where the items of a `textList` come from: a non-empty text field gives one item; with `each`,
 * an array field gives one per string in it (per non-empty one with `nonEmpty`).
 */
export interface TextSource {
  readonly from: string;
  readonly type: string;
  readonly each?: boolean;
  readonly nonEmpty?: boolean;
}

/** `[{[key]: text, type}, ...]` from the sources in order (urls from web and domains, email addresses). */
export function textList(key: string, sources: readonly TextSource[]): Pick<FieldRule, 'reads' | 'read' | 'raw'> {
  return {
    reads: sources.map((s) => s.from),
    read: (n) => {
      const items: Native[] = [];
      for (let i = 0; i < sources.length; i++) {
        const s = sources[i];
        const v = n[s.from];
        if (!s.each) {
          if (typeof v === 'string' && v !== '') items.push({ [key]: v, type: s.type });
          continue;
        }
        if (!Array.isArray(v)) continue;
        for (let e = 0; e < v.length; e++) {
          const text: unknown = v[e];
          if (typeof text === 'string' && (!s.nonEmpty || text !== '')) items.push({ [key]: text, type: s.type });
        }
      }
      return items;
    },
    raw: { kind: 'textList', key, sources },
  };
}

export const refSchema = (what: string) =>
  z.strictObject({ id: z.string().min(1).describe(`${what} id`) }).describe(`${what}: {id}`);

/** Unified timestamps and names shared by many resources. */
export const s = {
  str: (d: string) => z.string().describe(d),
  text: (d: string) => z.string().max(100_000).describe(d),
  int: (d: string) => z.number().int().describe(d),
  num: (d: string) => z.number().describe(d),
  bool: (d: string) => z.boolean().describe(d),
  date: (d: string) => z.string().min(1).describe(`${d} (ISO 8601, e.g. 2026-01-31T12:00:00Z)`),
  strs: (d: string) => z.array(z.string()).describe(d),
  custom: () =>
    z
      .record(z.string(), z.unknown())
      .describe(
        'Custom field values keyed by the custom field name (see the fields resource); writes merge key by key',
      ),
};

/** A filter passed to Planhat as `param`. */
export function nativeFilter(param: string, description: string): FilterRule {
  return { param, schema: z.string().min(1).describe(description) };
}

/** Case-insensitive "contains" on a string field, applied by the gateway. */
export function containsFilter(native: string, description: string): FilterRule {
  return {
    schema: z.string().min(1).describe(description),
    test: (n, value) =>
      typeof n[native] === 'string' && (n[native] as string).toLowerCase().includes(value.toLowerCase()),
  };
}

/** "At or after" on an ISO timestamp field, applied by the gateway. */
export function sinceFilter(native: string, description: string): FilterRule {
  return {
    schema: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date or date-time')
      .describe(description),
    test: (n, value) => {
      const t = typeof n[native] === 'string' ? Date.parse(n[native] as string) : NaN;
      return !Number.isNaN(t) && t >= Date.parse(value);
    },
  };
}

// ------------------------------------------------------------------ Truto reference shapes

/**
 * A Planhat reference that is an id string or an object `{id|_id, nickName|name|firstName, ...}`
 * (Planhat returns owners both ways): `{id, name?}`, the name from the object or from `nameField`
 * (e.g. tasks' `ownerName`).
 */
export function ownerOf(v: unknown, fallbackName?: unknown): { id: string; name?: string } | undefined {
  let id: string | undefined;
  let name: string | undefined;
  if (typeof v === 'string' && v) id = v;
  else if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const raw = o.id ?? o._id;
    if (typeof raw === 'string' && raw) id = raw;
    const n = [o.name, o.nickName, [o.firstName, o.lastName].filter((x) => typeof x === 'string' && x).join(' ')].find(
      (x) => typeof x === 'string' && x,
    );
    if (typeof n === 'string') name = n;
  }
  if (!id) return undefined;
  if (!name && typeof fallbackName === 'string' && fallbackName) name = fallbackName;
  return name ? { id, name } : { id };
}

/** An owner given as an id or as `{id, ...}` (what a read returns, sent back). */
export const ownerSchema = (what: string) =>
  z
    .union([
      z.string().min(1),
      z.object({
        id: z.string().min(1).describe(`${what} id`),
        name: z.string().optional().describe('Ignored on write'),
      }),
    ])
    .describe(`${what}: {id} (or the id as a string)`);

/**
 * `owner` ← a Planhat user reference (`owner`, `ownerId`), read as `{id, name?}` whether Planhat
 * sends an id or an object; written as the id.
 */
export function ownerField(unified: string, native: string, what: string, nameField?: string): FieldRule {
  return {
    unified,
    native: nameField ? `${native}, ${nameField}` : native,
    sortable: true,
    note: `{id${nameField ? `, name ← ${nameField}` : ', name'}}; Planhat's id or {id, nickName} object; a write takes an id or {id}`,
    read: (n) => ownerOf(n[native], nameField ? n[nameField] : undefined),
    reads: nameField ? [native, nameField] : [native],
    raw: nameField ? undefined : { kind: 'id' },
    schema: ownerSchema(what),
    write: (v, out) => {
      out[native] = typeof v === 'string' ? v : (v as { id: string }).id;
    },
  };
}

/** A tag or reference written as a string or as `{id?, name?}` (Truto's shape): the name, else the id. */
const namedValue = z.union([
  z.string().min(1),
  z
    .object({
      id: z.string().min(1).optional().describe('The value'),
      name: z.string().min(1).optional().describe('The value (wins over id)'),
    })
    .refine((t) => t.id !== undefined || t.name !== undefined, 'give id or name'),
]);
export const nameOfValue = (v: unknown): string =>
  typeof v === 'string' ? v : ((v as { name?: string }).name ?? (v as { id: string }).id);

/** `tags` ← Planhat's string array, read as `[{id, name}]` (both the tag); a write takes strings or `{id|name}`. */
export function tagsField(unified: string, native: string): FieldRule {
  return {
    unified,
    native,
    sortable: false,
    note: '[{id, name}] = the tag; a write takes [{name}], [{id}] or strings',
    schema: z.array(namedValue).describe('Tags: [{id, name}] as read, or plain strings'),
    reads: [native],
    read: (n) =>
      Array.isArray(n[native])
        ? (n[native] as unknown[]).filter((t) => typeof t === 'string').map((t) => ({ id: t, name: t }))
        : undefined,
    raw: { kind: 'tags' },
    write: (v, out) => {
      out[native] = (v as unknown[]).map(nameOfValue);
    },
  };
}

/** `{id, name}` both the Planhat string (a task type, a ticket priority); a write takes `{id|name}` or a string. */
export function namedField(
  unified: string,
  native: string,
  description: string,
  opts: { writable?: boolean; note?: string } = {},
): FieldRule {
  return {
    unified,
    native,
    sortable: true,
    note: opts.note ?? '{id, name} = the Planhat value',
    reads: [native],
    read: (n) => (typeof n[native] === 'string' && n[native] !== '' ? { id: n[native], name: n[native] } : undefined),
    ...(opts.writable === false
      ? {}
      : {
          schema: namedValue.describe(`${description}: {id} or {name} (or the value as a string)`),
          write: (v: unknown, out: Native) => {
            out[native] = nameOfValue(v);
          },
        }),
  };
}

/** `[{id}]` ↔ a Planhat array of ids (endusers on conversations and tasks). */
export function idListField(
  unified: string,
  native: string,
  what: string,
  opts: { from?: number; writable?: boolean } = {},
): FieldRule {
  const from = opts.from ?? 0;
  return {
    unified,
    native: from ? `${native}[${from}..]` : native,
    note: `[{id}] ↔ ${what} ids`,
    reads: [native],
    read: (n) =>
      Array.isArray(n[native]) ? (n[native] as unknown[]).slice(from).flatMap((e) => (ref(e) ? [ref(e)!] : [])) : [],
    ...(opts.writable === false
      ? {}
      : {
          schema: z
            .array(
              z.object({
                id: z.string().min(1).describe(`${what} id`),
                name: z.string().optional().describe('Ignored on write'),
              }),
            )
            .describe(`${what}s: [{id}]`),
          write: (v: unknown, out: Native) => {
            out[native] = (v as { id: string }[]).map((c) => c.id);
          },
        }),
  };
}

/** The same field, read-only (for the read-only resources sharing a writable field's reading). */
export function readOnly(rule: FieldRule): FieldRule {
  const { schema: _schema, write: _write, ...rest } = rule;
  return rest;
}
