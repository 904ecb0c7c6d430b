import { z } from 'zod';
import { GatewayError } from '../common/errors';
import { sinceFilter, type FilterRule, type Native, type UnifiedMapper } from './mappers';

/** Unified fields `search_term` looks in (the one-to-one text fields of a resource that has them). */
const SEARCHABLE = [
  'name',
  'subject',
  'title',
  'first_name',
  'last_name',
  'username',
  'email',
  'content',
  'description',
];

/** Bounds of `created_at[...]` / `updated_at[...]`. */
export const RANGE_OPS = ['gt', 'gte', 'lt', 'lte'] as const;
export type RangeOp = (typeof RANGE_OPS)[number];

const cache = new WeakMap<UnifiedMapper, Readonly<Record<string, FilterRule>>>();

/**
 * Every list filter of a resource: the mapper's own (Planhat parameters or gateway predicates) and
 * Truto's common ones where the resource has the field behind them: `created_at` / `updated_at`
 * (at or after), `owner` (the owner's id) and `search_term` (case-insensitive contains over the
 * text fields), all applied by the gateway since Planhat has no such list parameters.
 */
export function filtersOf(mapper: UnifiedMapper): Readonly<Record<string, FilterRule>> {
  const hit = cache.get(mapper);
  if (hit) return hit;
  const out: Record<string, FilterRule> = { ...(mapper.filters ?? {}) };
  const field = (u: string) => mapper.fields.find((f) => f.unified === u);
  for (const ts of ['created_at', 'updated_at']) {
    const f = field(ts);
    if (f && !f.read && !out[ts])
      out[ts] = sinceFilter(
        f.native,
        `Records with ${ts} at or after this ISO 8601 time (applied by the gateway); ${ts}[gt|gte|lt|lte] for other bounds`,
      );
  }
  const owner = field('owner');
  if (owner?.read && !out.owner) {
    const read = owner.read;
    out.owner = {
      schema: z.string().min(1).describe('Records owned by this user id (applied by the gateway)'),
      test: (n, value) => (read(n) as { id?: string } | undefined)?.id === value,
    };
  }
  const natives = SEARCHABLE.flatMap((u) => {
    const f = field(u);
    return f && !f.read ? [f.native] : [];
  });
  if (natives.length > 0 && !out.search_term) {
    out.search_term = {
      schema: z
        .string()
        .min(1)
        .max(200)
        .describe(
          `Records whose ${SEARCHABLE.filter((u) => field(u) && !field(u)!.read).join(', ')} contains this text (case-insensitive; applied by the gateway)`,
        ),
      test: (n, value) => {
        const v = value.toLowerCase();
        return natives.some((k) => typeof n[k] === 'string' && (n[k] as string).toLowerCase().includes(v));
      },
    };
  }
  cache.set(mapper, out);
  return out;
}

/** Truto's bracketed list parameters, taken out of the query before the strict schema sees the rest. */
export interface BracketedParams {
  /** `remote_query[name]=value`: passed to Planhat unchanged. */
  remoteQuery: Record<string, string>;
  /** `sort_by[field]=asc|desc`. */
  sortBy?: { field: string; desc: boolean };
  /** `created_at[op]` / `updated_at[op]`. */
  ranges: { field: 'created_at' | 'updated_at'; op: RangeOp; value: string }[];
}

const BRACKETED = /^(remote_query|sort_by|created_at|updated_at)\[([^\]]*)\]$/;

/** Splits the bracketed names off `query` (which keeps the plain ones); a bad name or value is a 400. */
export function takeBracketed(query: Record<string, unknown>): BracketedParams {
  const out: BracketedParams = { remoteQuery: {}, ranges: [] };
  for (const key of Object.keys(query)) {
    const m = BRACKETED.exec(key);
    if (!m) continue;
    const value = query[key];
    delete query[key];
    if (typeof value !== 'string') throw GatewayError.invalid(`Query parameter ${key} must be given once, as a string`);
    const [, kind, name] = m;
    if (kind === 'remote_query') {
      if (['limit', 'offset'].includes(name))
        throw GatewayError.invalid(
          `Query parameter ${key} is not allowed: the gateway pages with limit and next_cursor`,
        );
      if (value.length > 4000) throw GatewayError.invalid(`Query parameter ${key} is longer than 4000 characters`);
      out.remoteQuery[name] = value;
    } else if (kind === 'sort_by') {
      if (out.sortBy) throw GatewayError.invalid('Give one sort_by[field] (Planhat sorts on one field)');
      if (value !== 'asc' && value !== 'desc')
        throw GatewayError.invalid(`Invalid query parameter ${key}: must be asc or desc`);
      out.sortBy = { field: name, desc: value === 'desc' };
    } else {
      if (!(RANGE_OPS as readonly string[]).includes(name))
        throw GatewayError.invalid(`Invalid query parameter ${key}: the bound must be one of ${RANGE_OPS.join(', ')}`);
      if (Number.isNaN(Date.parse(value)))
        throw GatewayError.invalid(`Invalid query parameter ${key}: must be an ISO 8601 date or date-time`);
      out.ranges.push({ field: kind as 'created_at' | 'updated_at', op: name as RangeOp, value });
    }
  }
  return out;
}

/** The gateway predicate of a `created_at[op]` bound on the Planhat field `native`. */
export function rangeTest(native: string, op: RangeOp, value: string): (n: Native) => boolean {
  const bound = Date.parse(value);
  return (n) => {
    const t = typeof n[native] === 'string' ? Date.parse(n[native] as string) : NaN;
    if (Number.isNaN(t)) return false;
    return op === 'gt' ? t > bound : op === 'gte' ? t >= bound : op === 'lt' ? t < bound : t <= bound;
  };
}
