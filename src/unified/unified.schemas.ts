import { z } from 'zod';
import { GatewayError } from '../common/errors';
import { findModel, integerParam } from '../planhat/catalog';
import { filtersOf } from './filters';
import { mapperOf, type UnifiedMapper } from './mappers';
import type { UnifiedResourceDef } from './unified-resources';

export const DEFAULT_LIMIT = 100;

export interface UnifiedSchemas {
  /** Create body: writable unified fields, the required ones required, unknown fields rejected. */
  readonly create: z.ZodObject;
  /** Update body (PATCH): every writable field optional, unknown fields rejected. */
  readonly update: z.ZodObject;
  /** List query: limit, next_cursor, include_remote_data, sort and the resource's filters. */
  readonly listQuery: z.ZodObject;
  /** Get query: include_remote_data / truto_ignore_remote_data, truto_response_format. */
  readonly getQuery: z.ZodObject;
  /** Create/update query: the same as get. */
  readonly writeQuery: z.ZodObject;
}

/** Truto's response formats; `stream` is refused with a 400. */
export const RESPONSE_FORMATS = ['unified', 'normalized', 'raw'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** How records are answered: unified (with or without remote_data) or Planhat's own records (raw). */
export interface OutputMode {
  readonly format: ResponseFormat;
  readonly includeRemoteData: boolean;
}

const truthy = (v: unknown) => v === true || v === 'true';
const falsy = (v: unknown) => v === false || v === 'false';

/**
 * The output mode of a parsed query. Remote data is left out when `include_remote_data=false`,
 * `truto_ignore_remote_data=true` or the format is `normalized` (the unified fields alone).
 */
export function outputMode(q: Record<string, unknown>): OutputMode {
  const format = (q.truto_response_format as ResponseFormat | undefined) ?? 'unified';
  return {
    format,
    includeRemoteData: format === 'unified' && !falsy(q.include_remote_data) && !truthy(q.truto_ignore_remote_data),
  };
}

export function maxLimitOf(def: UnifiedResourceDef): number {
  return findModel(def.native)?.maxLimit ?? DEFAULT_LIMIT;
}

/** Unified fields that `sort` accepts, with the Planhat field each sorts on. */
export function sortFields(mapper: UnifiedMapper): Map<string, string> {
  return new Map(mapper.fields.filter((f) => f.sortable).map((f) => [f.unified, f.native]));
}

const includeRemoteData = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .optional()
  .describe('Attach the Planhat record as remote_data (default true); the same as truto_ignore_remote_data negated');

const OUTPUT = {
  include_remote_data: includeRemoteData,
  truto_ignore_remote_data: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .optional()
    .describe("Truto's name: true leaves remote_data out (default false)"),
  truto_response_format: z
    .enum([...RESPONSE_FORMATS, 'stream'])
    .refine((v) => v !== 'stream', 'stream is not supported; use unified, normalized or raw')
    .optional()
    .describe(
      'unified (default): unified fields and remote_data; normalized: unified fields only; raw: the Planhat records as Planhat sent them',
    ),
};

/** `.optional()` keeping the description (zod 4 keeps metadata per instance). */
function optional(schema: z.ZodType): z.ZodType {
  const opt = schema.optional();
  return schema.description ? opt.describe(schema.description) : opt;
}

const cache = new Map<string, UnifiedSchemas>();

/** The zod schemas of one unified resource; the REST routes and the MCP tools both use these. */
export function unifiedSchemas(def: UnifiedResourceDef): UnifiedSchemas {
  const key = `${def.api}/${def.resource}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const mapper = mapperOf(def);
  const required = new Set(mapper.required ?? []);
  const create: Record<string, z.ZodType> = {};
  const update: Record<string, z.ZodType> = {};
  for (const f of mapper.fields) {
    if (!f.schema) continue;
    create[f.unified] = required.has(f.unified) ? f.schema : optional(f.schema);
    update[f.unified] = optional(f.schema);
  }
  const max = maxLimitOf(def);
  const sortable = [...sortFields(mapper).keys()];
  const filters = Object.fromEntries(Object.entries(filtersOf(mapper)).map(([k, r]) => [k, optional(r.schema)]));
  const listQuery = z.strictObject({
    limit: integerParam(1, max)
      .optional()
      .describe(`Page size (default ${DEFAULT_LIMIT}, at most ${max}; larger values are rejected)`),
    next_cursor: z
      .string()
      .min(1)
      .optional()
      .describe('Cursor from the previous page; pass it back unchanged with the same filters'),
    prev_cursor: z.string().min(1).optional().describe("A page's prev_cursor: the page before it (same filters)"),
    ...OUTPUT,
    sort: z
      .string()
      .refine(
        (v) => sortable.includes(v.replace(/^[-+]/, '')),
        `must be one of ${sortable.join(', ')} (prefix - for descending)`,
      )
      .optional()
      .describe(`Unified field to sort by, - prefix for descending: ${sortable.join(', ')}`),
    ...filters,
  });
  const s: UnifiedSchemas = {
    create: z.strictObject(create).describe(`Create a ${def.one}`),
    update: z.strictObject(update).describe(`Update a ${def.one} (partial)`),
    listQuery,
    getQuery: z.strictObject(OUTPUT),
    writeQuery: z.strictObject(OUTPUT),
  };
  cache.set(key, s);
  return s;
}

/** Parses with a zod schema; a failure is a 400 naming the first bad field (or parameter). */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: 'field' | 'query parameter'): T {
  if (what === 'field' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw GatewayError.invalid('The body must be a JSON object');
  }
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const valid = Object.keys((schema as unknown as z.ZodObject).shape ?? {});
    throw GatewayError.invalid(
      `Unknown ${what}${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`,
      issues,
      `Valid: ${valid.join(', ') || '(none)'}`,
    );
  }
  const path = issue.path.map(String).join('.') || '(body)';
  // zod does not put the input in its issues: "missing" is read from the value itself (a coerced
  // query parameter such as limit=1.5 fails as invalid_type, and is not missing).
  const given = issue.path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    value,
  );
  const message =
    issue.code === 'invalid_type' && given === undefined
      ? `Missing required ${what}: ${path}`
      : `Invalid ${what} ${path}: ${issue.message}`;
  throw GatewayError.invalid(message, issues);
}
