import { z } from 'zod';

/**
 * Every environment variable the gateway reads (docs/contract.md §1), parsed once at boot. Each key says
 * what it is and whether it is a secret; a bad value stops the start with a message naming the key.
 */
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? def : v === 'true' || v === '1' || v === 'yes'));

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const url = z
  .string()
  .optional()
  .refine((v) => v === undefined || v === '' || URL.canParse(v), { message: 'must be an absolute URL' });

export const DEFAULT_ALLOWED_HOSTS =
  'api.planhat.com,api.planhatdemo.com,api-eu.planhat.com,api-eu2.planhat.com,api-eu3.planhat.com,api-us2.planhat.com';

export const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PORT: int(3000, 0, 65535).describe('Listen port'),
  HOST: z.string().min(1).optional().default('127.0.0.1').describe('Listen address'),
  PUBLIC_URL: url.describe('Base of the MCP URLs handed out (default http://localhost:$PORT)'),
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .describe(
      'Browser origins allowed besides the origin of PUBLIC_URL (comma-separated, e.g. https://app.example.com)',
    ),
  DATA_DIR: z.string().min(1).optional().default('./data').describe('SQLite file and generated keys'),
  ADMIN_API_KEY: z.string().min(16, 'must be at least 16 characters').optional().describe('secret: root API token'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^(sqlite:|postgres(ql)?:\/\/)/.test(v), {
      message: 'must start with sqlite: or postgres://',
    })
    .describe('sqlite:<path> or postgres://…'),
  ENCRYPTION_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || Buffer.from(v, 'base64').length === 32, {
      message: 'must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    })
    .describe('secret: AES-256-GCM key sealing Planhat tokens'),
  REDIS_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^rediss?:\/\//.test(v), { message: 'must start with redis://' })
    .describe('secret: shared throttling state'),
  REDIS_KEY_PREFIX: z.string().max(100).optional().default('phg:').describe('Prefix of every Redis key'),
  PLANHAT_API_TOKEN: z.string().optional().describe('secret: bootstraps the `planhat` integrated account'),
  PLANHAT_BASE_URL: url.describe('Planhat API base URL'),
  PLANHAT_ALLOWED_HOSTS: z.string().optional().default(DEFAULT_ALLOWED_HOSTS),
  PLANHAT_ANALYTICS_URL: z
    .string()
    .optional()
    .describe(
      "Planhat's analytics host (user activities, metrics pushes): https, analytics.planhat.com or a PLANHAT_ALLOWED_HOSTS host",
    ),
  SANDBOX: bool(true).optional(),
  SANDBOX_BASE_URL: url.describe('Point `sandbox` accounts at a standalone sandbox instead of the embedded one'),
  SANDBOX_SEED_COMPANIES: int(60, 1, 200_000),
  SANDBOX_RATE_LIMIT_PER_MIN: int(200, 0, 10_000_000),
  SANDBOX_FAULTS: bool(false),
  SANDBOX_PERSIST: bool(false).describe('Keep sandbox tenants in DATA_DIR/sandbox across restarts'),
  SANDBOX_MAX_TENANTS: int(100, 1, 100_000).describe('Live sandbox tenants kept at most (least recently used evicted)'),
  MCP_CONFORMANCE_FIXTURE: bool(false).describe(
    "Serve the official MCP conformance suite's progress fixture tool (CI only; refused in production)",
  ),
  UPSTREAM_TIMEOUT_MS: int(30_000, 10, 600_000),
  THROTTLE_PER_MIN: int(600, 0, 10_000_000).describe(
    'Gateway requests per minute per API token, account, MCP server, and client address when unauthenticated; 0 = off',
  ),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000).describe(
    'On SIGTERM/SIGINT: how long requests in flight may finish before their connections are cut',
  ),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('secret: bearer token for GET /metrics (admin API tokens work too)'),
  OAUTH_ACCESS_TOKEN_TTL_S: int(3600, 60, 86_400).describe(
    'Lifetime of OAuth access tokens for MCP servers, in seconds',
  ),
  OAUTH_REFRESH_TOKEN_TTL_S: int(2_592_000, 3600, 31_536_000).describe(
    'Lifetime of OAuth refresh tokens (each refresh rotates it), in seconds',
  ),
  MCP_AUDIT_RETENTION_DAYS: int(30, 1, 36_500).describe(
    'Days MCP tool-call audit rows are kept (pruned by the expiry sweep)',
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 64 * 1_048_576),
  CACHE_MCP_SERVERS: int(10_000, 1, 10_000_000).describe(
    'MCP URL-token lookups kept at most (least recently used evicted)',
  ),
  CACHE_API_TOKENS: int(10_000, 1, 10_000_000).describe('API-token lookups kept at most'),
  CACHE_ACCOUNTS: int(10_000, 1, 10_000_000).describe(
    'Per integrated account: resolved Planhat connections, rate-limit windows, sandbox token checks kept at most',
  ),
  CACHE_POLICIES: int(1_000, 1, 1_000_000).describe(
    'Tool lists per distinct MCP server policy kept at most (shared by every server with that policy)',
  ),
  CACHE_CUSTOM_FIELDS_BYTES: int(16 * 1_048_576, 1024, 4096 * 1_048_576).describe(
    'Custom-field schemas of integrated accounts kept at most, in bytes of JSON',
  ),
  THROTTLE_MEMORY_KEYS: int(100_000, 1, 100_000_000).describe(
    'Throttle counters kept in memory at most (without REDIS_URL)',
  ),
});

export type RawEnv = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;

/** Turns zod issues into one line per key: `PORT: must be an integer from 0 to 65535, got "x"`. */
export function formatEnvIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('\n');
}
