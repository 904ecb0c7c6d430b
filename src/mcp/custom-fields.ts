import { Injectable, Logger, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RedisConnection } from '../common/redis/redis.connection';
import { AppConfig, DEFAULT_CACHE_LIMITS } from '../config/app-config';
import { PlanhatService } from '../planhat/planhat.service';
import type { JsonSchema } from './tool-schemas';

/** How long one account's custom field definitions are reused (how many are kept: CACHE_CUSTOM_FIELDS_BYTES). */
export const CUSTOM_FIELDS_TTL_MS = 60_000;
/** The size an entry counts while its fetch is pending (its schemas' JSON length once they arrive). */
const PENDING_BYTES = 256;
/** After a failed fetch, retry no sooner than this (tools/list falls back to a free-form `custom`). */
const FAILURE_TTL_MS = 5_000;

export interface CustomFieldDef {
  name: string;
  type?: string;
  parent?: string;
  listValues?: unknown;
  description?: string;
}

interface Entry {
  until: number;
  /** Planhat model name → the `custom` property's JSON Schema. */
  value: Promise<Map<string, JsonSchema> | undefined>;
}

/**
 * JSON Schema of one custom field value, from its Planhat type: always typed (tools/list must be
 * portable), with a description only where the type alone does not say what to send (ids, dates)
 * or the tenant gave one. A type Planhat adds later is a string.
 */
export function customFieldSchema(def: CustomFieldDef): JsonSchema {
  const values = Array.isArray(def.listValues) ? def.listValues.filter((v): v is string => typeof v === 'string') : [];
  const own =
    typeof def.description === 'string' && def.description.trim() ? def.description.trim().slice(0, 300) : undefined;
  const described = (schema: JsonSchema, hint?: string): JsonSchema => {
    const description = [hint, own].filter(Boolean).join('; ');
    return description ? { ...schema, description } : schema;
  };
  const strings: JsonSchema = values.length ? { type: 'string', enum: values } : { type: 'string' };
  switch (def.type) {
    case 'number':
    case 'rating':
      return described({ type: 'number' });
    case 'checkbox':
      return described({ type: 'boolean' });
    case 'list':
      return described(strings);
    case 'multipicklist':
      return described({ type: 'array', items: strings });
    case 'date':
    case 'day':
      return described({ type: 'string' }, 'ISO 8601 date');
    case 'team member':
      return described({ type: 'string' }, "a user's `_id`");
    case 'team members':
      return described({ type: 'array', items: { type: 'string' } }, "users' `_id`s");
    case 'enduser':
      return described({ type: 'string' }, "an enduser's `_id`");
    case 'endusers':
      return described({ type: 'array', items: { type: 'string' } }, "endusers' `_id`s");
    default:
      return described({ type: 'string' });
  }
}

/**
 * The `custom` properties per Planhat model name, from the tenant's definitions. Keys other than
 * the listed fields stay allowed (no `additionalProperties: false`): a field defined after the
 * schema was cached is still accepted, and Planhat checks the names.
 */
export function customPropertiesByModel(defs: CustomFieldDef[]): Map<string, JsonSchema> {
  const byModel = new Map<string, Record<string, JsonSchema>>();
  for (const d of defs) {
    if (!d || typeof d.name !== 'string' || typeof d.parent !== 'string') continue;
    let props = byModel.get(d.parent);
    if (!props) byModel.set(d.parent, (props = {}));
    props[d.name] = customFieldSchema(d);
  }
  const out = new Map<string, JsonSchema>();
  for (const [model, properties] of byModel) out.set(model, { type: 'object', properties });
  return out;
}

/** Bytes of an account's `custom` schemas as JSON (what the cache's byte bound counts). */
export function schemasBytes(schemas: Map<string, JsonSchema> | undefined): number {
  if (!schemas) return PENDING_BYTES;
  let n = PENDING_BYTES;
  for (const [model, schema] of schemas) n += model.length + Buffer.byteLength(JSON.stringify(schema));
  return n;
}

/**
 * Per integrated account, the custom field definitions turned into `custom` JSON Schemas: fetched
 * from Planhat at most once per TTL (concurrent callers share one fetch). Bounded by the bytes of
 * the schemas' JSON (CACHE_CUSTOM_FIELDS_BYTES): least recently used accounts are evicted first, and
 * an account whose schemas alone exceed the bound is served but not kept.
 */
@Injectable()
export class CustomFieldsCache {
  private readonly log = new Logger('McpCustomFields');
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly planhat: PlanhatService,
    private readonly redis: RedisConnection,
    @Optional() config?: AppConfig,
  ) {
    this.entries = new LRUCache({ maxSize: (config?.caches ?? DEFAULT_CACHE_LIMITS).customFieldsBytes });
  }

  /** Accounts held now, and the bytes they count. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  /** The `custom` schemas by model name, or undefined when Planhat could not be asked. */
  get(accountId: string, now = Date.now()): Promise<Map<string, JsonSchema> | undefined> {
    const hit = this.entries.get(accountId);
    if (hit && hit.until > now) return hit.value;
    if (hit) this.entries.delete(accountId);
    const entry: Entry = { until: now + CUSTOM_FIELDS_TTL_MS, value: Promise.resolve(undefined) };
    entry.value = this.fetch(accountId).then(
      (schemas) => {
        // Count the schemas' real size once known (only if this entry is still the account's).
        // (lru-cache keeps the old size when the same value is set again: store a copy.)
        if (this.entries.peek(accountId) === entry)
          this.entries.set(accountId, { ...entry }, { size: schemasBytes(schemas) });
        return schemas;
      },
      (err: unknown) => {
        entry.until = Date.now() + FAILURE_TTL_MS;
        this.log.warn(
          `custom fields of an account could not be read: ${err instanceof Error ? err.message : String(err)}`,
        );
        return undefined;
      },
    );
    this.entries.set(accountId, entry, { size: PENDING_BYTES });
    return entry.value;
  }

  evict(accountId: string): void {
    this.entries.delete(accountId);
    void this.redis.client?.del(`cf:${accountId}`).catch(() => undefined);
  }

  /**
   * The definitions from Redis when REDIS_URL is set and another instance fetched them within the
   * TTL, otherwise from Planhat (then shared through Redis). Redis trouble falls back to Planhat.
   */
  private async fetch(accountId: string): Promise<Map<string, JsonSchema>> {
    const redis = this.redis.client;
    const key = `cf:${accountId}`;
    if (redis) {
      const cached = await redis.get(key).catch(() => null);
      if (cached) return customPropertiesByModel(JSON.parse(cached) as CustomFieldDef[]);
    }
    const page = await this.planhat.listPage(accountId, 'custom_fields', {}, { limit: 2000 });
    const defs = (page.data.result as unknown as CustomFieldDef[]).map(
      ({ name, type, parent, listValues, description }) => ({
        name,
        type,
        parent,
        listValues,
        description,
      }),
    );
    if (redis) await redis.set(key, JSON.stringify(defs), 'PX', CUSTOM_FIELDS_TTL_MS).catch(() => undefined);
    return customPropertiesByModel(defs);
  }
}
