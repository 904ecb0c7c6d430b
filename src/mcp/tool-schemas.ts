import { z } from 'zod';
import { createSchema, listQuerySchema, toolName, updateSchema, type ModelDef } from '../planhat/catalog';
import type { UnifiedResourceDef } from '../unified/unified-resources';
import { unifiedSchemas } from '../unified/unified.schemas';
import type { IndexedTool } from './policy';

/**
 * Input schemas of the MCP tools: one zod schema (validation) and one flat JSON Schema (tools/list)
 * per tool, generated from the Planhat catalog / the unified resource list, computed once per tool
 * and cached for the process. Per integrated account only the `custom` property of create/update
 * tools changes (see custom-fields.ts); everything else is shared.
 */
export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  /** Validates (and strips/coerces) the arguments before anything reaches Planhat. */
  readonly zod: z.ZodType<Record<string, unknown>>;
  /** Flat JSON Schema of the input (without `$schema`). */
  readonly json: JsonSchema;
  /** Planhat model name whose custom field definitions fill `custom` (create/update tools only). */
  readonly customModel?: string;
}

const CURSOR = z
  .string()
  .min(1)
  .optional()
  .describe('Cursor from the previous page (next_cursor); omit for the first page. Keep the other arguments unchanged when paging.');

/** The optional idempotency key of the create tools (see common/idempotency). */
export const IDEMPOTENCY_KEY = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')
  .optional()
  .describe('Optional unique value per write (e.g. a UUID): a retry with the same key and arguments within 24 h returns the first result instead of writing again.');

function idField(model: ModelDef): z.ZodString {
  const list = model.ops.includes('list') ? toolName(model, 'list') : 'the list tool';
  return z
    .string()
    .min(1)
    .max(512)
    .describe(
      `The ${model.label.one}'s 24-hex \`_id\` (from ${list}), or \`extid-<${model.externalIdField ?? 'externalId'}>\` / \`srcid-<sourceId>\``,
    );
}

/** A preview flag of update and delete tools (issue: safe writes); never sent to Planhat. */
const DRY_RUN = z.boolean().optional();

function nativeZod(tool: IndexedTool & { kind: 'native' }): z.ZodType<Record<string, unknown>> {
  const m = tool.model;
  switch (tool.op) {
    case 'list':
      return listQuerySchema(m).omit({ offset: true }).extend({ next_cursor: CURSOR }).strict();
    case 'get':
      return z.object({ id: idField(m) }).strict();
    case 'delete':
      return z.object({ id: idField(m), dry_run: DRY_RUN.describe(`true: delete nothing; answer {dry_run, would_delete} with the ${m.label.one} that would be deleted`) }).strict();
    case 'create':
      return createSchema(m).extend({ idempotency_key: IDEMPOTENCY_KEY });
    case 'update':
      return z.looseObject({
        id: idField(m),
        ...updateSchema(m).shape,
        dry_run: DRY_RUN.describe('true: write nothing; answer {dry_run, _id, changes: [{field, before, after}], unchanged} against the record as it is now'),
      });
    case 'bulk_upsert':
      return z
        .object({
          items: z
            .array(updateSchema(m))
            .min(1)
            .max(5000)
            .describe(`The ${m.label.many} to create or update (1 to 5000 records)`),
          idempotency_key: IDEMPOTENCY_KEY,
        })
        .strict();
  }
}

function unifiedZod(r: UnifiedResourceDef, op: IndexedTool['op']): z.ZodType<Record<string, unknown>> {
  const s = unifiedSchemas(r);
  const id = z.string().min(1).max(512).describe(`The record id: the Planhat \`_id\` from list_all_${r.api}_${r.resource}`);
  switch (op) {
    case 'list':
      return s.listQuery;
    case 'get':
      return z.strictObject({ id, ...s.getQuery.shape });
    case 'delete':
      return z.strictObject({ id, dry_run: DRY_RUN.describe('true: delete nothing; answer {dry_run, would_delete} with the record that would be deleted') });
    case 'create':
      return s.create.extend({ idempotency_key: IDEMPOTENCY_KEY });
    default:
      return z.strictObject({
        id,
        ...s.update.shape,
        dry_run: DRY_RUN.describe('true: write nothing; answer {dry_run, id, changes: [{field, before, after}], unchanged} against the record as it is now'),
      });
  }
}

function toJson(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  if (json.type !== 'object') return { type: 'object', properties: {}, ...json };
  return json;
}

/**
 * A tool's spec; its JSON Schema is converted on first use (tools/list, get_tool_schema), not when
 * the MCP tools are declared at start (~1-2 ms per tool, most of the MCP module's share of a cold start).
 */
class Spec implements ToolSpec {
  #json?: JsonSchema;

  constructor(
    readonly zod: z.ZodType<Record<string, unknown>>,
    readonly customModel?: string,
  ) {}

  get json(): JsonSchema {
    this.#json ??= toJson(this.zod);
    return this.#json;
  }
}

/** undo_change's arguments. */
export const UNDO_CHANGE_INPUT = z
  .object({ change_id: z.string().min(1).max(100).describe('The change_id returned by the create, update or delete tool whose write to undo') })
  .strict() as z.ZodType<Record<string, unknown>>;

const specs = new Map<string, ToolSpec>();

/** The cached spec of a tool. */
export function toolSpec(tool: IndexedTool): ToolSpec {
  let spec = specs.get(tool.name);
  if (!spec) {
    if (tool.kind === 'native') {
      const zod = nativeZod(tool);
      const custom = tool.model.hasCustom && (tool.op === 'create' || tool.op === 'update');
      spec = new Spec(zod, custom ? tool.model.modelName : undefined);
    } else if (tool.kind === 'unified') {
      spec = new Spec(unifiedZod(tool.unified, tool.op));
    } else if (tool.kind === 'insight') {
      spec = new Spec(tool.insight.input as z.ZodType<Record<string, unknown>>);
    } else {
      spec = new Spec(UNDO_CHANGE_INPUT);
    }
    specs.set(tool.name, spec);
  }
  return spec;
}

/** The tool's JSON Schema with `custom` replaced by the account's custom field properties. */
export function inputSchemaFor(tool: IndexedTool, custom: Map<string, JsonSchema> | undefined): JsonSchema {
  const spec = toolSpec(tool);
  if (!spec.customModel || !custom) return spec.json;
  const prop = custom.get(spec.customModel);
  if (!prop) return spec.json;
  const props = spec.json.properties as Record<string, unknown>;
  return { ...spec.json, properties: { ...props, custom: prop } };
}

/** The first problem with a tool's arguments, as a message naming the field, or the parsed arguments. */
export function parseArguments(
  tool: IndexedTool,
  args: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string; field?: string } {
  const parsed = toolSpec(tool).zod.safeParse(args ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, ...issueMessage(parsed.error.issues) };
}

export function issueMessage(issues: readonly z.core.$ZodIssue[]): { message: string; field?: string } {
  const first = issues[0];
  if (!first) return { message: 'Invalid arguments' };
  if (first.code === 'unrecognized_keys') {
    const key = first.keys[0];
    return { message: `Unknown argument: ${[...first.path, key].join('.')} (see the tool's input schema)`, field: String(key) };
  }
  const path = first.path.map(String).join('.');
  if (!path) return { message: `Invalid arguments: ${first.message}` };
  if (first.code === 'invalid_type' && /received undefined/.test(first.message)) {
    return { message: `Missing required field: ${path}`, field: path };
  }
  return { message: `Invalid field ${path}: ${first.message}`, field: path };
}
