import { Injectable, Module, Optional } from '@nestjs/common';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnyObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  ErrorCode as RpcCode,
  CompleteRequestSchema,
  InitializeRequestSchema,
  McpError,
  SetLevelRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AuditLog, type CallOutcome } from '../audit/audit-log.service';
import { AuditModule } from '../audit/audit.module';
import { callStats, type CallStats } from '../common/call-stats';
import { GatewayError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import { PlanhatModule } from '../planhat/planhat.module';
import { observeUpstream } from '../planhat/upstream-events';
import { PlanhatService } from '../planhat/planhat.service';
import { allModels } from '../planhat/catalog';
import { mcpRequest } from './context';
import { CustomFieldsCache } from './custom-fields';
import { errorContext } from './mcp-tools.service';
import { META_INPUTS, META_JSON, type MetaToolName } from './meta-tools';
import { CallNotifier, McpLogLevels } from './notifications';
import { allowedTools, findIndexedTool, META_TOOLS, type IndexedTool, type ToolSummary } from '../mcp-servers/policy';
import { promptAllowed, unknownPrompt } from './prompts';
import { errorResult, notAllowed } from './results';
import {
  besideDescribingTool,
  fieldsDescribedBy,
  inputSchemaFor,
  issueMessage,
  parseArguments,
  toolSpec,
} from './tool-schemas';

/** JSON-RPC 2.0 "Invalid params". */
const INVALID_PARAMS = -32602;
const checkedSchemas = new WeakMap<object, AnyObjectSchema>();

/**
 * A request schema whose params are checked first: params that do not match answer -32602 with a
 * one-line message naming the fields. (The SDK parses a request with its handler's schema and
 * answers a failure with -32603 and the raw zod issue list; an error thrown while parsing carries
 * its own code and message into the JSON-RPC error instead.)
 */
export function withInvalidParams(schema: AnyObjectSchema): AnyObjectSchema {
  const cached = checkedSchemas.get(schema);
  if (cached) return cached;
  const shape = (schema as { shape?: { method?: { value?: unknown }; params?: z.ZodType } }).shape;
  if (!shape?.method || !shape.params) return schema;
  const { method, params } = shape;
  const checked = z.object({
    method: method as z.ZodType,
    params: z
      .unknown()
      .optional()
      .transform((value) => {
        const parsed = params.safeParse(value);
        if (parsed.success) return parsed.data;
        const issues = parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`);
        const message = `Invalid params for ${String(method.value)}: ${issues.join('; ')}`.replace(/\s+/g, ' ');
        throw Object.assign(new Error(message), { code: INVALID_PARAMS });
      }),
  }) as unknown as AnyObjectSchema;
  checkedSchemas.set(schema, checked);
  return checked;
}

type Handler = (request: { method: string; params?: Record<string, unknown> }, extra: unknown) => unknown;

/**
 * The annotations a tools/list entry carries: the hints that differ from the MCP defaults
 * (readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true) and mean
 * something (destructive/idempotent only on tools that write), with destructiveHint also stated on
 * deletes; a title only where it says more than the tool's name (insights, meta-tools). The admin
 * preview and search_tools keep the full annotations, tags and method.
 */
export function listedAnnotations(tool: { annotations: object }, keepTitle: boolean): Tool['annotations'] {
  const a = tool.annotations as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (keepTitle && typeof a.title === 'string') out.title = a.title;
  // destructiveHint and idempotentHint mean something only when readOnlyHint is false (MCP spec).
  if (a.readOnlyHint === true) out.readOnlyHint = true;
  else {
    out.destructiveHint = a.destructiveHint === true;
    if (a.idempotentHint === true) out.idempotentHint = true;
  }
  if (a.openWorldHint === false) out.openWorldHint = false;
  return out as Tool['annotations'];
}

/** The tools/list entry of a catalog tool without custom fields, built once per tool. */
const baseDefs = new Map<string, Tool>();
function catalogDef(tool: IndexedTool): Tool {
  let def = baseDefs.get(tool.name);
  if (!def) {
    def = {
      name: tool.name,
      description: tool.description,
      inputSchema: toolSpec(tool).json as Tool['inputSchema'],
      annotations: listedAnnotations(tool, tool.kind === 'insight'),
    };
    baseDefs.set(tool.name, def);
  }
  return def;
}

const META_DEFS = new Map<string, Tool>(
  [...META_TOOLS.discovery, ...META_TOOLS.model_actions].map((t: ToolSummary) => [
    t.name,
    {
      name: t.name,
      description: t.description,
      inputSchema: META_JSON[t.name as MetaToolName] as Tool['inputSchema'],
      annotations: listedAnnotations(t, true),
    },
  ]),
);

/**
 * The gateway's hooks into each MCP server mcp-nest builds (its `serverMutator` option, called
 * before mcp-nest registers its tools/list and tools/call handlers):
 *
 * - every request handler parses its params first and answers -32602 with a one-line message;
 * - tools/list: mcp-nest decides which tools are listed (its registry and the policy guard); each
 *   listed entry is then the gateway's own definition of that tool, built once per tool, with the
 *   account's custom fields swapped into the `custom` property of create/update tools;
 * - prompts/list and prompts/get: only the prompts the server's policy allows (prompts.ts) are
 *   listed; getting another answers exactly as for an unknown prompt;
 * - tools/call: a call the guard refuses or a tool mcp-nest does not know becomes an LLM-readable
 *   `isError` result (status, reason, next step) instead of a bare JSON-RPC error, and arguments
 *   that fail the tool's schema get the gateway's message naming the field and the next step;
 *   every call is counted and written to the audit log (src/audit) with the Planhat requests it
 *   made and the records it wrote, counted in a per-call scope (common/call-stats.ts).
 */
@Injectable()
export class McpServerHooks {
  constructor(
    private readonly customFields: CustomFieldsCache,
    private readonly planhat: PlanhatService,
    private readonly levels: McpLogLevels,
    @Optional() private readonly metrics?: MetricsService,
    @Optional() private readonly auditLog?: AuditLog,
  ) {}

  readonly mutate = (mcp: McpServer): McpServer => {
    const server = mcp.server;
    const register = server.setRequestHandler.bind(server) as (schema: AnyObjectSchema, handler: Handler) => void;
    // The SDK registered initialize in the Server's constructor: register it again, checked.
    const handlers = (server as unknown as { _requestHandlers: Map<string, Handler> })._requestHandlers;
    const initialize = handlers.get('initialize');
    if (initialize) {
      handlers.delete('initialize');
      register(withInvalidParams(InitializeRequestSchema as unknown as AnyObjectSchema), (request, extra) =>
        initialize(request, extra),
      );
    }
    // logging/setLevel (the SDK registers it when the logging capability is on): checked the same way,
    // so an unknown level is -32602 instead of being silently accepted.
    const setLevel = handlers.get('logging/setLevel');
    if (setLevel) {
      handlers.delete('logging/setLevel');
      register(withInvalidParams(SetLevelRequestSchema as unknown as AnyObjectSchema), (request, extra) => {
        // The chosen level decides which log messages tool calls send (notifications.ts).
        this.levels.choose(
          McpLogLevels.keyOf((extra as { sessionId?: string }).sessionId, mcpRequest.getStore()?.serverId),
          request.params?.level as LoggingLevel,
        );
        return setLevel(request, extra);
      });
    }
    // completion/complete (mcp-nest registers none): prompt arguments and resource template variables.
    register(withInvalidParams(CompleteRequestSchema as unknown as AnyObjectSchema), (request) =>
      this.complete(request.params ?? {}),
    );
    server.setRequestHandler = ((schema: AnyObjectSchema, handler: Handler) => {
      const method = (schema as { shape?: { method?: { value?: unknown } } }).shape?.method?.value;
      const hooked =
        method === 'tools/list'
          ? this.onList(handler)
          : method === 'tools/call'
            ? this.onCall(handler)
            : method === 'prompts/list'
              ? onPromptList(handler)
              : method === 'prompts/get'
                ? onPromptGet(handler)
                : handler;
      register(withInvalidParams(schema), hooked);
    }) as typeof server.setRequestHandler;
    return mcp;
  };

  /**
   * Completion values where a value set is known: company names of the tenant for a prompt's
   * `company` (when the server offers that prompt), day counts for `days`, and the models the
   * policy reaches for planhat://models/{model}. Anything else (or no context) completes to nothing.
   */
  private async complete(
    params: Record<string, unknown>,
  ): Promise<{ completion: { values: string[]; total: number; hasMore: boolean } }> {
    const ref = (params.ref ?? {}) as { type?: string; name?: string; uri?: string };
    const arg = (params.argument ?? {}) as { name?: string; value?: string };
    const prefix = String(arg.value ?? '').toLowerCase();
    const ctx = mcpRequest.getStore();
    let pool: string[] = [];
    if (ctx && ref.type === 'ref/prompt' && typeof ref.name === 'string' && promptAllowed(ref.name, ctx.config)) {
      if (arg.name === 'days') pool = ['30', '60', '90', '180', '365'];
      if (arg.name === 'company') {
        const page = await this.planhat.listPage(ctx.accountId, 'companies', { select: 'name' }, { limit: 2000 });
        pool = (page.data.result as { name?: unknown }[])
          .map((c) => c.name)
          .filter((n): n is string => typeof n === 'string');
      }
    } else if (ctx && ref.type === 'ref/resource' && ref.uri === 'planhat://models/{model}' && arg.name === 'model') {
      const reached = new Set(
        allowedTools(ctx.config)
          .filter((t) => t.kind === 'native')
          .map((t) => t.resource),
      );
      pool = allModels()
        .map((m) => m.key)
        .filter((k) => reached.has(k));
    }
    const matches = [...new Set(pool)].filter((v) => v.toLowerCase().startsWith(prefix)).sort();
    return { completion: { values: matches.slice(0, 100), total: matches.length, hasMore: matches.length > 100 } };
  }

  private onList(handler: Handler): Handler {
    return async (request, extra) => {
      const result = (await handler(request, extra)) as { tools: Tool[] };
      const ctx = mcpRequest.getStore();
      const catalog = result.tools.map((t) => findIndexedTool(t.name));
      const needsCustom = ctx !== undefined && catalog.some((t) => t && toolSpec(t).customModel);
      const custom = needsCustom ? await this.customFields.get(ctx.accountId) : undefined;
      const listed = new Set(result.tools.map((t) => t.name));
      return {
        ...result,
        tools: result.tools.map((entry, i) => {
          const tool = catalog[i];
          if (!tool) return META_DEFS.get(entry.name) ?? entry;
          const base = catalogDef(tool);
          const schema = inputSchemaFor(tool, custom);
          const describer = fieldsDescribedBy(tool);
          if (describer !== undefined && listed.has(describer)) {
            const { description, inputSchema } = besideDescribingTool(tool, schema, base.description!);
            return { ...base, description, inputSchema: inputSchema as Tool['inputSchema'] };
          }
          return schema === base.inputSchema ? base : { ...base, inputSchema: schema as Tool['inputSchema'] };
        }),
      };
    };
  }

  private onCall(handler: Handler): Handler {
    return async (request, extra) => {
      const at = new Date();
      const started = performance.now();
      const stats: CallStats = { upstream: 0, written: 0 };
      const name = String(request.params?.name);
      const args = request.params?.arguments;
      // A metric label only for tools that exist: a caller's made-up names must not grow the series.
      const label =
        findIndexedTool(name) || Object.prototype.hasOwnProperty.call(META_INPUTS, name) ? name : '(unknown)';
      let result: CallToolResult;
      let outcome: CallOutcome = 'ok';
      try {
        const notifier = this.notifierFor(request, extra);
        const run = () => handler(request, extra);
        const counted = () =>
          observeUpstream(
            () => void stats.upstream++,
            () => (notifier ? notifier.run(async () => run()) : run()),
          );
        result = (await callStats.run(stats, counted)) as CallToolResult;
        if (result.isError) {
          outcome = 'error';
          result = validationError(name, args) ?? result;
        }
      } catch (err) {
        // mcp-nest: -32601 for a tool it does not know, -32600 when a tool guard refuses the call.
        if (err instanceof McpError && (err.code === RpcCode.MethodNotFound || err.code === RpcCode.InvalidRequest)) {
          this.metrics?.recordToolCall(label, 'denied');
          this.audit(at, started, name, args, 'denied', 403, stats);
          return errorResult(notAllowed(name), { tool: name });
        }
        this.metrics?.recordToolCall(label, 'error');
        this.audit(at, started, name, args, 'error', 500, stats);
        throw err;
      }
      this.metrics?.recordToolCall(label, outcome);
      this.audit(at, started, name, args, outcome, outcome === 'ok' ? null : statusOf(result), stats);
      return result;
    };
  }

  /** Queues the call's audit row (written after the answer; see AuditLog). */
  private audit(
    at: Date,
    started: number,
    tool: string,
    args: unknown,
    outcome: CallOutcome,
    status: number | null,
    stats: CallStats,
  ): void {
    const ctx = mcpRequest.getStore();
    if (!this.auditLog || !ctx?.serverId) return;
    this.auditLog.record({
      at,
      serverId: ctx.serverId,
      accountId: ctx.accountId,
      tool,
      args,
      outcome,
      status,
      latencyMs: performance.now() - started,
      upstreamCalls: stats.upstream,
      recordsWritten: stats.written,
      changeId: stats.changeId,
    });
  }

  /** Progress and log notifications for one tools/call, when it asked for progress or its client chose a log level. */
  private notifierFor(request: { params?: Record<string, unknown> }, extra: unknown): CallNotifier | undefined {
    const { sessionId, sendNotification } = extra as {
      sessionId?: string;
      sendNotification: (n: ServerNotification) => Promise<void>;
    };
    const level = this.levels.get(McpLogLevels.keyOf(sessionId, mcpRequest.getStore()?.serverId));
    const meta = request.params?._meta as { progressToken?: unknown } | undefined;
    // Stateless Streamable HTTP has no session id; a legacy SSE session has one.
    return CallNotifier.for(sendNotification, meta?.progressToken, level, sessionId !== undefined);
  }
}

/** The status an isError result carries (the gateway's results put it in structuredContent.error.status). */
function statusOf(result: CallToolResult): number | null {
  const status = (result.structuredContent as { error?: { status?: unknown } } | undefined)?.error?.status;
  return typeof status === 'number' && Number.isInteger(status) ? status : null;
}

/** prompts/list: mcp-nest lists every registered prompt; only those the server's policy allows stay. */
function onPromptList(handler: Handler): Handler {
  return async (request, extra) => {
    const result = (await handler(request, extra)) as { prompts: { name: string }[] };
    const config = mcpRequest.getStore()?.config;
    return { ...result, prompts: result.prompts.filter((p) => promptAllowed(p.name, config)) };
  };
}

/** prompts/get: a prompt the policy hides is refused before mcp-nest runs it, as an unknown one. */
function onPromptGet(handler: Handler): Handler {
  return async (request, extra) => {
    const name = String(request.params?.name);
    if (!promptAllowed(name, mcpRequest.getStore()?.config)) throw unknownPrompt(name);
    return handler(request, extra);
  };
}

/**
 * The gateway's error for arguments that fail a tool's schema (mcp-nest answers those with a
 * generic "Invalid parameters" text); undefined when the arguments are valid.
 */
function validationError(name: string, args: unknown): CallToolResult | undefined {
  const tool = findIndexedTool(name);
  if (tool) {
    const parsed = parseArguments(tool, args);
    return parsed.ok
      ? undefined
      : errorResult(
          GatewayError.invalid(parsed.message, parsed.field ? { field: parsed.field } : undefined),
          errorContext(tool),
        );
  }
  if (!Object.prototype.hasOwnProperty.call(META_INPUTS, name)) return undefined;
  const schema = META_INPUTS[name as MetaToolName];
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return undefined;
  const { message, field } = issueMessage(parsed.error.issues);
  return errorResult(GatewayError.invalid(message, field ? { field } : undefined), { tool: name });
}

/** What the mcp-nest options factory needs (imported by McpModule.forRootAsync). */
@Module({
  imports: [PlanhatModule, AuditModule],
  providers: [CustomFieldsCache, McpServerHooks, { provide: McpLogLevels, useFactory: () => new McpLogLevels() }],
  exports: [CustomFieldsCache, McpServerHooks, McpLogLevels],
})
export class McpHooksModule {}
