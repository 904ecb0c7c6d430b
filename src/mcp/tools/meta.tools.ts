import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool, ToolGuards } from '../mcp-nest';
import { ErrorCode, GatewayError } from '../../common/errors';
import { toolName } from '../../planhat/catalog';
import { contextOf, type McpContext } from '../context';
import { McpToolsService } from '../mcp-tools.service';
import { findModelRoute, META_INPUTS, operationOf, searchTools, viewName } from '../meta-tools';
import { McpPolicyGuard } from '../policy.guard';
import {
  META_TOOLS,
  modelActionModels,
  toolAllowed,
  type IndexedTool,
  type ToolSummary,
} from '../../mcp-servers/policy';
import { errorResult, notAllowed, okResult } from '../results';
import { McpToolRegistry } from '../tool-registry';

/**
 * The meta-tools, hand-written mcp-nest tools: the discovery set (tool_exposure "discovery") and
 * Planhat-style model actions (tool_exposure "model_actions"). McpPolicyGuard lists them only on
 * servers with that exposure; each one reads the catalog tools from mcp-nest's registry
 * (McpToolRegistry) and applies the server's policy to every tool it finds, describes or calls, so
 * a tool the policy hides is neither found, described nor callable through them.
 */
function meta(name: keyof typeof META_INPUTS) {
  const summary = [...META_TOOLS.discovery, ...META_TOOLS.model_actions].find((t) => t.name === name) as ToolSummary;
  return Tool({
    name,
    description: summary.description,
    parameters: META_INPUTS[name],
    annotations: { ...summary.annotations },
    _meta: { tags: summary.tags, method: summary.method },
  });
}

const hiddenTool = (name: string) =>
  GatewayError.notFound(
    `Tool "${name}" not found on this server`,
    'Call search_tools to find the tools this server allows.',
  );
const noContext = (name: string): CallToolResult => errorResult(notAllowed(name), { tool: name });

@Injectable()
export class DiscoveryTools {
  constructor(
    private readonly registry: McpToolRegistry,
    private readonly tools: McpToolsService,
  ) {}

  @meta('search_tools')
  @ToolGuards([McpPolicyGuard])
  search_tools(
    args: { query: string; tags?: string[]; methods?: string[]; limit?: number },
    _c: unknown,
    req: unknown,
  ): CallToolResult {
    const ctx = contextOf(req);
    if (!ctx) return noContext('search_tools');
    const allowed = this.registry.allowed(ctx.config);
    let pool: readonly IndexedTool[] = allowed;
    // Narrowing within the allowed tools; an empty list here means "no narrowing".
    const narrow = {
      ...(args.tags?.length ? { tags: args.tags } : {}),
      ...(args.methods?.length ? { methods: args.methods } : {}),
    };
    if (narrow.tags || narrow.methods) pool = allowed.filter((t) => toolAllowed(t, narrow));
    const found = searchTools(pool, args.query, args.limit ?? 10);
    return okResult({
      tools: found.map((t) => ({
        name: t.name,
        description: t.description,
        method: t.method,
        operation: t.op,
        tags: t.tags,
      })),
      total_allowed: allowed.length,
    });
  }

  @meta('get_tool_schema')
  @ToolGuards([McpPolicyGuard])
  async get_tool_schema(args: { name: string }, _c: unknown, req: unknown): Promise<CallToolResult> {
    const ctx = contextOf(req);
    if (!ctx) return noContext('get_tool_schema');
    const tool = this.allowedTool(ctx, args.name);
    if (!tool) return errorResult(hiddenTool(args.name), { tool: 'get_tool_schema' });
    return okResult({
      name: tool.name,
      description: tool.description,
      method: tool.method,
      tags: tool.tags,
      inputSchema: await this.tools.schemaOf(ctx, tool),
      annotations: { ...tool.annotations },
    });
  }

  @meta('call_tool')
  @ToolGuards([McpPolicyGuard])
  async call_tool(
    args: { name: string; arguments?: Record<string, unknown> },
    _c: unknown,
    req: unknown,
  ): Promise<CallToolResult> {
    const ctx = contextOf(req);
    if (!ctx) return noContext('call_tool');
    const tool = this.allowedTool(ctx, args.name);
    if (!tool) return errorResult(notAllowed(args.name), { tool: args.name });
    return this.tools.run(ctx, tool, args.arguments ?? {});
  }

