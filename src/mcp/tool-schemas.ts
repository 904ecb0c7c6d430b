import { z } from 'zod';
import { createSchema, integerParam, listQuerySchema, toolName, updateSchema } from '../planhat/catalog';
import { unifiedToolName, type UnifiedResourceDef } from '../unified/unified-resources';
import { unifiedSchemas } from '../unified/unified.schemas';
import type { IndexedTool } from '../mcp-servers/policy';
import { compactSchema, type JsonSchema } from './schema-compact';

export type { JsonSchema } from './schema-compact';

/**
 * Input schemas of the MCP tools: one zod schema (validation) and one flat JSON Schema (tools/list)
 * per tool, generated from the Planhat catalog / the unified resource list, computed once per tool
 * and cached for the process. Per integrated account only the `custom` property of create/update
 * tools changes (see custom-fields.ts); everything else is shared.
 */
export interface ToolSpec {
  /** Validates (and strips/coerces) the arguments before anything reaches Planhat. */
  readonly zod: z.ZodType<Record<string, unknown>>;
  /** Flat JSON Schema of the input (without `$schema`). */
  readonly json: JsonSchema;
  /** Planhat model name whose custom field definitions fill `custom` (create/update tools only). */
  readonly customModel?: string;
}

/*
 * What every tool shares (ids, cursors, idempotency keys, dry_run) is explained once, in the
 * server's `instructions` (instructions.ts), not in each tool's schema: the arguments below carry
 * no description of their own.
 */
const CURSOR = z.string().min(1).optional();

/** The optional idempotency key of the create tools (see common/idempotency). */
export const IDEMPOTENCY_KEY = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => /^[\x20-\x7e]+$/.test(v), 'must be printable ASCII')
  .optional();

/** A record id: `_id`, `extid-<externalId>` or `srcid-<sourceId>` (instructions.ts). */
function idField(): z.ZodString {
  return z.string().min(1).max(512);
}

/** A preview flag of update and delete tools (issue: safe writes); never sent to Planhat. */
const DRY_RUN = z.boolean().optional();

function nativeZod(tool: IndexedTool & { kind: 'native' }): z.ZodType<Record<string, unknown>> {
  const m = tool.model;
  switch (tool.op) {
    case 'list':
      // limit: at most the model's page size (refused above it, where REST clamps), so the schema says the maximum.
      return listQuerySchema(m)
        .omit({ offset: true })
        .extend({ limit: integerParam(1, m.maxLimit).optional(), next_cursor: CURSOR })
        .strict();
    case 'get':
      return z.object({ id: idField() }).strict();
    case 'delete':
      return z.object({ id: idField(), dry_run: DRY_RUN }).strict();
    case 'create':
      return createSchema(m).extend({ idempotency_key: IDEMPOTENCY_KEY });
    case 'update':
      return z.looseObject({
        id: idField(),
        ...updateSchema(m).shape,
        dry_run: DRY_RUN,
      });
    case 'bulk_upsert':
      return z
        .object({
          items: z.array(updateSchema(m)).min(1).max(5000),
          idempotency_key: IDEMPOTENCY_KEY,
        })
        .strict();
  }
}

/**
 * MCP's one output switch of unified reads: `remote_data` (the whole Planhat record) is left out
 * unless a call asks for it. The REST unified API keeps its own default and Truto's parameters.
 */
const INCLUDE_REMOTE_DATA = z.boolean().optional();
const REST_OUTPUT = { include_remote_data: true, truto_ignore_remote_data: true, truto_response_format: true } as const;

function unifiedZod(r: UnifiedResourceDef, op: IndexedTool['op']): z.ZodType<Record<string, unknown>> {
  const s = unifiedSchemas(r);
  const id = z.string().min(1).max(512);
  switch (op) {
    case 'list':
      return s.listQuery.omit(REST_OUTPUT).extend({ include_remote_data: INCLUDE_REMOTE_DATA });
    case 'get':
      return z.strictObject({ id, include_remote_data: INCLUDE_REMOTE_DATA });
    case 'delete':
      return z.strictObject({ id, dry_run: DRY_RUN });
    case 'create':
      return s.create.extend({ idempotency_key: IDEMPOTENCY_KEY });
    default:
      return z.strictObject({ id, ...s.update.shape, dry_run: DRY_RUN });
  }
}

