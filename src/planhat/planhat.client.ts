import { Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import type * as Undici from 'undici';
import { AppConfig, DEFAULT_CACHE_LIMITS } from '../config/app-config';
import { codeForStatus, ErrorCode, GatewayError } from '../common/errors';
import { MetricsService } from '../metrics/metrics.service';
import { findModel } from './catalog';
import { PlanhatConnectionResolver, type PlanhatConnection } from '../accounts/planhat-connection';
import { RateLimitTracker, type RateLimitHeaders } from './rate-limit';
import { upstreamObserver, type UpstreamEvent } from './upstream-events';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface PlanhatRequest {
  method: HttpMethod;
  /** Path below the base URL, already encoded (e.g. `/companies/5f1a…`). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  timeoutMs?: number;
}

export interface PlanhatResponse<T = unknown> {
  status: number;
  body: T;
  /** `ratelimit-*` headers derived from Planhat's `X-Rate-Limit-*` (empty when Planhat sent none). */
  rateLimit: RateLimitHeaders;
  /** The JSON text `body` was parsed from (lets a pass-through answer splice it instead of re-serialising). */
  text?: string;
}

/** A 2xx answer as the bytes Planhat sent (see PlanhatClient.callBytes). */
export interface PlanhatBytes {
  status: number;
  bytes: Buffer;
  rateLimit: RateLimitHeaders;
  /**
   * With `room`: the buffer `bytes` lies in, with `room.head` free bytes before them and `room.tail`
   * after, so that an envelope can be written around them in place instead of copying them.
   */
  frame?: Buffer;
}

/** Free bytes to leave around a body (see PlanhatBytes.frame). */
export interface BodyRoom {
  head: number;
  tail: number;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const tooLarge = () => new GatewayError(ErrorCode.UPSTREAM_ERROR, 'Planhat sent a response larger than 64 MB');

/** No room around a body: the frame is the bytes. */
const NO_ROOM: BodyRoom = { head: 0, tail: 0 };

/** A body read into a buffer with room around it: the chunks are copied once, where they end up. */
async function readFramed(body: AsyncIterable<Buffer>, room: BodyRoom): Promise<Buffer> {
  // undici fails the body when it does not match its content-length
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const frame = Buffer.allocUnsafe(room.head + total + room.tail);
  let at = room.head;
  for (const chunk of chunks) at += chunk.copy(frame, at);
  return frame;
}

let undici: typeof Undici | undefined;
/**
 * undici is required on the first Planhat call, not at start: loading it (and the fetch globals it
 * touches) is ~40 ms of a cold start, and a gateway is healthy before it calls Planhat.
 */
function loadUndici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, as said above
  undici ??= require('undici') as typeof Undici;
  return undici;
}

/** The catalog model a Planhat path belongs to (`/companies/extid-x` → companies), `other` when none: a bounded label. */
export function modelOfPath(path: string): string {
  const first = path.split(/[/?]/, 2)[1] ?? '';
  return findModel(first)?.key ?? 'other';
}

function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const k of ['error', 'message', 'msg'])
      if (typeof b[k] === 'string' && b[k]) return (b[k] as string).slice(0, 500);
  }
  return fallback;
}

/**
 * The HTTP client for Planhat: one keep-alive undici Agent (a connection pool per origin), Bearer
 * auth, a per-request timeout, every failure mapped to the error vocabulary, no retries (a write is
 * never sent twice; callers see 429s with the headers they need to back off).
 */
