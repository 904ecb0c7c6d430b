import { Injectable } from '@nestjs/common';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, GatewayError } from '../common/errors';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { toolName } from '../planhat/catalog';
import { PlanhatService } from '../planhat/planhat.service';
import { CustomFieldsCache } from './custom-fields';
import { findModelRoute, META_INPUTS, META_JSON, type MetaToolName, operationOf, searchTools, viewName } from './meta-tools';
import {
  allowedTools,
  META_TOOLS,
  modelActionModels,
  policyKey,
  toolAllowed,
  type IndexedTool,
  type McpServerConfig,
  type ToolSummary,
} from './policy';
import { errorResult, LIST_BUDGET_BYTES, listOutput, notAllowed, okResult, type ErrorContext, type ToolOutput } from './results';
import { inputSchemaFor, issueMessage, parseArguments, toolSpec, type JsonSchema } from './tool-schemas';
import { UnifiedToolRunner } from './unified-runner';

/** Who is calling: the integrated account and the stored policy of the MCP server behind the URL token. */
export interface McpContext {
  accountId: string;
  config: McpServerConfig;
  /** The MCP server behind the URL token (scopes idempotency keys). */
  serverId?: string;
}

const allowedNames = new WeakMap<readonly IndexedTool[], Map<string, IndexedTool>>();
function allowedByName(tools: readonly IndexedTool[]): Map<string, IndexedTool> {
  let m = allowedNames.get(tools);
  if (!m) {
    m = new Map(tools.map((t) => [t.name, t]));
    allowedNames.set(tools, m);
  }
  return m;
}

const baseDefs = new Map<string, Tool>();
function baseDef(tool: IndexedTool): Tool {
  let def = baseDefs.get(tool.name);
  if (!def) {
    def = {
      name: tool.name,
      description: tool.description,
      inputSchema: toolSpec(tool).json as Tool['inputSchema'],
      annotations: { ...tool.annotations },
      _meta: { tags: tool.tags, method: tool.method },
    };
    baseDefs.set(tool.name, def);
  }
  return def;
}

function metaDef(t: ToolSummary): Tool {
  return {
    name: t.name,
    description: t.description,
    inputSchema: META_JSON[t.name as MetaToolName] as Tool['inputSchema'],
    annotations: { ...t.annotations },
    _meta: { tags: t.tags, method: t.method },
  };
}
const META_DEFS = {
  discovery: META_TOOLS.discovery.map(metaDef),
  model_actions: META_TOOLS.model_actions.map(metaDef),
};

function errorContext(tool: IndexedTool): ErrorContext {
  const write = tool.op !== 'list' && tool.op !== 'get';
  if (tool.kind === 'native') {
    const list = tool.model.ops.includes('list') ? toolName(tool.model, 'list') : undefined;
    return { tool: tool.name, listTool: list, write };
  }
  return { tool: tool.name, listTool: `list_all_${tool.unified.api}_${tool.unified.resource}`, write };
}

/**
 * The MCP tool surface for one request: tools/list and tools/call for a server's policy, the
 * meta-tools of the discovery and model_actions exposures, argument validation and execution
 * against Planhat (native) or the unified API. The policy is checked on every call path.
 */
