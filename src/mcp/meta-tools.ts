import { z } from 'zod';
import { allModels, type ModelDef, type Operation } from '../planhat/catalog';
import type { IndexedTool } from '../mcp-servers/policy';
import { compactSchema } from './schema-compact';
import type { JsonSchema } from './tool-schemas';

/** Input schemas of the meta-tools (discovery and model_actions exposures), zod + JSON, built once. */
const OPERATION_VALUES = ['list', 'view', 'create', 'update', 'delete'] as const;

export const META_INPUTS = {
  search_tools: z
    .object({
      query: z
        .string()
        .max(500)
        .describe(
          'What you want to do, in a few words (e.g. "overdue invoices", "create opportunity"); empty lists every tool',
        ),
      tags: z
        .array(z.string())
        .optional()
        .describe('Only tools with one of these tags (e.g. crm, finance, support, success, projects, unified)'),
      methods: z
        .array(z.string())
        .optional()
        .describe('Only tools of these methods: read, write, custom, or list/get/create/update/delete/bulk_upsert'),
      limit: z.number().int().min(1).max(100).optional().describe('How many tools to return (default 10)'),
    })
    .strict(),
  get_tool_schema: z.object({ name: z.string().min(1).describe('A tool name from search_tools') }).strict(),
  call_tool: z
    .object({
      name: z.string().min(1).describe('A tool name from search_tools'),
      arguments: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("The tool's arguments, matching get_tool_schema"),
    })
    .strict(),
  get_model_actions: z.object({}).strict(),
  get_model_action_parameters: z
    .object({
      MODEL_ROUTE: z
        .string()
        .min(1)
        .describe('Planhat model route in any case, e.g. Companies, companies, endusers, time_entries'),
      OPERATION: z.string().min(1).describe('One of list, view, create, update, delete'),
    })
    .strict(),
  perform_model_action: z
    .object({
      MODEL_ROUTE: z
        .string()
        .min(1)
        .describe('Planhat model route in any case, e.g. Companies, companies, endusers, time_entries'),
      OPERATION: z.string().min(1).describe('One of list, view, create, update, delete'),
      PARAMETERS: z
        .string()
        .optional()
        .describe(
          'A JSON object as a string with the operation data, e.g. {"id": "..."} for view, {"name": "Acme"} for create (see get_model_action_parameters)',
        ),
    })
    .strict(),
} as const;

export type MetaToolName = keyof typeof META_INPUTS;

function toJson(schema: z.ZodType): JsonSchema {
  return compactSchema(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
}

export const META_JSON: Record<MetaToolName, JsonSchema> = Object.fromEntries(
  Object.entries(META_INPUTS).map(([k, v]) => [k, toJson(v)]),
) as Record<MetaToolName, JsonSchema>;

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The model for a Planhat route name in any case or spelling (`Companies`, `time_entries`, `timeentries`). */
export function findModelRoute(route: string, models: readonly ModelDef[] = allModels()): ModelDef | undefined {
  const n = norm(route);
  if (!n) return undefined;
  return models.find(
    (m) =>
      norm(m.key) === n ||
      norm(m.path) === n ||
      norm(m.stems.many) === n ||
      norm(m.stems.one) === n ||
      norm(m.label.many) === n ||
      norm(m.modelName) === n,
  );
}

/** `view` (Planhat's word) is the catalog's `get`; anything else not in the list is undefined. */
export function operationOf(op: string): Operation | undefined {
  const o = op.trim().toLowerCase();
  if (o === 'view' || o === 'get') return 'get';
  return (OPERATION_VALUES as readonly string[]).includes(o) ? (o as Operation) : undefined;
}

export function viewName(op: Operation): string {
  return op === 'get' ? 'view' : op;
}

const tokenize = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1)
    .map((t) => (t.length > 3 && t.endsWith('s') ? t.slice(0, -1) : t));

/** Ranks tools by a simple token match over name (weight 3) and description (weight 1). */
export function searchTools(tools: readonly IndexedTool[], query: string, limit: number): IndexedTool[] {
  const terms = [...new Set(tokenize(query))];
  if (terms.length === 0) return tools.slice(0, limit);
  const scored: { tool: IndexedTool; score: number; i: number }[] = [];
  tools.forEach((tool, i) => {
    const name = new Set(tokenize(tool.name.replace(/_/g, ' ')));
    const tags = new Set(tool.tags);
    const desc = tokenize(tool.description);
    let score = 0;
    for (const t of terms) {
      if (name.has(t)) score += 3;
      else if ([...name].some((n) => n.startsWith(t) || t.startsWith(n))) score += 2;
      if (tags.has(t)) score += 1;
      if (desc.includes(t)) score += 1;
    }
    if (score > 0) scored.push({ tool, score, i });
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.tool);
}
