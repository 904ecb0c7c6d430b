import { z } from 'zod';
import type { ModelDef } from './types';

/** The schema of a create body: writable fields, the required ones required, unknown keys kept. */
export function createSchema(model: ModelDef): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(model.fields)) {
    shape[name] = model.required.includes(name) ? schema : schema.optional();
  }
  if (model.hasCustom) shape.custom = customSchema();
  return z.looseObject(shape);
}

/** The schema of an update body: every writable field optional (Planhat's PUT is partial). */
export function updateSchema(model: ModelDef): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(model.fields)) shape[name] = schema.optional();
  if (model.hasCustom) shape.custom = customSchema();
  return z.looseObject(shape);
}

export function customSchema(): z.ZodType {
  return z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Custom field values keyed by the custom field name (see list_all_planhat_custom_fields)');
}
