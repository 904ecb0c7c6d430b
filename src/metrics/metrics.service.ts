import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Where a request entered the gateway (the `surface` label). */
export type Surface = 'proxy' | 'unified' | 'mcp' | 'admin' | 'sandbox' | 'ops';
export type ToolOutcome = 'ok' | 'error' | 'denied';
/** The caches whose hit ratio is exported (the `cache` label). */
export type CacheName = 'api_token' | 'planhat_connection' | 'mcp_server';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The surface of a route template (`/proxy/:resource`, …); anything not matched by a route is `unmatched`. */
export function surfaceOf(route: string): Surface {
  if (route.startsWith('/proxy')) return 'proxy';
  if (route.startsWith('/unified')) return 'unified';
  if (route.startsWith('/mcp')) return 'mcp';
  if (route.startsWith('/sandbox')) return 'sandbox';
  if (route.startsWith('/health') || route === '/metrics') return 'ops';
  return 'admin';
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/**
 * The gateway's Prometheus metrics (prom-client), one registry per application: HTTP requests by
 * surface, route template and status class; Planhat calls by model and status; 429s passed through;
 * MCP tool calls by tool and outcome; cache lookups (hit/miss); Node process metrics. Labels only
 * take bounded values (route templates, catalog models, status classes), never ids or tokens.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests answered, by surface, route template and status class',
    labelNames: ['surface', 'route', 'status_class'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (for SSE: the life of the stream), by surface, route template and status class',
    labelNames: ['surface', 'route', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly upstreamRequests = new Counter({
    name: 'gateway_planhat_requests_total',
    help: 'Calls to Planhat, by model and status (the HTTP status, or timeout / network_error)',
    labelNames: ['model', 'status'] as const,
    registers: [this.registry],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'gateway_planhat_request_duration_seconds',
    help: 'Duration of calls to Planhat, by model and status class',
    labelNames: ['model', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly upstream429 = new Counter({
    name: 'gateway_planhat_rate_limited_total',
    help: 'Planhat 429 answers passed through to the caller (with retry-after), by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  private readonly toolCalls = new Counter({
    name: 'gateway_mcp_tool_calls_total',
    help: 'MCP tool calls, by tool and outcome (ok, error, denied)',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly auditFailures = new Counter({
    name: 'gateway_mcp_audit_write_failures_total',
    help: 'MCP audit rows and change records the database refused (the tool calls themselves went on)',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  private readonly cacheLookups = new Counter({
    name: 'gateway_cache_lookups_total',
    help: "Lookups in the gateway's in-process caches, by cache and result (hit or miss)",
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every series exists from the start (a rate over a series that appears late misses its first increments).
    for (const cache of ['api_token', 'planhat_connection', 'mcp_server'] as const) {
      for (const result of ['hit', 'miss'] as const) this.cacheLookups.inc({ cache, result }, 0);
    }
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }

  recordRequest(route: string, status: number, seconds: number): void {
    const labels = { surface: surfaceOf(route), route, status_class: statusClass(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** One Planhat call: `status` is the HTTP status, or `timeout` / `network_error` when none came. */
  recordUpstream(model: string, status: number | 'timeout' | 'network_error', seconds: number): void {
    this.upstreamRequests.inc({ model, status: String(status) });
    this.upstreamDuration.observe(
      { model, status_class: typeof status === 'number' ? statusClass(status) : status },
      seconds,
    );
    if (status === 429) this.upstream429.inc({ model });
  }

  /** One MCP tool call and how it ended (wired by the MCP layer). */
  recordToolCall(tool: string, outcome: ToolOutcome): void {
    this.toolCalls.inc({ tool, outcome });
  }

  recordAuditFailure(table: 'mcp_tool_call' | 'mcp_change', n = 1): void {
    this.auditFailures.inc({ table }, n);
  }

  recordCache(cache: CacheName, hit: boolean): void {
    this.cacheLookups.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