function toJson(schema: z.ZodType): JsonSchema {
  const json = compactSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  if (json.properties === undefined) json.properties = {};
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
  .object({
    change_id: z
      .string()
      .min(1)
      .max(100)
      .describe('The change_id returned by the create, update or delete tool whose write to undo'),
  })
  .strict() as z.ZodType<Record<string, unknown>>;

const specs = new Map<string, ToolSpec>();

/** How many tools' specs this process has built so far (they are built on first use). */
export function toolSpecsBuilt(): number {
  return specs.size;
}

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

/**
 * Builds the specs (zod and JSON Schema) of `tools` a few at a time, yielding to the event loop
 * between batches, so that the first tools/list finds them ready without the start waiting for
 * them. Resolves when done or when `stopped()` turns true (the app is closing).
 */
export async function warmToolSpecs(tools: readonly IndexedTool[], stopped: () => boolean): Promise<void> {
  for (let i = 0; i < tools.length; i += WARM_BATCH) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stopped()) return;
    for (const tool of tools.slice(i, i + WARM_BATCH)) void toolSpec(tool).json;
  }
}

/** Tools built per turn of the event loop by warmToolSpecs (a few milliseconds). */
const WARM_BATCH = 8;

/** The tool's JSON Schema with `custom` replaced by the account's custom field properties. */
export function inputSchemaFor(tool: IndexedTool, custom: Map<string, JsonSchema> | undefined): JsonSchema {
  const spec = toolSpec(tool);
  if (!spec.customModel || !custom) return spec.json;
  const prop = custom.get(spec.customModel);
  if (!prop) return spec.json;
  // One merged schema per tool and account schema (the account's schemas are cached for a minute).
  let merged = withCustom.get(tool.name);
  if (!merged) withCustom.set(tool.name, (merged = new WeakMap()));
  let schema = merged.get(prop);
  if (!schema) {
    const props = spec.json.properties as Record<string, unknown>;
    schema = { ...spec.json, properties: { ...props, custom: prop } };
    merged.set(prop, schema);
  }
  return schema;
}

const withCustom = new Map<string, WeakMap<JsonSchema, JsonSchema>>();

/**
 * The tool whose listed schema already describes this tool's fields: a bulk upsert's items and an
 * update take the fields of the model's create tool (all optional).
 */
export function fieldsDescribedBy(tool: IndexedTool): string | undefined {
  if (tool.kind === 'native') {
    if (tool.op === 'bulk_upsert') return toolName(tool.model, 'create');
    if (tool.op === 'update') return toolName(tool.model, 'create');
  } else if (tool.kind === 'unified' && tool.op === 'update' && tool.unified.ops.includes('create')) {
    return unifiedToolName(tool.unified, 'create');
  }
  return undefined;
}

const listedVariants = new WeakMap<JsonSchema, { description: string; inputSchema: JsonSchema }>();

/**
 * A tool's tools/list entry when the tool named by fieldsDescribedBy is listed beside it, so that
 * each model's fields are listed and described once per list: a bulk upsert's items become plain
 * objects ("the fields of create_a_…"), and an update takes `id`, `dry_run` and the fields of the
 * create tool (named there, with their types, descriptions and the account's custom fields).
 * Alone (another policy, get_tool_schema, get_model_action_parameters) a tool keeps its full
 * schema, and the server validates every call against the full schema either way.
 */
export function besideDescribingTool(
  tool: IndexedTool,
  schema: JsonSchema,
  description: string,
): { description: string; inputSchema: JsonSchema } {
  const cached = listedVariants.get(schema);
  if (cached) return cached;
  const other = fieldsDescribedBy(tool)!;
  const props = schema.properties as Record<string, JsonSchema>;
  let variant: { description: string; inputSchema: JsonSchema };
  if (tool.op === 'bulk_upsert') {
    // The required fields are the create tool's `required`: said there.
    variant = {
      description: `${description.replace(/ Required: [^.]*\.$/, '')} Item fields as in ${other}.`,
      inputSchema: { ...schema, properties: { ...props, items: { ...props.items, items: { type: 'object' } } } },
    };
  } else {
    // Open (no additionalProperties: false): the fields are those of the create tool.
    const { additionalProperties: _closed, ...rest } = schema;
    variant = {
      description: `${description} Send id and the fields to change, as in ${other}.`,
      inputSchema: { ...rest, properties: { id: props.id, dry_run: props.dry_run }, required: ['id'] },
    };
  }
  listedVariants.set(schema, variant);
  return variant;
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
    return {
      message: `Unknown argument: ${[...first.path, key].join('.')} (see the tool's input schema)`,
      field: String(key),
    };
  }
  const path = first.path.map(String).join('.');
  if (!path) return { message: `Invalid arguments: ${first.message}` };
  if (first.code === 'invalid_type' && /received undefined/.test(first.message)) {
    return { message: `Missing required field: ${path}`, field: path };
  }
  return { message: `Invalid field ${path}: ${first.message}`, field: path };
}
