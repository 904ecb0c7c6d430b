import { z } from 'zod';
import { MODELS } from './models';
import { methodClassOf, type ModelDef, type Operation, type ToolDef } from './types';

export * from './types';
export { MODELS } from './models';
export { createSchema, customSchema, updateSchema } from './body-schemas';

/** The catalog's model keys, as a type (e.g. 'companies' | 'endusers' | ...). */
export type ModelKey = (typeof MODELS)[number]['key'];

const byKey = new Map<string, ModelDef>(MODELS.map((m) => [m.key, m]));
const byPath = new Map<string, ModelDef>(MODELS.map((m) => [m.path.slice(1), m]));

export function allModels(): readonly ModelDef[] {
  return MODELS;
}

/** The model for a REST name (`custom_fields`) or, failing that, a Planhat path name (`customfields`). */
export function findModel(name: string): ModelDef | undefined {
  return byKey.get(name) ?? byPath.get(name);
}

export function modelKeys(): string[] {
  return MODELS.map((m) => m.key);
}

export function supports(model: ModelDef, op: Operation): boolean {
  return model.ops.includes(op);
}

/** Tool name of a model operation, from the model's stems (docs/contract.md §5). */
export function toolName(model: ModelDef, op: Operation): string {
  const { one, many } = model.stems;
  switch (op) {
    case 'list':
      return `list_all_planhat_${many}`;
    case 'get':
      return `get_single_planhat_${one}_by_id`;
    case 'create':
      return `create_a_planhat_${one}`;
    case 'update':
      return `update_a_planhat_${one}_by_id`;
    case 'delete':
      return `delete_a_planhat_${one}_by_id`;
    case 'bulk_upsert':
      return `bulk_upsert_planhat_${many}`;
  }
}

/** Every native tool the catalog generates, in catalog order. */
export function nativeTools(): ToolDef[] {
  const tools: ToolDef[] = [];
  for (const model of MODELS as readonly ModelDef[]) {
    for (const op of model.toolOps ?? model.ops) {
      tools.push({
        name: toolName(model, op),
        model,
        op,
        method: methodClassOf(op),
        tags: ['planhat', ...model.tags],
      });
    }
  }
  return tools;
}

const listQuerySchemas = new Map<string, z.ZodObject>();

/** Query parameters every list takes (Planhat's own), plus the model's filters (built once per model). */
export function listQuerySchema(model: ModelDef): z.ZodObject {
  let schema = listQuerySchemas.get(model.key);
  if (!schema) {
    schema = buildListQuerySchema(model);
    listQuerySchemas.set(model.key, schema);
  }
  return schema;
}

/** What a refused integer parameter was given, for messages: `, got 1.5` (nothing for text that is no number). */
function got(input: unknown): string {
  return typeof input === 'number' && !Number.isNaN(input) ? `, got ${input}` : '';
}

/**
 * An integer parameter (coerced from query text) whose refusals say what is wrong:
 * "must be a whole number, got 1.5", "must be at least 1, got -1", "must be at most 2000, got 5000".
 */
export function integerParam(min: number, max?: number) {
  const n = z.coerce
    .number({ error: (iss) => `must be a whole number${got(iss.input)}` })
    .int({ error: (iss) => `must be a whole number${got(iss.input)}` })
    .min(min, { error: (iss) => `must be at least ${min}${got(iss.input)}` });
  return max === undefined ? n : n.max(max, { error: (iss) => `must be at most ${max}${got(iss.input)}` });
}

function buildListQuerySchema(model: ModelDef): z.ZodObject {
  return z.object({
    limit: integerParam(1)
      .optional()
      .describe(`Page size (default 100; at most ${model.maxLimit}, larger values are clamped)`),
    offset: integerParam(0).optional().describe('Zero-based index of the first record'),
    sort: z
      .string()
      .optional()
      .describe('Field to sort by, `-` prefix for descending (e.g. `-updatedAt`); case-sensitive Planhat field names'),
    select: z.string().optional().describe('Comma-separated fields to return, e.g. `name,companyId`'),
    ...Object.fromEntries(Object.entries(model.filters).map(([k, v]) => [k, v.optional()])),
  });
}

/**
 * Checks an id before it goes into a Planhat path: `_id`, `extid-…` or `srcid-…`; no `/`, no `..`,
 * not `.`, no control characters, no whitespace-only, at most 512 characters. Returns a message or
 * undefined. The id is checked as it is and as every layer of percent-decoding would turn it (an id
 * `%2e` is `.` to a server that decodes once more): a path segment `.` or `..` is removed by URL
 * normalisation, so `/companies/.` would become the collection (a list, or the bulk PUT).
 */
export function idProblem(id: string): string | undefined {
  if (id.length === 0 || id.trim().length === 0) return 'id is empty';
  if (id.length > 512) return 'id is longer than 512 characters';
  for (const form of decodedForms(id)) {
    if (form.includes('/') || form.includes('\\')) return 'id must not contain a slash';
    if (form.includes('..')) return 'id must not contain ".."';
    if (form.trim() === '.') return 'id must not be "."';
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(form)) return 'id must not contain control characters';
  }
  if (id === 'extid-' || id === 'srcid-') return 'id prefix extid-/srcid- needs a value after it';
  return undefined;
}

/** The id, then each result of percent-decoding it again, until nothing changes or it is not valid percent-encoding. */
function decodedForms(id: string): string[] {
  const forms = [id];
  let current = id;
  // An id of at most 512 characters shrinks with each decoding that changes it; the bound is a backstop.
  for (let i = 0; i < 8 && current.includes('%'); i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      break;
    }
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

/** Which model fields refer to companies (for resolving extid-/srcid- references). */
export function companyRefField(model: ModelDef): string | undefined {
  return model.companyRef;
}

export { recordProblem, type RecordProblem } from './validate';