  private allowedTool(ctx: McpContext, name: string): IndexedTool | undefined {
    const tool = this.registry.find(name);
    return tool && toolAllowed(tool, ctx.config) ? tool : undefined;
  }
}

@Injectable()
export class ModelActionTools {
  constructor(
    private readonly registry: McpToolRegistry,
    private readonly tools: McpToolsService,
  ) {}

  @meta('get_model_actions')
  @ToolGuards([McpPolicyGuard])
  get_model_actions(_args: Record<string, never>, _c: unknown, req: unknown): CallToolResult {
    const ctx = contextOf(req);
    if (!ctx) return noContext('get_model_actions');
    const models = modelActionModels()
      .map((m) => {
        const ops = (['list', 'get', 'create', 'update', 'delete'] as const).filter(
          (op) => m.ops.includes(op) && this.allowedTool(ctx, toolName(m, op)),
        );
        return { MODEL_ROUTE: m.path.slice(1), name: m.label.many, model: m.modelName, operations: ops.map(viewName) };
      })
      .filter((m) => m.operations.length > 0);
    return okResult({ models });
  }

  @meta('get_model_action_parameters')
  @ToolGuards([McpPolicyGuard])
  get_model_action_parameters(
    args: { MODEL_ROUTE: string; OPERATION: string },
    _c: unknown,
    req: unknown,
  ): Promise<CallToolResult> {
    return this.modelAction('get_model_action_parameters', args, req);
  }

  @meta('perform_model_action')
  @ToolGuards([McpPolicyGuard])
  perform_model_action(
    args: { MODEL_ROUTE: string; OPERATION: string; PARAMETERS?: string },
    _c: unknown,
    req: unknown,
  ): Promise<CallToolResult> {
    return this.modelAction('perform_model_action', args, req);
  }

  private async modelAction(
    name: 'get_model_action_parameters' | 'perform_model_action',
    args: { MODEL_ROUTE: string; OPERATION: string; PARAMETERS?: string },
    req: unknown,
  ): Promise<CallToolResult> {
    const ctx = contextOf(req);
    if (!ctx) return noContext(name);
    const route = args.MODEL_ROUTE;
    const model = findModelRoute(route, modelActionModels());
    if (!model) {
      return errorResult(
        GatewayError.invalid(
          `Unknown MODEL_ROUTE "${route}"`,
          { field: 'MODEL_ROUTE' },
          'Call get_model_actions for the routes this server allows.',
        ),
        { tool: name },
      );
    }
    const op = operationOf(args.OPERATION);
    if (!op) {
      return errorResult(
        GatewayError.invalid(`Unknown OPERATION "${args.OPERATION}": use list, view, create, update or delete`, {
          field: 'OPERATION',
        }),
        { tool: name },
      );
    }
    const tool = model.ops.includes(op) ? this.allowedTool(ctx, toolName(model, op)) : undefined;
    if (!tool) {
      return errorResult(
        new GatewayError(
          ErrorCode.FORBIDDEN,
          `OPERATION ${viewName(op)} on ${model.path.slice(1)} is not allowed on this server`,
          {
            hint: 'Call get_model_actions for the routes and operations this server allows.',
          },
        ),
        { tool: name },
      );
    }
    if (name === 'get_model_action_parameters') {
      return okResult({
        MODEL_ROUTE: model.path.slice(1),
        OPERATION: viewName(op),
        tool: tool.name,
        description: tool.description,
        parameters: await this.tools.schemaOf(ctx, tool),
      });
    }
    let params: unknown = {};
    const text = args.PARAMETERS;
    if (text !== undefined && text.trim() !== '') {
      try {
        params = JSON.parse(text);
      } catch (err) {
        return errorResult(
          GatewayError.invalid(
            `PARAMETERS is not valid JSON: ${(err as Error).message}`,
            { field: 'PARAMETERS' },
            'Send PARAMETERS as a JSON object in a string, e.g. {"id": "..."}.',
          ),
          { tool: name },
        );
      }
      if (params === null || typeof params !== 'object' || Array.isArray(params)) {
        return errorResult(GatewayError.invalid('PARAMETERS must be a JSON object', { field: 'PARAMETERS' }), {
          tool: name,
        });
      }
    }
    return this.tools.run(ctx, tool, params);
  }

  private allowedTool(ctx: McpContext, name: string): IndexedTool | undefined {
    const tool = this.registry.find(name);
    return tool && tool.kind === 'native' && toolAllowed(tool, ctx.config) ? tool : undefined;
  }
}
