import type { z } from 'zod';
import { createSchema, updateSchema } from './body-schemas';
import { forbiddenKeyPath } from '../../common/forbidden-keys';
import type { ModelDef } from './types';

export interface RecordProblem {
  /** One sentence naming the field, e.g. "Missing required field: name". */
  message: string;
  field?: string;
  issues: { path: string; message: string }[];
}

const schemas = new Map<string, { create: z.ZodObject; update: z.ZodObject }>();
function schemasOf(model: ModelDef) {
  let s = schemas.get(model.key);
  if (!s) {
    s = { create: createSchema(model), update: updateSchema(model) };
    schemas.set(model.key, s);
  }
  return s;
}

/**
 * Checks a create or update body against the catalog: a JSON object, required fields (create),
 * one-of groups (create), field types, and the model's own constraints. Used by the gateway before
 * anything reaches Planhat, and by the sandbox to answer like Planhat.
 */
export function recordProblem(model: ModelDef, body: unknown, mode: 'create' | 'update'): RecordProblem | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { message: `The body must be a JSON object with ${model.label.one} fields`, issues: [] };
  }
  const rec = body as Record<string, unknown>;
  const polluted = forbiddenKeyPath(rec);
  if (polluted) return { message: `Field name not allowed: ${polluted}`, field: polluted, issues: [] };
  if (mode === 'create') {
    const missing = model.required.find((k) => rec[k] === undefined || rec[k] === null || rec[k] === '');
    if (missing) return { message: `Missing required field: ${missing}`, field: missing, issues: [] };
    for (const group of model.requiredOneOf ?? []) {
      if (!group.some((k) => rec[k] !== undefined && rec[k] !== null && rec[k] !== '')) {
        return { message: `Missing required field: one of ${group.join(', ')}`, field: group[0], issues: [] };
      }
    }
  }
  const schema = mode === 'create' ? schemasOf(model).create : schemasOf(model).update;
  const parsed = schema.safeParse(rec);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    return { message: `Invalid field ${first.path}: ${first.message}`, field: first.path.split('.')[0], issues };
  }
  const custom = model.check?.(rec, mode);
  if (custom) return { message: custom, field: custom.split(' ')[0], issues: [] };
  return undefined;
}
