import {
  allModels,
  methodClassOf,
  nativeTools,
  toolName,
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

const COMPANY_LOOKUP =
  'Never invent ids: to act on a company by name, first call list_all_planhat_companies (sort/select help) and take its 24-hex `_id`.';

function refHint(model: ModelDef): string {
  switch (model.companyRef) {
    case 'companyId':
      return `companyId is the company's 24-hex \`_id\` (or extid-<externalId> / srcid-<sourceId>). ${COMPANY_LOOKUP}`;
    case 'cId':
      return `Planhat quirk: the company field is \`cId\` (not companyId) and takes the company's 24-hex \`_id\`. ${COMPANY_LOOKUP}`;
    case 'companyIds':
      return `companyIds is an array of company \`_id\`s. ${COMPANY_LOOKUP}`;
    default:
      return '';
  }
}

function idHint(model: ModelDef): string {
  const list = model.ops.includes('list') ? toolName(model, 'list') : 'the list tool';
  return `id: the record's \`_id\` from ${list}, or extid-<${model.externalIdField ?? 'externalId'}> / srcid-<sourceId>.`;
}

function requiredText(model: ModelDef): string {
  const parts = [...model.required];
  for (const group of model.requiredOneOf ?? []) parts.push(`one of ${group.join('/')}`);
  return parts.length ? `Required: ${parts.join(', ')}.` : 'No field is required.';
}

function nativeDescription(tool: ToolDef): string {
  const m = tool.model;
  const days = m.dayDates?.length ? ` Dates ${m.dayDates.join(', ')} are integer days since 1970-01-01.` : '';
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  switch (tool.op) {
    case 'list': {
      const scope = m.companyRef
        ? ` To get one company's ${m.label.many}, pass its \`_id\` as ${m.companyRef === 'companyIds' ? 'companyIds' : m.companyRef === 'cId' ? 'cId' : 'companyId'}. ${COMPANY_LOOKUP}`
        : '';
      return `List ${m.label.many} in Planhat. ${m.summary} Returns {result, next_cursor}: call again with next_cursor to continue; limit sets the page size (max ${m.maxLimit}); sort (e.g. -updatedAt) and select narrow it.${scope}${days}`;
    }
    case 'get':
      return `Get one ${m.label.one} from Planhat. ${m.summary} ${idHint(m)}${days}`;
    case 'create':
      return `Create a ${m.label.one} in Planhat. ${m.summary} ${requiredText(m)} ${refHint(m)}${days}${m.hasCustom ? ' Custom field values go in `custom`, keyed by field name.' : ''}`.trim();
    case 'update':
      return `Update a ${m.label.one} in Planhat (partial: only the fields sent change). ${idHint(m)} ${refHint(m)}${days}`.trim();
    case 'delete':
      return `Delete a ${m.label.one} in Planhat. ${idHint(m)} Returns {n, ok, deletedCount}.`;
    case 'bulk_upsert': {
      const keys = ['_id', 'sourceId', m.externalIdField ?? 'externalId', ...(m.extraKeyables ?? [])].join(', ');
      return `${cap(m.label.many)}: create or update many in one call (array, at most 5000 items; send large batches one after another). Each item is matched on ${keys}; unmatched items are created when they carry the required fields. ${requiredText(m)} ${refHint(m)} Returns Planhat's summary (created, updated, createdErrors, updatedErrors, insertsKeys, updatesKeys).`;
    }
  }
}

function unifiedDescription(r: UnifiedResourceDef, op: UnifiedOp): string {
  const kind = r.api === 'crm' ? 'unified CRM' : 'unified ticketing';
  const what = r.summary;
  switch (op) {
    case 'list':
      return `List ${what} in the ${kind} model. Returns {result, next_cursor}: call again with next_cursor to continue. Each record keeps the Planhat record in remote_data.`;
    case 'get':
      return `Get one of ${what} in the ${kind} model by id (the Planhat \`_id\`, from list_all_${r.api}_${r.resource}).`;
    case 'create':
      return `Create one of ${what} from a ${kind} body. Account references (account.id) take the Planhat company \`_id\` from list_all_crm_accounts.`;
    case 'update':
      return `Update one of ${what} by id from a partial ${kind} body.`;
    case 'delete':
      return `Delete one of ${what} by id. Returns {id}.`;
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
      description: `${def.description} The result reports upstream_calls, the Planhat requests it took.`,
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
    annotations: { title: 'Undo a recorded change', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
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
  const withTools = new Set(toolIndex().filter((t) => t.kind === 'native').map((t) => t.resource));
  return allModels().filter((m) => withTools.has(m.key));
}
