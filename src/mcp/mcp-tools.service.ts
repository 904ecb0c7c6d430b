import { Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ChangeLog, UndoConflict } from '../audit/change-log.service';
import { countWritten } from '../common/call-stats';
import { GatewayError } from '../common/errors';
import { IdempotencyService } from '../common/idempotency/idempotency.service';
import { toolName } from '../planhat/catalog';
import type { InsightName } from '../insights/insights.definitions';
import { InsightsService } from '../insights/insights.service';
import { PlanhatService } from '../planhat/planhat.service';
import type { McpContext } from './context';
import { CustomFieldsCache } from './custom-fields';
import { toolAllowed, type IndexedTool } from '../mcp-servers/policy';
import {
  errorResult,
  LIST_BUDGET_BYTES,
  listOutput,
  notAllowed,
  okResult,
  type ErrorContext,
  type ToolOutput,
} from './results';
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
  if (tool.kind === 'safety') return { tool: tool.name, write: true };
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
    private readonly changes: ChangeLog,
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
      return errorResult(
        GatewayError.invalid(parsed.message, parsed.field ? { field: parsed.field } : undefined),
        ectx,
      );
    }
    return this.runParsed(ctx, tool, parsed.value);
  }

  /** A call whose arguments already passed the tool's schema (mcp-nest validates decorated tools with it). */
  async runParsed(ctx: McpContext, tool: IndexedTool, args: Record<string, unknown>): Promise<CallToolResult> {
    const ectx = errorContext(tool);
    try {
      if (tool.kind === 'safety') return await this.undo(ctx, args, ectx);
      if (tool.op === 'create' || tool.op === 'bulk_upsert') {
        // One write per idempotency_key: the first result (with its change_id) is returned again, never a second write.
        const { idempotency_key, ...body } = args;
        const scope = { accountId: ctx.accountId, principal: `mcp:${ctx.serverId ?? ''}`, route: `mcp ${tool.name}` };
        const answer = await this.idempotency.run(
          IdempotencyService.keyOf(idempotency_key, 'idempotency_key'),
          scope,
          body,
          async () => {
            const data = (await this.execute(ctx, tool, body)).data as Record<string, unknown>;
            if (tool.op === 'bulk_upsert') {
              countWritten(upsertedCount(data));
              return { status: 200, body: data };
            }
            return { status: 200, body: await this.recorded(ctx, tool, 'create', null, data) };
          },
        );
        return okResult(answer.body);
      }
      if ((tool.op === 'update' || tool.op === 'delete') && args.dry_run !== true) {
        if (tool.kind === 'native') {
          // The before-image is read after the id and body are checked, right before the write.
          const body: Record<string, unknown> = { ...args };
          delete body.id;
          delete body.dry_run;
          const key = tool.model.key;
          const id = String(args.id);
          const { before, result } =
            tool.op === 'update'
              ? await this.planhat.updateWithBefore(ctx.accountId, key, id, body)
              : await this.planhat.deleteWithBefore(ctx.accountId, key, id);
          return okResult(await this.recorded(ctx, tool, tool.op, before, result.data));
        }
        if (tool.kind === 'unified') {
          // The Planhat record behind the unified one (this also resolves extid-/srcid- ids to its _id).
          const before = (await this.planhat.get(ctx.accountId, tool.unified.native, String(args.id))).data;
          const out = (await this.execute(ctx, tool, args)).data as Record<string, unknown>;
          return okResult(await this.recorded(ctx, tool, tool.op, before, out));
        }
      }
      const out = await this.execute(ctx, tool, args);
      return okResult(out.data, out.json);
    } catch (err) {
      return errorResult(err, ectx);
    }
  }

  /**
   * A write Planhat applied, recorded in the change log (src/audit) with the record before and after
   * it; the tool's answer gets the `change_id` that undo_change takes. When the change log cannot be
   * written, the answer says so (the write stands).
   */
  private async recorded(
    ctx: McpContext,
    tool: IndexedTool,
    op: 'create' | 'update' | 'delete',
    before: Record<string, unknown> | null,
    out: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    if (tool.kind !== 'native' && tool.kind !== 'unified') return out;
    const model = tool.kind === 'native' ? tool.model.key : tool.unified.native;
    let after: Record<string, unknown> | null = null;
    let recordId: unknown;
    if (op === 'delete') {
      recordId = before?._id;
    } else if (tool.kind === 'native') {
      // Planhat answers a create or an update with the record as it now is.
      after = out;
      recordId = out._id;
    } else {
      // A unified answer is mapped: the after-image is the Planhat record, read back.
      recordId = op === 'update' ? before?._id : out.id;
      if (typeof recordId === 'string')
        after = await this.changes.current(ctx.accountId, model, recordId).catch(() => null);
    }
    if (typeof recordId !== 'string' || ctx.serverId === undefined) {
      countWritten(1);
      return out;
    }
    const changeId = await this.changes.record(
      { accountId: ctx.accountId, serverId: ctx.serverId },
      tool.name,
      model,
      op,
      recordId,
      before,
      after,
    );
    countWritten(1, changeId);
    return changeId === undefined
      ? {
          ...out,
          change_warning: 'The write was applied but could not be recorded: undo_change is not available for it.',
        }
      : { ...out, change_id: changeId };
  }

  /** undo_change: restores a change this server recorded (ChangeLog); a 409 shows both versions. */
  private async undo(ctx: McpContext, args: Record<string, unknown>, ectx: ErrorContext): Promise<CallToolResult> {
    if (ctx.serverId === undefined) return errorResult(notAllowed('undo_change'), ectx);
    try {
      const data = await this.changes.undo(
        { accountId: ctx.accountId, serverId: ctx.serverId },
        String(args.change_id),
      );
      countWritten(1);
      return okResult(data);
    } catch (err) {
      const result = errorResult(err, ectx);
      if (err instanceof UndoConflict) {
        const error = (result.structuredContent as { error: Record<string, unknown> }).error;
        Object.assign(error, err.versions);
        const text = result.content[0] as { type: 'text'; text: string };
        text.text += ` Recorded after the change: ${JSON.stringify(err.versions.recorded)}. Current: ${JSON.stringify(err.versions.current)}.`;
      }
      return result;
    }
  }

  private async execute(ctx: McpContext, tool: IndexedTool, args: Record<string, unknown>): Promise<ToolOutput> {
    if (tool.kind === 'safety') throw new Error('undo_change runs through McpToolsService.undo');
    if (tool.kind === 'unified') return this.unified.run(ctx.accountId, tool, args);
    if (tool.kind === 'insight') {
      // InsightsService has one method per insight, named as the tool, taking the parsed input.
      const run = this.insights[tool.insight.name as InsightName] as (
        account: string,
        input: unknown,
      ) => Promise<Record<string, unknown>>;
      return { data: await run.call(this.insights, ctx.accountId, args) };
    }
    const { accountId } = ctx;
    const key = tool.model.key;
    switch (tool.op) {
      case 'list': {
        const { limit, next_cursor, ...query } = args;
        const page = await this.planhat.listPage(accountId, key, query, {
          limit,
          next_cursor,
          maxBytes: LIST_BUDGET_BYTES,
        });
        return listOutput(page.data, page.resultChunks);
      }
      case 'get':
        return { data: (await this.planhat.get(accountId, key, String(args.id))).data };
      case 'create':
        return { data: (await this.planhat.create(accountId, key, args)).data };
      case 'update': {
        const { id, dry_run, ...body } = args;
        const write =
          dry_run === true
            ? this.planhat.previewUpdate(accountId, key, String(id), body)
            : this.planhat.update(accountId, key, String(id), body);
        return { data: (await write).data };
      }
      case 'delete': {
        const write =
          args.dry_run === true
            ? this.planhat.previewDelete(accountId, key, String(args.id))
            : this.planhat.delete(accountId, key, String(args.id));
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

/** Records a bulk upsert created or updated, from Planhat's summary. */
function upsertedCount(summary: Record<string, unknown>): number {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return n(summary.created) + n(summary.updated);
}