@Injectable()
export class McpToolsService {
  constructor(
    private readonly planhat: PlanhatService,
    private readonly customFields: CustomFieldsCache,
    private readonly unified: UnifiedToolRunner,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Exactly the tools a server lists (names equal `toolsForConfig(config)`). */
  async listTools(ctx: McpContext): Promise<Tool[]> {
    const allowed = allowedTools(ctx.config);
    const exposure = ctx.config.tool_exposure ?? 'all';
    if (exposure === 'discovery') return allowed.length > 0 ? META_DEFS.discovery : [];
    if (exposure === 'model_actions') return allowed.some((t) => t.kind === 'native') ? META_DEFS.model_actions : [];
    const custom = allowed.some((t) => toolSpec(t).customModel) ? await this.customFields.get(ctx.accountId) : undefined;
    return allowed.map((t) => {
      const base = baseDef(t);
      const schema = inputSchemaFor(t, custom);
      return schema === base.inputSchema ? base : { ...base, inputSchema: schema as Tool['inputSchema'] };
    });
  }

  private readonly listJson = new Map<string, { custom: unknown; json: Buffer }>();

  /**
   * The `{"tools": [...]}` result of tools/list as UTF-8 JSON, serialized and encoded once per account,
   * policy and custom-field generation (the hot path of every MCP client start; no per-request schema
   * work, stringify or encoding).
   */
  async listToolsJson(ctx: McpContext): Promise<Buffer> {
    const key = `${ctx.accountId}\n${policyKey(ctx.config)}`;
    const needsCustom = (ctx.config.tool_exposure ?? 'all') === 'all' && allowedTools(ctx.config).some((t) => toolSpec(t).customModel);
    const custom = needsCustom ? await this.customFields.get(ctx.accountId) : undefined;
    const hit = this.listJson.get(key);
    if (hit && hit.custom === custom) return hit.json;
    const json = Buffer.from(JSON.stringify({ tools: await this.listTools(ctx) }));
    if (this.listJson.size >= 2000) this.listJson.clear();
    this.listJson.set(key, { custom, json });
    return json;
  }

  /** tools/call: a listed tool, or an `isError` result (policy, validation, Planhat). Never throws. */
  async callTool(ctx: McpContext, name: string, args: unknown): Promise<CallToolResult> {
    try {
      const exposure = ctx.config.tool_exposure ?? 'all';
      if (exposure !== 'all') {
        const meta = allowedTools(ctx.config).length > 0 ? (META_TOOLS[exposure] as ToolSummary[] | undefined)?.find((t) => t.name === name) : undefined;
        if (!meta) return errorResult(notAllowed(name), { tool: name });
        return await this.callMeta(ctx, name as MetaToolName, args);
      }
      const tool = allowedByName(allowedTools(ctx.config)).get(name);
      if (!tool) return errorResult(notAllowed(name), { tool: name });
      return await this.run(ctx, tool, args);
    } catch (err) {
      return errorResult(err, { tool: name });
    }
  }

  /** Validates the arguments with the tool's schema, then calls Planhat; errors become results. */
  async run(ctx: McpContext, tool: IndexedTool, args: unknown): Promise<CallToolResult> {
    const ectx = errorContext(tool);
    if (!toolAllowed(tool, ctx.config)) return errorResult(notAllowed(tool.name), ectx);
    const parsed = parseArguments(tool, args);
    if (!parsed.ok) {
      return errorResult(GatewayError.invalid(parsed.message, parsed.field ? { field: parsed.field } : undefined), ectx);
    }
    try {
      if (tool.op === 'create' || tool.op === 'bulk_upsert') {
        // One write per idempotency_key: the first result is returned again, never a second write.
        const { idempotency_key, ...args } = parsed.value;
        const scope = { accountId: ctx.accountId, principal: `mcp:${ctx.serverId ?? ''}`, route: `mcp ${tool.name}` };
        const answer = await this.idempotency.run(IdempotencyService.keyOf(idempotency_key, 'idempotency_key'), scope, args, async () => ({
          status: 200,
          body: (await this.execute(ctx, tool, args)).data as Record<string, unknown>,
        }));
        return okResult(answer.body);
      }
      const out = await this.execute(ctx, tool, parsed.value);
      return okResult(out.data, out.json);
    } catch (err) {
      return errorResult(err, ectx);
    }
  }

  private async execute(ctx: McpContext, tool: IndexedTool, args: Record<string, unknown>): Promise<ToolOutput> {
    if (tool.kind === 'unified') return this.unified.run(ctx.accountId, tool, args);
    const { accountId } = ctx;
    const key = tool.model.key;
    switch (tool.op) {
      case 'list': {
        const { limit, next_cursor, ...query } = args;
        const page = await this.planhat.listPage(accountId, key, query, { limit, next_cursor, maxBytes: LIST_BUDGET_BYTES });
        return listOutput(page.data, page.resultChunks);
      }
      case 'get':
        return { data: (await this.planhat.get(accountId, key, String(args.id))).data };
      case 'create':
        return { data: (await this.planhat.create(accountId, key, args)).data };
      case 'update': {
        const { id, ...body } = args;
        return { data: (await this.planhat.update(accountId, key, String(id), body)).data };
      }
      case 'delete':
        return { data: (await this.planhat.delete(accountId, key, String(args.id))).data };
      case 'bulk_upsert':
        return { data: (await this.planhat.bulkUpsert(accountId, key, args.items)).data };
    }
  }

  /** The input schema of one allowed tool, with this account's custom fields. */
  async schemaOf(ctx: McpContext, tool: IndexedTool): Promise<JsonSchema> {
    const custom = toolSpec(tool).customModel ? await this.customFields.get(ctx.accountId) : undefined;
    return inputSchemaFor(tool, custom);
  }

  private async callMeta(ctx: McpContext, name: MetaToolName, raw: unknown): Promise<CallToolResult> {
    const parsed = META_INPUTS[name].safeParse(raw ?? {});
    if (!parsed.success) {
      const { message, field } = issueMessage(parsed.error.issues);
      return errorResult(GatewayError.invalid(message, field ? { field } : undefined), { tool: name });
    }
    const args = parsed.data as Record<string, unknown>;
    const allowed = allowedTools(ctx.config);
    const byName = allowedByName(allowed);
    switch (name) {
      case 'search_tools': {
        const a = args as { query: string; tags?: string[]; methods?: string[]; limit?: number };
        let pool: readonly IndexedTool[] = allowed;
        // Narrowing within the allowed tools; an empty list here means "no narrowing", as before.
        const narrow = { ...(a.tags?.length ? { tags: a.tags } : {}), ...(a.methods?.length ? { methods: a.methods } : {}) };
        if (narrow.tags || narrow.methods) pool = allowed.filter((t) => toolAllowed(t, narrow));
        const found = searchTools(pool, a.query, a.limit ?? 10);
        return okResult({
          tools: found.map((t) => ({ name: t.name, description: t.description, method: t.method, operation: t.op, tags: t.tags })),
          total_allowed: allowed.length,
        });
      }
      case 'get_tool_schema': {
        const tool = byName.get(String(args.name));
        if (!tool) return errorResult(this.hiddenTool(String(args.name)), { tool: name });
        return okResult({
          name: tool.name,
          description: tool.description,
          method: tool.method,
          tags: tool.tags,
          inputSchema: await this.schemaOf(ctx, tool),
          annotations: { ...tool.annotations },
        });
      }
      case 'call_tool': {
        const tool = byName.get(String(args.name));
        if (!tool) return errorResult(notAllowed(String(args.name)), { tool: String(args.name) });
        return this.run(ctx, tool, args.arguments ?? {});
      }
      case 'get_model_actions': {
        const models = modelActionModels()
          .map((m) => {
            const ops = (['list', 'get', 'create', 'update', 'delete'] as const).filter((op) =>
              m.ops.includes(op) && byName.has(toolName(m, op)),
            );
            return { MODEL_ROUTE: m.path.slice(1), name: m.label.many, model: m.modelName, operations: ops.map(viewName) };
          })
          .filter((m) => m.operations.length > 0);
        return okResult({ models });
      }
      case 'get_model_action_parameters':
      case 'perform_model_action': {
        const route = String(args.MODEL_ROUTE);
        const model = findModelRoute(route, modelActionModels());
        if (!model) {
          return errorResult(
            GatewayError.invalid(`Unknown MODEL_ROUTE "${route}"`, { field: 'MODEL_ROUTE' }, 'Call get_model_actions for the routes this server allows.'),
            { tool: name },
          );
        }
        const op = operationOf(String(args.OPERATION));
        if (!op) {
          return errorResult(GatewayError.invalid(`Unknown OPERATION "${String(args.OPERATION)}": use list, view, create, update or delete`, { field: 'OPERATION' }), {
            tool: name,
          });
        }
        const tool = model.ops.includes(op) ? byName.get(toolName(model, op)) : undefined;
        if (!tool) {
          return errorResult(
            new GatewayError(ErrorCode.FORBIDDEN, `OPERATION ${viewName(op)} on ${model.path.slice(1)} is not allowed on this server`, {
              hint: 'Call get_model_actions for the routes and operations this server allows.',
            }),
            { tool: name },
          );
        }
        if (name === 'get_model_action_parameters') {
          return okResult({ MODEL_ROUTE: model.path.slice(1), OPERATION: viewName(op), tool: tool.name, description: tool.description, parameters: await this.schemaOf(ctx, tool) });
        }
        let params: unknown = {};
        const text = args.PARAMETERS as string | undefined;
        if (text !== undefined && text.trim() !== '') {
          try {
            params = JSON.parse(text);
          } catch (err) {
            return errorResult(
              GatewayError.invalid(`PARAMETERS is not valid JSON: ${(err as Error).message}`, { field: 'PARAMETERS' }, 'Send PARAMETERS as a JSON object in a string, e.g. {"id": "..."}.'),
              { tool: name },
            );
          }
          if (params === null || typeof params !== 'object' || Array.isArray(params)) {
            return errorResult(GatewayError.invalid('PARAMETERS must be a JSON object', { field: 'PARAMETERS' }), { tool: name });
          }
        }
        return this.run(ctx, tool, params);
      }
    }
  }

  private hiddenTool(name: string): GatewayError {
    return GatewayError.notFound(`Tool "${name}" not found on this server`, 'Call search_tools to find the tools this server allows.');
  }
}
