/**
 * What the audit log keeps of a tool call's arguments: every argument name; the value only for the
 * scalar arguments that address or shape a call (ids, paging, select/sort, dry_run, model-action
 * routes, the tool name of a meta-tool call), strings cut at 200 characters; for everything else
 * (record bodies, custom fields, free-text queries, idempotency keys, nested arguments) only the
 * size of its JSON in bytes. Values that could hold customer data or secrets are never stored.
 */
const KEPT = new Set([
  'id',
  'change_id',
  'limit',
  'offset',
  'select',
  'sort',
  'dry_run',
  'days',
  'MODEL_ROUTE',
  'OPERATION',
]);
/** Meta-tools whose `name` argument is a tool name (elsewhere `name` is record data). */
const TOOL_NAME_ARG = new Set(['call_tool', 'get_tool_schema']);
const MAX_ARGS = 50;
const MAX_STRING = 200;

export type ArgumentSummary = Record<string, { value: string | number | boolean | null } | { bytes: number }>;

export function summarizeArguments(tool: string, args: unknown): ArgumentSummary {
  const out: ArgumentSummary = {};
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return out;
  let n = 0;
  for (const [name, value] of Object.entries(args as Record<string, unknown>)) {
    if (n++ >= MAX_ARGS) break;
    const key = name.slice(0, MAX_STRING);
    const kept = KEPT.has(name) || (name === 'name' && TOOL_NAME_ARG.has(tool));
    if (kept && (value === null || typeof value === 'number' || typeof value === 'boolean')) out[key] = { value };
    else if (kept && typeof value === 'string') out[key] = { value: value.slice(0, MAX_STRING) };
    else out[key] = { bytes: Buffer.byteLength(JSON.stringify(value) ?? '') };
  }
  return out;
}
