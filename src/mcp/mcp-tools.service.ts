import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GatewayError } from '../common/errors';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { toolName } from '../planhat/catalog';
import type { InsightName } from '../insights/insights.definitions';
import { InsightsService } from '../insights/insights.service';
import { PlanhatService } from '../planhat/planhat.service';
import type { McpContext } from './context';
import { CustomFieldsCache } from './custom-fields';
import { toolAllowed, type IndexedTool } from './policy';
import { errorResult, LIST_BUDGET_BYTES, listOutput, notAllowed, okResult, type ErrorContext, type ToolOutput } from './results';
import { inputSchemaFor, parseArguments, toolSpec, type JsonSchema } from './tool-schemas';
import { UnifiedToolRunner } from './unified-runner';

/** What the error mapping needs to know about a catalog tool (the list tool that finds its ids, whether it writes). */
export function errorContext(tool: IndexedTool): ErrorContext {
  const write = tool.op !== 'list' && tool.op !== 'get';
  if (tool.kind === 'native') {
    const list = tool.model.ops.includes('list') ? toolName(tool.model, 'list') : undefined;
    return { tool: tool.name, listTool: list, write };
  }
  if (tool.kind === 'insight') return { tool: tool.name, write: false };
  return { tool: tool.name, listTool: `list_all_${tool.unified.api}_${tool.unified.resource}`, write };
}

/**
 * What a catalog tool does once mcp-nest has routed a call to it: argument validation (for the
 * meta-tool paths, which receive arguments mcp-nest has not checked), the idempotency key of
 * writes, execution against Planhat (native) or the unified API, and the mapping of every failure
 * to an LLM-readable `isError` result (results.ts). Never throws.
 */
@Injectable()
export class McpToolsService {
  constructor(
    private readonly planhat: PlanhatService,
    private readonly customFields: CustomFieldsCache,
    private readonly unified: UnifiedToolRunner,
    private readonly idempotency: IdempotencyService,
    private readonly insights: InsightsService,
  ) {}

  /**
   * A call reached through a meta-tool (call_tool, perform_model_action): the policy's method and
   * tag filters, then the tool's own argument schema, then the call.
   */
  async run(ctx: McpContext, tool: IndexedTool, args: unknown): Promise<CallToolResult> {
    const ectx = errorContext(tool);
    if (!toolAllowed(tool, ctx.config)) return errorResult(notAllowed(tool.name), ectx);
    const parsed = parseArguments(tool, args);
    if (!parsed.ok) {
      return errorResult(GatewayError.invalid(parsed.message, parsed.field ? { field: parsed.field } : undefined), ectx);
    }
    return this.runParsed(ctx, tool, parsed.value);
  }

  /** A call whose arguments already passed the tool's schema (mcp-nest validates decorated tools with it). */
  async runParsed(ctx: McpContext, tool: IndexedTool, args: Record<string, unknown>): Promise<CallToolResult> {
    const ectx = errorContext(tool);
    try {
      if (tool.op === 'create' || tool.op === 'bulk_upsert') {
        // One write per idempotency_key: the first result is returned again, never a second write.
        const { idempotency_key, ...body } = args;
        const scope = { accountId: ctx.accountId, principal: `mcp:${ctx.serverId ?? ''}`, route: `mcp ${tool.name}` };
        const answer = await this.idempotency.run(IdempotencyService.keyOf(idempotency_key, 'idempotency_key'), scope, body, async () => ({
          status: 200,
          body: (await this.execute(ctx, tool, body)).data as Record<string, unknown>,
        }));
        return okResult(answer.body);
      }
      const out = await this.execute(ctx, tool, args);
      return okResult(out.data, out.json);
    } catch (err) {
      return errorResult(err, ectx);
    }
  }

  private async execute(ctx: McpContext, tool: IndexedTool, args: Record<string, unknown>): Promise<ToolOutput> {
    if (tool.kind === 'unified') return this.unified.run(ctx.accountId, tool, args);
    if (tool.kind === 'insight') {
      // InsightsService has one method per insight, named as the tool, taking the parsed input.
      const run = this.insights[tool.insight.name as InsightName] as (account: string, input: unknown) => Promise<Record<string, unknown>>;
      return { data: await run.call(this.insights, ctx.accountId, args) };
    }
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
        const { id, dry_run, ...body } = args;
        const write = dry_run === true ? this.planhat.previewUpdate(accountId, key, String(id), body) : this.planhat.update(accountId, key, String(id), body);
        return { data: (await write).data };
      }
      case 'delete': {
        const write = args.dry_run === true ? this.planhat.previewDelete(accountId, key, String(args.id)) : this.planhat.delete(accountId, key, String(args.id));
        return { data: (await write).data };
      }
      case 'bulk_upsert':
        return { data: (await this.planhat.bulkUpsert(accountId, key, args.items)).data };
    }
  }

  /** The input schema of one allowed tool, with this account's custom fields. */
  async schemaOf(ctx: McpContext, tool: IndexedTool): Promise<JsonSchema> {
    const custom = toolSpec(tool).customModel ? await this.customFields.get(ctx.accountId) : undefined;
    return inputSchemaFor(tool, custom);
  }
}
