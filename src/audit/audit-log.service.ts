import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { CursorCodec } from '../common/cursor';
import { paginate } from '../common/pagination';
import { GatewayError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import { summarizeArguments, type ArgumentSummary } from './argument-summary';
import { McpToolCallEntity } from './tool-call.entity';

export type CallOutcome = 'ok' | 'error' | 'denied';
export const CALL_OUTCOMES: readonly CallOutcome[] = ['ok', 'error', 'denied'];

/** One finished tool call, as the tools/call hook reports it. */
export interface ToolCallRecord {
  at: Date;
  serverId: string;
  accountId: string;
  tool: string;
  args: unknown;
  outcome: CallOutcome;
  status: number | null;
  latencyMs: number;
  upstreamCalls: number;
  recordsWritten: number;
  changeId?: string;
}

export interface ToolCallDto {
  id: string;
  time: string;
  mcp_server_id: string;
  integrated_account_id: string;
  tool: string;
  arguments: ArgumentSummary;
  outcome: string;
  status: number | null;
  latency_ms: number;
  upstream_calls: number;
  records_written: number;
  change_id: string | null;
}

/** The query of GET …/calls, as given (checked by AuditLog.list). */
export interface CallFilters {
  tool?: string;
  outcome?: string;
  from?: string;
  to?: string;
  limit?: string;
  next_cursor?: string;
}

const DAY_MS = 86_400_000;
/** Rows waiting to be written at most; beyond, new rows are dropped and counted as failures. */
const MAX_PENDING = 10_000;
const INSERT_CHUNK = 50;
/** How long a queued row waits for others to share its INSERT. */
const FLUSH_MS = 20;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/**
 * The MCP audit log: one row per tools/call. Rows are written after the call has answered, in batches
 * (the call never waits for the database), and a database failure never fails a call: it is logged
 * and counted (`gateway_mcp_audit_write_failures_total`). Read by the admin API (newest first, with
 * an opaque cursor bound to the server and the filters); rows older than MCP_AUDIT_RETENTION_DAYS are
 * pruned by the expiry sweep.
 */
@Injectable()
export class AuditLog implements OnApplicationShutdown {
  private readonly log = new Logger('McpAudit');
  private pending: McpToolCallEntity[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @InjectRepository(McpToolCallEntity) private readonly repo: Repository<McpToolCallEntity>,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly cursors: CursorCodec,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** Queues one call's row; returns at once. */
  record(r: ToolCallRecord): void {
    if (this.pending.length >= MAX_PENDING) {
      this.metrics?.recordAuditFailure('mcp_tool_call');
      return;
    }
    this.pending.push({
      id: randomUUID(),
      created_at: r.at.toISOString(),
      mcp_server_id: r.serverId,
      integrated_account_id: r.accountId,
      tool: r.tool.slice(0, 200),
      arguments: JSON.stringify(summarizeArguments(r.tool, r.args)),
      outcome: r.outcome,
      status: r.status,
      latency_ms: Math.max(0, Math.round(r.latencyMs)),
      upstream_calls: r.upstreamCalls,
      records_written: r.recordsWritten,
      change_id: r.changeId ?? null,
    });
    if (!this.scheduled) {
      // Rows of the next FLUSH_MS go in one INSERT (one per call would cost a statement each).
      this.scheduled = true;
      setTimeout(() => {
        this.scheduled = false;
        this.writing = this.writing.then(() => this.writePending());
      }, FLUSH_MS).unref();
    }
  }

  /** Writes every queued row (tests and shutdown wait for it). */
  async flush(): Promise<void> {
    await this.writing;
    this.writing = this.writing.then(() => this.writePending());
    await this.writing;
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const rows = this.pending.splice(0, INSERT_CHUNK);
      try {
        await this.repo.insert(rows);
      } catch (err) {
        this.metrics?.recordAuditFailure('mcp_tool_call', rows.length);
        this.log.warn(`writing ${rows.length} MCP audit row(s) failed: ${String(err)}`);
      }
    }
  }

  /** One page of a server's calls, newest first. 400 on a bad filter or cursor. */
  async list(serverId: string, f: CallFilters): Promise<{ result: ToolCallDto[]; next_cursor: string | null }> {
    const limit = checkedLimit(f.limit);
    const tool = f.tool === undefined ? undefined : checkedTool(f.tool);
    if (f.outcome !== undefined && !(CALL_OUTCOMES as readonly string[]).includes(f.outcome)) {
      throw GatewayError.invalid(`outcome must be one of ${CALL_OUTCOMES.join(', ')}`, { field: 'outcome' });
    }
    const from = f.from === undefined ? undefined : checkedTime(f.from, 'from');
    const to = f.to === undefined ? undefined : checkedTime(f.to, 'to');
    if (from !== undefined && to !== undefined && from > to)
      throw GatewayError.invalid('from must not be after to', { field: 'from' });
    const scope = CursorCodec.scope('admin', 'mcp-calls', serverId, { tool, outcome: f.outcome, from, to });
    const qb = this.repo.createQueryBuilder('c').where('c.mcp_server_id = :serverId', { serverId });
    if (tool !== undefined) qb.andWhere('c.tool = :tool', { tool });
    if (f.outcome !== undefined) qb.andWhere('c.outcome = :outcome', { outcome: f.outcome });
    if (from !== undefined) qb.andWhere('c.created_at >= :from', { from });
    if (to !== undefined) qb.andWhere('c.created_at < :to', { to });
    const page = await paginate(qb, { limit, cursor: f.next_cursor }, this.cursors, scope, 'DESC');
    return { result: page.result.map(toDto), next_cursor: page.next_cursor };
  }

  /** Deletes rows older than the retention (the expiry sweep calls it). */
  async prune(now: Date = this.clock.now()): Promise<number> {
    const before = new Date(now.getTime() - this.config.mcpAuditRetentionDays * DAY_MS).toISOString();
    const result = await this.repo.delete({ created_at: LessThan(before) });
    return result.affected ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush().catch(() => undefined);
  }
}

function toDto(row: McpToolCallEntity): ToolCallDto {
  let args: ArgumentSummary = {};
  try {
    args = JSON.parse(row.arguments) as ArgumentSummary;
  } catch {
    args = {};
  }
  return {
    id: row.id,
    time: row.created_at,
    mcp_server_id: row.mcp_server_id,
    integrated_account_id: row.integrated_account_id,
    tool: row.tool,
    arguments: args,
    outcome: row.outcome,
    status: row.status === null ? null : Number(row.status),
    latency_ms: Number(row.latency_ms),
    upstream_calls: Number(row.upstream_calls),
    records_written: Number(row.records_written),
    change_id: row.change_id,
  };
}

function checkedLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw GatewayError.invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`, { field: 'limit' });
  }
  return n;
}

function checkedTool(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw GatewayError.invalid('tool must be a tool name (1 to 200 characters)', { field: 'tool' });
  return value;
}

/** An ISO-8601 date or date-time (with a zone when it has a time), as the stored UTC form. */
function checkedTime(value: unknown, field: string): string {
  const ok =
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const at = ok ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw GatewayError.invalid(
      `${field} must be an ISO-8601 date or date-time with a zone (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`,
      { field },
    );
  }
  return at.toISOString();
}
