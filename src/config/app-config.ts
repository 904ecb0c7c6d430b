import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { httpsOriginOn } from './https-origin';
import { parseAllowedOrigins } from './origins';
import { privateDir, privateFile } from './private-files';
import { envSchema, formatEnvIssues } from './config.schema';

/** The typed configuration every module reads (injected as AppConfig). */
export class AppConfig {
  port!: number;
  host!: string;
  publicUrl!: string;
  /** Whether publicUrl was derived from the port (then it follows the port actually bound). */
  publicUrlDerived!: boolean;
  /** Browser origins allowed besides PUBLIC_URL's (ALLOWED_ORIGINS, normalised). */
  allowedOrigins!: string[];
  dataDir!: string;
  adminApiKey!: string;
  /** True when the admin key was generated in this start (it is printed once). */
  adminApiKeyGenerated!: boolean;
  database!: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };
  encryptionKey!: Buffer;
  redisUrl?: string;
  redisKeyPrefix!: string;
  planhat!: { apiToken?: string; baseUrl: string; allowedHosts: string[]; analyticsUrl: string };
  sandbox!: {
    enabled: boolean;
    /** Standalone sandbox URL that `sandbox` accounts use instead of the embedded one. */
    baseUrl?: string;
    seedCompanies: number;
    rateLimitPerMin: number;
    faults: boolean;
    /** Keep sandbox tenants in DATA_DIR/sandbox across restarts. */
    persist: boolean;
    /** Live tenants kept at most (least recently used evicted). */
    maxTenants: number;
  };
  /** Serve the conformance suite's progress fixture tool (MCP_CONFORMANCE_FIXTURE; src/mcp/conformance-fixture.ts). */
  mcpConformanceFixture!: boolean;
  upstreamTimeoutMs!: number;
  throttlePerMin!: number;
  /** On SIGTERM/SIGINT, how long requests in flight may finish before their connections are cut. */
  shutdownTimeoutMs!: number;
  /** Bearer token that may read GET /metrics (besides admin API tokens); unset = API tokens only. */
  metricsToken?: string;
  /** OAuth for MCP servers: access and refresh token lifetimes in seconds. */
  oauth!: { accessTokenTtlS: number; refreshTokenTtlS: number };
  logLevel!: string;
  bodyLimitBytes!: number;
  /** Bounds of the in-process caches (least recently used evicted first). */
  caches!: CacheLimits;
  /** Days MCP tool-call audit rows are kept (MCP_AUDIT_RETENTION_DAYS). */
  mcpAuditRetentionDays!: number;
  production!: boolean;
}

/** Bounds of the in-process caches that grow with tenants, servers or tokens. */
export interface CacheLimits {
  /** MCP URL-token hash → server lookups (CACHE_MCP_SERVERS). */
  mcpServers: number;
  /** API-token hash → principal lookups (CACHE_API_TOKENS). */
  apiTokens: number;
  /** Per integrated account: resolved connections, rate-limit windows, sandbox token checks (CACHE_ACCOUNTS). */
  accounts: number;
  /** Tool lists per distinct policy (CACHE_POLICIES). */
  policies: number;
  /** Custom-field schemas, in bytes of JSON (CACHE_CUSTOM_FIELDS_BYTES). */
  customFieldsBytes: number;
  /** In-memory throttle counters (THROTTLE_MEMORY_KEYS). */
  throttleKeys: number;
}

/** The defaults (what an AppConfig without CACHE_* settings uses). */
export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  mcpServers: 10_000,
  apiTokens: 10_000,
  accounts: 10_000,
  policies: 1_000,
  customFieldsBytes: 16 * 1_048_576,
  throttleKeys: 100_000,
};

/** Planhat's analytics host: the default one, or another allowlisted host. */
export const DEFAULT_ANALYTICS_URL = 'https://analytics.planhat.com';

/**
 * PLANHAT_ANALYTICS_URL checked like a custom base URL: https, no credentials, no port but 443, no IP
 * literal, and the host analytics.planhat.com or one of PLANHAT_ALLOWED_HOSTS. Returns the origin.
 */
export function analyticsUrl(raw: string | undefined, allowedHostsCsv: string): string {
  if (raw === undefined || raw === '') return DEFAULT_ANALYTICS_URL;
  const allowed = [
    'analytics.planhat.com',
    ...allowedHostsCsv
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  ];
  return httpsOriginOn(
    raw,
    allowed,
    (why) => new ConfigError(`PLANHAT_ANALYTICS_URL ${why} (allowed hosts: ${allowed.join(', ')})`),
  );
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(`Invalid configuration:\n${message}`);
    this.name = 'ConfigError';
  }
}

