import type { FastifyPluginAsync } from 'fastify';
import { buildPlugin, type SandboxAuthorizer } from './plugin';
import { SandboxPersistence } from './persistence';
import { SandboxStore } from './store';

export {
  SandboxStore,
  Tenant,
  Collection,
  SandboxError,
  MAX_BULK_ITEMS,
  DEFAULT_LIMIT,
  DEFAULT_MAX_TENANTS,
} from './store';
export type { UpsertSummary, DeleteResult, Query, TenantSnapshot } from './store';
export { SandboxPersistence } from './persistence';
export { FAULT_KINDS, BODY_LIMIT, tokenOf } from './plugin';
export type { FaultKind, SandboxAuthorizer } from './plugin';

export interface SandboxOptions {
  /** Size of each tenant's demo data (other models scale with it). */
  seedCompanies: number;
  /** Requests per token per fixed 60 s window; 0 turns rate limiting (and its headers) off. */
  rateLimitPerMin: number;
  /** Serve `POST|DELETE|GET /__faults` (fault injection). */
  faults: boolean;
  /** Live tenants kept at most (least recently used evicted); defaults to DEFAULT_MAX_TENANTS. */
  maxTenants?: number;
  /**
   * Which tokens are tenants. Without it any token is one (standalone sandbox); with it, other
   * tokens get 401 and create nothing (the gateway accepts only its sandbox accounts' tokens).
   */
  authorize?: SandboxAuthorizer;
  /** Keep tenants in this directory across restarts (SANDBOX_PERSIST); in memory only when unset. */
  persistDir?: string;
  /** Clock (ms since epoch); defaults to Date.now. Drives seed dates, timestamps and rate windows. */
  now?: () => number;
}

/**
 * An emulator of the Planhat REST API as an encapsulated Fastify plugin. Mount it with a prefix,
 * e.g. `app.register(sandbox.plugin, { prefix: '/sandbox/planhat' })`.
 */
export function createSandbox(opts: SandboxOptions): {
  plugin: FastifyPluginAsync;
  store: SandboxStore;
  persistence?: SandboxPersistence;
} {
  const now = opts.now ?? Date.now;
  let persistence: SandboxPersistence | undefined;
  const store = new SandboxStore({
    seedCompanies: opts.seedCompanies,
    maxTenants: opts.maxTenants,
    now,
    ...(opts.persistDir
      ? { restore: (token: string) => persistence?.load(token), onEvict: (t) => persistence?.save(t) }
      : {}),
  });
  if (opts.persistDir) {
    persistence = new SandboxPersistence(store, opts.persistDir);
    persistence.start();
  }
  if (!Number.isInteger(opts.rateLimitPerMin) || opts.rateLimitPerMin < 0) {
    throw new Error('rateLimitPerMin must be a non-negative integer');
  }
  const plugin = buildPlugin(store, {
    rateLimitPerMin: opts.rateLimitPerMin,
    faults: opts.faults,
    authorize: opts.authorize,
    now,
  });
  return { plugin, store, persistence };
}
