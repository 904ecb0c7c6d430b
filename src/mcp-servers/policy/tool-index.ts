import {
  allModels,
  methodClassOf,
  nativeTools,
  type MethodClass,
  type ModelDef,
  type Operation,
  type ToolDef,
} from '../../planhat/catalog';
import { INSIGHT_LIST, type InsightDefinition } from '../../insights/insights.definitions';
import {
  UNIFIED_RESOURCES,
  unifiedToolName,
  type UnifiedOp,
  type UnifiedResourceDef,
} from '../../unified/unified-resources';

/**
 * The one list of MCP tools with their methods, tags and descriptions, derived from the Planhat
 * catalog (native tools) and the unified resource list. The admin API (previews, validation) and the
 * MCP endpoint (tools/list, tools/call, meta-tools) both read it; it is built once per process.
 */
export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

interface IndexedToolBase {
  name: string;
  description: string;
  op: Operation;
  method: MethodClass;
  tags: string[];
  /** `companies` for native tools, `crm/accounts` for unified ones. */
  resource: string;
  annotations: ToolAnnotations;
}
export interface NativeTool extends IndexedToolBase {
  kind: 'native';
  model: ModelDef;
}
export interface UnifiedTool extends IndexedToolBase {
  kind: 'unified';
  unified: UnifiedResourceDef;
  op: UnifiedOp;
}
/** A hand-written customer-success insight (src/insights): read-only, tag `insights`. */
export interface InsightTool extends IndexedToolBase {
  kind: 'insight';
  insight: InsightDefinition;
  op: 'get';
}
/** A gateway safety tool (undo_change): method `write`, tag `safety`, hidden wherever writes are. */
export interface SafetyTool extends IndexedToolBase {
  kind: 'safety';
  op: 'update';
}
export type IndexedTool = NativeTool | UnifiedTool | InsightTool | SafetyTool;

export const UNDO_CHANGE_DESCRIPTION =
  'Undo a write made through this MCP server within the last 24 h: pass the change_id that a create, update or delete tool returned. ' +
  'An update gets the previous values of the fields it changed back; a create is deleted; a delete is re-created from the recorded record (with a new _id; records that pointed to the old one are not re-linked). ' +
  'Refused with status 409 (showing the recorded and the current version) when the record was changed since, or when the change was undone already.';

function annotations(op: Operation, title: string): ToolAnnotations {
  const read = op === 'list' || op === 'get';
  return {
    title,
    readOnlyHint: read,
    destructiveHint: op === 'delete',
    idempotentHint: read || op === 'update' || op === 'delete',
    openWorldHint: true,
  };
}

/*
 * Tool descriptions say what is particular to the tool. What every tool shares (ids and which id
 * goes where, cursors, select, dates, custom fields, dry_run, idempotency keys, errors) is said
 * once, in the MCP server's `instructions` (src/mcp/instructions.ts): a model reads the tool list
 * in every conversation, so each byte here is paid once per tool per conversation.
 */
/** Required fields of a new record; `oneOfOnly`: just the groups the schema's `required` cannot say. */
function requiredText(model: ModelDef, oneOfOnly = false): string {
  const parts = oneOfOnly ? [] : [...model.required];
  for (const group of model.requiredOneOf ?? []) parts.push(`one of ${group.join('/')}`);
  return parts.length ? ` Required${oneOfOnly ? ' too' : ''}: ${parts.join(', ')}.` : '';
}

function nativeDescription(tool: ToolDef): string {
  const m = tool.model;
  switch (tool.op) {
    case 'list':
      return m.summary;
    case 'get':
      return `Get one ${m.label.one}.`;
    case 'create':
      return `Create a ${m.label.one}.${requiredText(m, true)}`;
    case 'update':
      return `Update a ${m.label.one}.`;
    case 'delete':
      return `Delete a ${m.label.one}.`;
    case 'bulk_upsert': {
      const extra = m.extraKeyables?.length ? ` (or ${m.extraKeyables.join(', ')})` : '';
      return `Create or update up to 5000 ${m.label.many}: items matching _id, sourceId or ${m.externalIdField ?? 'externalId'}${extra} update that record, the others are created.${requiredText(m)}`;
    }
  }
}

function unifiedDescription(r: UnifiedResourceDef, op: UnifiedOp): string {
  const model = r.api === 'crm' ? 'CRM' : 'ticketing';
  switch (op) {
    case 'list':
      return `List ${r.summary} (unified ${model}).`;
    case 'get':
      return `Get one ${model} ${r.one} (unified).`;
    case 'create':
      return `Create a ${model} ${r.one} (unified).`;
    case 'update':
      return `Update a ${model} ${r.one} (unified).`;
    case 'delete':
      return `Delete a ${model} ${r.one} (unified).`;
  }
}

function buildIndex(): IndexedTool[] {
  const tools: IndexedTool[] = nativeTools().map((t) => ({
    kind: 'native' as const,
    name: t.name,
    description: nativeDescription(t),
    op: t.op,
    method: t.method,
    tags: [...t.tags],
    resource: t.model.key,
    model: t.model,
    annotations: annotations(t.op, `${t.op.replace('_', ' ')} ${t.model.label.many}`),
  }));
  for (const r of UNIFIED_RESOURCES) {
    for (const op of r.ops) {
      tools.push({
        kind: 'unified',
        name: unifiedToolName(r, op),
        description: unifiedDescription(r, op),
        op,
        method: methodClassOf(op),
        tags: ['unified', r.api],
        resource: `${r.api}/${r.resource}`,
        unified: r,
        annotations: annotations(op, `${op} ${r.api} ${r.resource}`),
      });
    }
  }
  for (const def of INSIGHT_LIST) {
    tools.push({
      kind: 'insight',
      name: def.name,
      description: def.description,
      op: 'get',
      method: 'read',
      tags: ['insights'],
      resource: `insights/${def.name}`,
      insight: def,
      annotations: { ...annotations('get', def.summary), title: def.summary },
    });
  }
  tools.push({
    kind: 'safety',
    name: 'undo_change',
    description: UNDO_CHANGE_DESCRIPTION,
    op: 'update',
    method: 'write',
    tags: ['safety'],
    resource: 'changes',
    annotations: {
      title: 'Undo a recorded change',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    },
  });
  return tools;
}

let index: IndexedTool[] | undefined;
let byName: Map<string, IndexedTool> | undefined;

/** Every native, unified and insight tool, built once. */
export function toolIndex(): readonly IndexedTool[] {
  index ??= buildIndex();
  return index;
}

export function findIndexedTool(name: string): IndexedTool | undefined {
  byName ??= new Map(toolIndex().map((t) => [t.name, t]));
  return byName.get(name);
}

/** Models reachable through Planhat-style model actions: those with at least one native tool. */
export function modelActionModels(): ModelDef[] {
  const withTools = new Set(
    toolIndex()
      .filter((t) => t.kind === 'native')
      .map((t) => t.resource),
  );
  return allModels().filter((m) => withTools.has(m.key));
}