/** Reads a key file from the data dir, or writes a new random one (mode 0600) on first start. */
function persistedSecret(dataDir: string, file: string, make: () => string): { value: string; generated: boolean } {
  const p = path.join(dataDir, file);
  if (fs.existsSync(p)) {
    privateFile(p);
    return { value: fs.readFileSync(p, 'utf8').trim(), generated: false };
  }
  const value = make();
  fs.writeFileSync(p, `${value}\n`, { mode: 0o600 });
  return { value, generated: true };
}

/** Parses and validates the environment, creating the data dir and generated keys on first start. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(clean);
  if (!parsed.success) throw new ConfigError(formatEnvIssues(parsed.error));
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && e.MCP_CONFORMANCE_FIXTURE)
    throw new ConfigError(
      'MCP_CONFORMANCE_FIXTURE: the conformance fixture tool is for CI, not for NODE_ENV=production',
    );

  const dataDir = path.resolve(e.DATA_DIR);
  privateDir(dataDir);

  const admin = e.ADMIN_API_KEY
    ? { value: e.ADMIN_API_KEY, generated: false }
    : persistedSecret(dataDir, 'admin_api_key', () => `phg_admin_${randomBytes(24).toString('base64url')}`);
  const encKey = e.ENCRYPTION_KEY
    ? e.ENCRYPTION_KEY
    : persistedSecret(dataDir, 'encryption_key', () => randomBytes(32).toString('base64')).value;
  const encryptionKey = Buffer.from(encKey, 'base64');
  if (encryptionKey.length !== 32) throw new ConfigError(`ENCRYPTION_KEY: the key file in ${dataDir} is not 32 bytes`);

  const dbUrl = e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'gateway.sqlite')}`;
  const database = dbUrl.startsWith('sqlite:')
    ? { type: 'sqlite' as const, path: dbUrl.slice('sqlite:'.length) || path.join(dataDir, 'gateway.sqlite') }
    : { type: 'postgres' as const, url: dbUrl };

  const cfg = new AppConfig();
  Object.assign(cfg, {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    publicUrlDerived: e.PUBLIC_URL === undefined,
    allowedOrigins: parseAllowedOrigins(e.ALLOWED_ORIGINS, (why) => new ConfigError(`ALLOWED_ORIGINS: ${why}`)),
    dataDir,
    adminApiKey: admin.value,
    adminApiKeyGenerated: admin.generated,
    database,
    encryptionKey,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    planhat: {
      apiToken: e.PLANHAT_API_TOKEN,
      baseUrl: (e.PLANHAT_BASE_URL ?? 'https://api.planhat.com').replace(/\/+$/, ''),
      allowedHosts: e.PLANHAT_ALLOWED_HOSTS.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      analyticsUrl: analyticsUrl(e.PLANHAT_ANALYTICS_URL, e.PLANHAT_ALLOWED_HOSTS),
    },
    sandbox: {
      enabled: clean.SANDBOX === undefined ? !production : (e.SANDBOX as boolean),
      baseUrl: e.SANDBOX_BASE_URL?.replace(/\/+$/, ''),
      seedCompanies: e.SANDBOX_SEED_COMPANIES,
      rateLimitPerMin: e.SANDBOX_RATE_LIMIT_PER_MIN,
      faults: e.SANDBOX_FAULTS,
      persist: e.SANDBOX_PERSIST,
      maxTenants: e.SANDBOX_MAX_TENANTS,
    },
    mcpConformanceFixture: e.MCP_CONFORMANCE_FIXTURE,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    throttlePerMin: e.THROTTLE_PER_MIN,
    metricsToken: e.METRICS_TOKEN || undefined,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    oauth: { accessTokenTtlS: e.OAUTH_ACCESS_TOKEN_TTL_S, refreshTokenTtlS: e.OAUTH_REFRESH_TOKEN_TTL_S },
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    caches: {
      mcpServers: e.CACHE_MCP_SERVERS,
      apiTokens: e.CACHE_API_TOKENS,
      accounts: e.CACHE_ACCOUNTS,
      policies: e.CACHE_POLICIES,
      customFieldsBytes: e.CACHE_CUSTOM_FIELDS_BYTES,
      throttleKeys: e.THROTTLE_MEMORY_KEYS,
    },
    mcpAuditRetentionDays: e.MCP_AUDIT_RETENTION_DAYS,
    production,
  } satisfies AppConfig);
  return cfg;
}
