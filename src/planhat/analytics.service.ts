import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { nestedTooDeep, valueDepthExceeds } from '../common/body-parsing';
import { ErrorCode, GatewayError } from '../common/errors';
import { PlanhatConnectionResolver } from '../accounts/planhat-connection';
import { sandboxTenantToken } from './tenant-token';

export { sandboxTenantToken };

/** What can be sent to Planhat's analytics host. */
export type AnalyticsKind = 'track' | 'bulk' | 'segment' | 'metrics';

/** The request header carrying the tenant token (a secret: redacted from logs, never echoed). */
export const TENANT_TOKEN_HEADER = 'x-planhat-tenant-token';

/** At most this many items per bulk activity or metrics push (Planhat caps bodies at 32 MB). */
export const MAX_ANALYTICS_ITEMS = 5000;

const TENANT_TOKEN = /^[A-Za-z0-9-]{8,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problem with one activity (Planhat: email or externalId, and an action), if any. */
function activityProblem(a: unknown): string | undefined {
  if (!isObject(a)) return 'an activity must be a JSON object';
  if (typeof a.email !== 'string' && typeof a.externalId !== 'string') return 'give email or externalId (the user)';
  if (a.action !== undefined && typeof a.action !== 'string') return 'action must be a string';
  if (a.date !== undefined && (typeof a.date !== 'string' || Number.isNaN(Date.parse(a.date))))
    return 'date must be an ISO 8601 date-time';
  if (a.weight !== undefined && typeof a.weight !== 'number') return 'weight must be a number';
  return undefined;
}

/** The problem with one metric value (Planhat: dimensionId and a numeric value), if any. */
function metricProblem(m: unknown): string | undefined {
  if (!isObject(m)) return 'a metric value must be a JSON object';
  if (typeof m.dimensionId !== 'string' || m.dimensionId === '') return 'dimensionId is required (a string)';
  if (typeof m.value !== 'number' || !Number.isFinite(m.value)) return 'value is required (a number)';
  if (m.model !== undefined && !['Company', 'EndUser', 'Asset', 'Project'].includes(m.model as string))
    return 'model must be Company, EndUser, Asset or Project';
  if (m.date !== undefined && (typeof m.date !== 'string' || Number.isNaN(Date.parse(m.date))))
    return 'date must be an ISO 8601 date-time';
  return undefined;
}

function checkItems(body: unknown, one: (x: unknown) => string | undefined, array: boolean | 'either'): void {
  if (valueDepthExceeds(body)) throw nestedTooDeep();
  const items = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && array === false)
    throw GatewayError.invalid('The body must be one JSON object (use bulk for several)');
  if (!Array.isArray(body) && array === true) throw GatewayError.invalid('The body must be a JSON array of activities');
  if (items.length === 0) throw GatewayError.invalid('The body holds no items');
  if (items.length > MAX_ANALYTICS_ITEMS)
    throw GatewayError.invalid(`At most ${MAX_ANALYTICS_ITEMS} items per request (got ${items.length}); send batches`);
  items.forEach((item, i) => {
    const problem = one(item);
    if (problem) throw GatewayError.invalid(Array.isArray(body) ? `Item ${i}: ${problem}` : problem);
  });
}

/**
 * Planhat's analytics host (user activities and metrics pushes): `POST /analytics/{tenant}`,
 * `/analytics/bulk/{tenant}`, `/dock/segment` (Basic auth with the tenant token) and
 * `/dimensiondata/{tenant}`. These are addressed by the tenant token, not the API token: the
 * caller gives it in the `X-Planhat-Tenant-Token` header; a sandbox account's is derived. Bodies are
 * checked before anything is sent; the token is never logged nor put in an error.
 */
@Injectable()
export class PlanhatAnalyticsService {
  constructor(
    private readonly config: AppConfig,
    private readonly accounts: PlanhatConnectionResolver,
  ) {}

  async send(
    accountId: string | undefined,
    kind: AnalyticsKind,
    body: unknown,
    tenantHeader: unknown,
  ): Promise<{ status: number; body: unknown }> {
    if (kind === 'track') checkItems(body, activityProblem, false);
    else if (kind === 'bulk') checkItems(body, activityProblem, true);
    else if (kind === 'metrics') checkItems(body, metricProblem, 'either');
    else if (!isObject(body) || (typeof body.event !== 'string' && typeof body.type !== 'string')) {
      throw GatewayError.invalid(
        'A Segment call is a JSON object with type or event',
        undefined,
        'e.g. {"type": "track", "event": "Logged in", "userId": "…"}',
      );
    } else if (valueDepthExceeds(body)) throw nestedTooDeep();

    const conn = await this.accounts.resolve(accountId);
    if (Array.isArray(tenantHeader))
      throw GatewayError.invalid(`Header ${TENANT_TOKEN_HEADER} was given more than once`);
    let tenant: string;
    if (typeof tenantHeader === 'string' && tenantHeader !== '') {
      if (!TENANT_TOKEN.test(tenantHeader))
        throw GatewayError.invalid(
          `Header ${TENANT_TOKEN_HEADER} is not a tenant token (8 to 64 letters, digits or -)`,
        );
      tenant = tenantHeader;
    } else if (conn.sandbox) {
      tenant = sandboxTenantToken(conn.token);
    } else {
      throw GatewayError.invalid(
        `Missing header ${TENANT_TOKEN_HEADER}`,
        undefined,
        "Planhat's analytics endpoints are addressed by the tenant token (Settings > Developer in Planhat), not the API token.",
      );
    }
    // The sandbox emulates the analytics host on its own base URL and knows its tenant by the API token.
    const base = conn.sandbox ? conn.baseUrl : this.config.planhat.analyticsUrl;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (conn.sandbox) headers.authorization = `Bearer ${conn.token}`;
    let path: string;
    if (kind === 'segment') {
      path = '/dock/segment';
      if (!conn.sandbox) headers.authorization = `Basic ${Buffer.from(`${tenant}:`).toString('base64')}`;
      else headers['x-planhat-tenant'] = tenant;
    } else {
      path = `${kind === 'metrics' ? '/dimensiondata' : kind === 'bulk' ? '/analytics/bulk' : '/analytics'}/${encodeURIComponent(tenant)}`;
    }
    return this.post(base + path, headers, body);
  }

  private async post(
    url: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<{ status: number; body: unknown }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- undici loads on first use (planhat.client.ts)
    const { request } = require('undici') as typeof import('undici');
    const timeout = this.config.upstreamTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeout).unref();
    let status: number;
    let text: string;
    try {
      const res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), signal: deadline.signal });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      // The URL holds the tenant token: the error names the host only.
      const host = new URL(url).host;
      if (deadline.signal.aborted)
        throw new GatewayError(
          ErrorCode.UPSTREAM_TIMEOUT,
          `Planhat analytics (${host}) did not answer within ${timeout} ms`,
        );
      throw new GatewayError(
        ErrorCode.UPSTREAM_ERROR,
        `Planhat analytics (${host}) could not be reached: ${(err as Error).name}`,
      );
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      /* keep the text */
    }
    if (status >= 200 && status < 300) return { status, body: parsed };
    const code = status >= 500 ? ErrorCode.UPSTREAM_ERROR : ErrorCode.UPSTREAM_REJECTED;
    throw new GatewayError(code, `Planhat analytics answered ${status}`, { remote: { status, body: parsed } });
  }
}