@Injectable()
export class PlanhatClient implements OnApplicationShutdown {
  private agent?: Undici.Agent;
  /** Planhat's rate-limit windows per account (at most CACHE_ACCOUNTS). */
  readonly rateLimits: RateLimitTracker;

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: PlanhatConnectionResolver,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.rateLimits = new RateLimitTracker(Date.now, (config.caches ?? DEFAULT_CACHE_LIMITS).accounts);
  }

  /**
   * Closed after the HTTP server has drained (Nest runs onModuleDestroy *before* it stops listening,
   * so closing the pool there made requests arriving during a graceful shutdown fail with 502).
   */
  async onApplicationShutdown(): Promise<void> {
    await this.agent?.close().catch(() => undefined);
  }

  /** The keep-alive pool, made on the first call. */
  private dispatcher(): Undici.Agent {
    this.agent ??= new (loadUndici().Agent)({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connections: 64,
      connect: { timeout: 10_000 },
    });
    return this.agent;
  }

  /** A request whose JSON answer is parsed; any non-2xx answer or transport failure is a GatewayError. */
  async call<T = unknown>(conn: PlanhatConnection, req: PlanhatRequest): Promise<PlanhatResponse<T>> {
    const res = await this.exchange(conn, req, false);
    return this.parseOk<T>(res.status, res.text as string, res.rateLimit);
  }

  /**
   * Like call, but a 2xx answer is returned as the bytes Planhat sent, not parsed (for pass-through:
   * the caller checks them, e.g. with countJsonArray, and parses with parseOk only when it must).
   */
  async callBytes(conn: PlanhatConnection, req: PlanhatRequest, room?: BodyRoom): Promise<PlanhatBytes> {
    const res = await this.exchange(conn, req, true, room);
    return {
      status: res.status,
      bytes: res.bytes as Buffer,
      rateLimit: res.rateLimit,
      frame: room ? res.frame : undefined,
    };
  }

  /** A 2xx answer's text as `call` returns it: parsed JSON, or an UPSTREAM_ERROR when it is not JSON. */
  parseOk<T = unknown>(status: number, text: string, rateLimit: RateLimitHeaders): PlanhatResponse<T> {
    if (text.length === 0) return { status, body: {} as T, rateLimit };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError(ErrorCode.UPSTREAM_ERROR, 'Planhat sent a response that is not JSON', {
        remote: { status, body: text.slice(0, 500) },
        headers: rateLimit,
      });
    }
    return { status, body: body as T, rateLimit, text };
  }

  /** Sends one request; a 2xx answer comes back as text or bytes, anything else is thrown as a GatewayError. */
  private async exchange(
    conn: PlanhatConnection,
    req: PlanhatRequest,
    asBytes: boolean,
    room: BodyRoom = NO_ROOM,
  ): Promise<{ status: number; text?: string; bytes?: Buffer; frame?: Buffer; rateLimit: RateLimitHeaders }> {
    const url = new URL(conn.baseUrl + req.path);
    if (req.query) {
      for (const [k, v] of Object.entries(req.query)) if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const timeout = req.timeoutMs ?? this.config.upstreamTimeoutMs;
    const headers: Record<string, string> = {
      authorization: `Bearer ${conn.token}`,
      accept: 'application/json',
    };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }

    let status: number;
    let text: string | undefined;
    let bytes: Buffer | undefined;
    let frame: Buffer | undefined;
    let resHeaders: Record<string, string | string[] | undefined>;
    // The deadline for the whole exchange, headers and body (undici's own headers and body timeouts
    // keep their 300 s defaults: at this value they could never fire first). Not AbortSignal.timeout:
    // its timer would outlive the request by up to `timeout` (30 s by default), and at thousands of
    // requests a second those timers fill the old generation.
    const started = process.hrtime.bigint();
    // Whoever runs this call (an MCP tool call) may listen: it hears each exchange's outcome, never the path or token.
    const observer = upstreamObserver();
    const observe = (outcome: UpstreamEvent['outcome'], retryAfter?: string | string[]) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const model = modelOfPath(req.path);
      this.metrics?.recordUpstream(model, outcome, seconds);
      if (!observer) return;
      const retry = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      try {
        observer({
          method: req.method,
          model,
          outcome,
          durationMs: Math.round(seconds * 1000),
          retryAfterS: outcome === 429 && Number.isFinite(retry) && retry >= 0 ? retry : undefined,
        });
      } catch {
        /* a listener's failure is not the call's */
      }
    };
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      timeout,
    ).unref();
    try {
      const res = await loadUndici().request(url, {
        method: req.method,
        headers,
        body: payload,
        dispatcher: this.dispatcher(),
        signal: deadline.signal,
      });
      status = res.statusCode;
      resHeaders = res.headers;
      const len = Number(res.headers['content-length'] ?? 0);
      if (len > MAX_BODY_BYTES) {
        res.body.destroy();
        throw tooLarge();
      }
      if (asBytes && status >= 200 && status < 300) {
        frame = await readFramed(res.body, room);
        bytes = frame.subarray(room.head, frame.length - room.tail);
      } else {
        text = await res.body.text();
      }
    } catch (err) {
      const error = this.transportError(err, timeout);
      observe(error.code === ErrorCode.UPSTREAM_TIMEOUT ? 'timeout' : 'network_error');
      throw error;
    } finally {
      clearTimeout(timer);
    }
    observe(status, resHeaders['retry-after']);

    const rateLimit = this.rateLimits.observe(conn.accountId, resHeaders);
    if (status >= 200 && status < 300) {
      if (status !== 204) void this.accounts.reportHealthy(conn.accountId).catch(() => undefined);
      return { status, text, bytes, frame, rateLimit };
    }
    let body: unknown = text;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: kept as text */
      }
    }
    throw this.statusError(conn, status, body, rateLimit, resHeaders);
  }

  private statusError(
    conn: PlanhatConnection,
    status: number,
    body: unknown,
    rateLimit: RateLimitHeaders,
    resHeaders: Record<string, string | string[] | undefined>,
  ): GatewayError {
    const remote = { status, body: typeof body === 'string' ? body.slice(0, 2000) : body };
    if (status >= 500) {
      return new GatewayError(
        ErrorCode.UPSTREAM_ERROR,
        `Planhat failed with ${status}: ${messageOf(body, 'server error')}`,
        {
          remote,
          headers: rateLimit,
          hint: 'Planhat had a server error; the request may be retried later (writes are not retried automatically).',
        },
      );
    }
    const code = codeForStatus(status);
    const headers: Record<string, string> = { ...rateLimit };
    let hint: string | undefined;
    if (status === 429) {
      const retry = String(resHeaders['retry-after'] ?? rateLimit['ratelimit-reset'] ?? '60');
      headers['retry-after'] = retry;
      hint = `Planhat's rate limit was reached; retry after ${retry} s.`;
    } else if (status === 401) {
      void this.accounts.reportUnauthorized(conn.accountId).catch(() => undefined);
      hint = `Planhat rejected the API token of integrated account ${conn.accountId}; update it with PATCH /integrated-account/${conn.accountId}.`;
    } else if (status === 404) {
      hint = 'No such record in Planhat: check the id with the list operation of this resource.';
    }
    return new GatewayError(
      code === ErrorCode.UNAUTHORIZED ? ErrorCode.UPSTREAM_REJECTED : code,
      `Planhat answered ${status}: ${messageOf(body, 'request rejected')}`,
      {
        remote,
        headers,
        hint,
      },
    );
  }

  private transportError(err: unknown, timeout: number): GatewayError {
    if (err instanceof GatewayError) return err;
    const e = err as { code?: string; name?: string; message?: string };
    if (
      e.name === 'TimeoutError' ||
      e.name === 'AbortError' ||
      e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
      e.code === 'UND_ERR_BODY_TIMEOUT' ||
      e.code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return new GatewayError(ErrorCode.UPSTREAM_TIMEOUT, `Planhat did not answer within ${timeout} ms`, {
        hint: 'Retry later; a write may or may not have been applied, so check before repeating it.',
        cause: err,
      });
    }
    return new GatewayError(
      ErrorCode.UPSTREAM_ERROR,
      `Could not reach Planhat: ${e.code ?? e.name ?? 'connection error'}`,
      {
        hint: 'The connection to Planhat failed (reset or refused); retry later.',
        cause: err,
      },
    );
  }
}
