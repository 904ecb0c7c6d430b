import { AsyncLocalStorage } from 'node:async_hooks';
import {
  LoggingLevelSchema,
  type LoggingLevel,
  type ProgressToken,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { observeUpstream, type UpstreamEvent } from '../planhat/upstream-events';
import { LRUCache } from 'lru-cache';

/**
 * Progress and log notifications of MCP tool calls (issue 26 item 4).
 *
 * - **Progress**: a tools/call whose `_meta.progressToken` is set gets one `notifications/progress`
 *   per Planhat exchange the tool makes (paging, the several reads of an insight, a bulk upsert):
 *   `progress` counts the exchanges finished, `message` names the method, model and outcome.
 * - **Logging**: once a client has chosen a level with `logging/setLevel`, its tool calls send
 *   `notifications/message` (logger `planhat`) for what happened upstream at that level or above:
 *   a Planhat 429 (warning: the call was not retried, with Planhat's retry-after), a bulk upsert
 *   Planhat applied only in part (warning, 206), Planhat failures and timeouts (error), other
 *   refusals (info) and every exchange (debug). Before a level is chosen nothing is sent. Messages
 *   carry the method, model, status and wait only: never a path, id, query, body or token.
 *
 * Both travel on the call's own response: mcp-nest 1.9.11's tool context makes `reportProgress` and
 * `log` no-ops in stateless mode, so the gateway's tools/call hook sends them with the SDK's
 * request-scoped `sendNotification`, and a Streamable HTTP POST that may carry notifications is
 * answered as an SSE stream instead of one JSON body (`streamedResponse`, see needsStream).
 */

const SEVERITY = new Map<LoggingLevel, number>(LoggingLevelSchema.options.map((level, i) => [level, i]));

/** Whether a message at `level` passes the level a client chose. */
export function passes(level: LoggingLevel, chosen: LoggingLevel | undefined): boolean {
  return chosen !== undefined && (SEVERITY.get(level) ?? -1) >= (SEVERITY.get(chosen) ?? Infinity);
}

/**
 * The level each client chose. Legacy SSE has a session per client: the level is the session's. Streamable
 * HTTP is stateless here (no session id; any request may reach any instance): the level is the MCP
 * server's (its URL token), kept in this instance's memory, so every client of one MCP URL shares it.
 * Bounded: the oldest choice is dropped past `max`.
 */
export class McpLogLevels {
  private readonly levels: LRUCache<string, LoggingLevel>;

  constructor(max = 10_000) {
    this.levels = new LRUCache({ max });
  }

  /** Where a choice is kept: the SSE session, else the MCP server; undefined when neither is known. */
  static keyOf(sessionId: string | undefined, serverId: string | undefined): string | undefined {
    if (sessionId) return `session:${sessionId}`;
    return serverId ? `server:${serverId}` : undefined;
  }

  choose(key: string | undefined, level: LoggingLevel): void {
    if (key === undefined) return;
    this.levels.set(key, level);
  }

  get(key: string | undefined): LoggingLevel | undefined {
    return key === undefined ? undefined : this.levels.get(key);
  }

  /** An SSE session ended: its choice goes with it. */
  forget(sessionId: string): void {
    this.levels.delete(`session:${sessionId}`);
  }
}

/** The log line of one Planhat exchange: its level and a message without secrets. */
export function upstreamLogLine(e: UpstreamEvent): { level: LoggingLevel; message: string } {
  const call = `${e.method} ${e.model}`;
  if (e.outcome === 429) {
    const wait = e.retryAfterS !== undefined ? `retry after ${e.retryAfterS} s` : 'retry later';
    return { level: 'warning', message: `Planhat rate limit reached on ${call}: the call was not retried; ${wait}` };
  }
  if (e.outcome === 206)
    return {
      level: 'warning',
      message: `Planhat applied ${call} only in part (206): the result lists the records that failed`,
    };
  if (e.outcome === 'timeout')
    return { level: 'error', message: `Planhat did not answer ${call} in time (${e.durationMs} ms)` };
  if (e.outcome === 'network_error') return { level: 'error', message: `Could not reach Planhat for ${call}` };
  if (e.outcome >= 500) return { level: 'error', message: `Planhat failed on ${call} with ${e.outcome}` };
  if (e.outcome >= 400) return { level: 'info', message: `Planhat refused ${call} with ${e.outcome}` };
  return { level: 'debug', message: `${call}: ${e.outcome} in ${e.durationMs} ms` };
}

type Send = (notification: ServerNotification) => Promise<void>;

/** Milliseconds between a legacy SSE call's last notification and its response (see CallNotifier.run). */
const LEGACY_SSE_PAUSE_MS = 10;

const calls = new AsyncLocalStorage<CallNotifier>();

/**
 * The notifications of one tools/call: progress to the caller's token, log messages at the level its
 * client chose. Made only when the call asked for progress or a level is chosen (CallNotifier.for).
 */
export class CallNotifier {
  private steps = 0;
  private readonly pending: Promise<unknown>[] = [];

  private constructor(
    private readonly send: Send,
    private readonly progressToken: ProgressToken | undefined,
    private readonly level: LoggingLevel | undefined,
    private readonly legacySse: boolean,
  ) {}

  /** `legacySse`: the call came over a legacy SSE session (see run). */
  static for(
    send: Send,
    progressToken: unknown,
    level: LoggingLevel | undefined,
    legacySse = false,
  ): CallNotifier | undefined {
    const token =
      typeof progressToken === 'string' || (typeof progressToken === 'number' && Number.isFinite(progressToken))
        ? progressToken
        : undefined;
    return token === undefined && level === undefined ? undefined : new CallNotifier(send, token, level, legacySse);
  }

  /** The notifier of the tools/call in progress, if it has one. */
  static current(): CallNotifier | undefined {
    return calls.getStore();
  }

  /** Runs the tool with this notifier listening to its Planhat exchanges; resolves after its notifications are sent. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await calls.run(this, () => observeUpstream(this.observe, work));
    } finally {
      if (this.pending.length) {
        await Promise.allSettled(this.pending);
        // The SDK's client handles a notification a microtask later but a response at once. Its legacy
        // SSE transport dispatches all the events of one chunk in one go: when the last notification and
        // the response arrived together, the response won and the notification was dropped ("unknown
        // token"). A short pause on a legacy SSE session lets them travel apart.
        if (this.legacySse) await new Promise((resolve) => setTimeout(resolve, LEGACY_SSE_PAUSE_MS));
      }
    }
  }

  /** One step done: `progress` increases with each call (the MCP rule), `total` when it is known. */
  progress(message: string, total?: number): void {
    if (this.progressToken === undefined) return;
    this.steps++;
    const params = {
      progressToken: this.progressToken,
      progress: this.steps,
      message,
      ...(total !== undefined ? { total } : {}),
    };
    this.emit({ method: 'notifications/progress', params });
  }

  log(level: LoggingLevel, message: string, detail: Record<string, unknown> = {}): void {
    if (!passes(level, this.level)) return;
    this.emit({ method: 'notifications/message', params: { level, logger: 'planhat', data: { message, ...detail } } });
  }

  private readonly observe = (e: UpstreamEvent): void => {
    const line = upstreamLogLine(e);
    this.progress(`${e.method} ${e.model}: ${e.outcome}`);
    this.log(line.level, line.message, {
      method: e.method,
      model: e.model,
      status: e.outcome,
      ...(e.retryAfterS !== undefined ? { retry_after_s: e.retryAfterS } : {}),
    });
  };

  private emit(notification: ServerNotification): void {
    this.pending.push(this.send(notification).catch(() => undefined));
  }
}

/**
 * Set around a Streamable HTTP POST whose answer must be an SSE stream (mcp-nest reads
 * `streamableHttp.enableJsonResponse` when it builds the request's transport; see mcp.module.ts).
 */
export const streamedResponse = new AsyncLocalStorage<true>();

/**
 * Whether a Streamable HTTP POST may produce notifications: a tools/call that asks for progress, or
 * any tools/call once this server's clients chose a log level. Everything else is answered as JSON.
 */
export function needsStream(body: unknown, levels: McpLogLevels, serverId: string | undefined): boolean {
  const messages = Array.isArray(body) ? body : [body];
  const logging = levels.get(McpLogLevels.keyOf(undefined, serverId)) !== undefined;
  return messages.some((m) => {
    if (m === null || typeof m !== 'object' || (m as { method?: unknown }).method !== 'tools/call') return false;
    const meta = (m as { params?: { _meta?: { progressToken?: unknown } } }).params?._meta;
    return logging || (meta !== null && typeof meta === 'object' && meta.progressToken !== undefined);
  });
}
