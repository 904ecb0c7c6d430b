import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyticsUrl, ConfigError, loadConfig } from './app-config';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'phg-config-'));

describe('loadConfig', () => {
  it('applies the contract defaults and persists generated keys on first start only', () => {
    const dir = tmp();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      upstreamTimeoutMs: 30000,
    });
    expect(first.sandbox).toMatchObject({
      enabled: true,
      seedCompanies: 60,
      rateLimitPerMin: 200,
      faults: false,
      maxTenants: 100,
    });
    expect(first.database).toEqual({ type: 'sqlite', path: path.join(dir, 'gateway.sqlite') });
    expect(first.planhat.allowedHosts).toContain('api-eu3.planhat.com');
    expect(first.oauth).toEqual({ accessTokenTtlS: 3600, refreshTokenTtlS: 2_592_000 });
    expect(loadConfig({ DATA_DIR: dir, OAUTH_ACCESS_TOKEN_TTL_S: '600' }).oauth.accessTokenTtlS).toBe(600);
    expect(first.adminApiKeyGenerated).toBe(true);
    expect(first.encryptionKey).toHaveLength(32);
    expect(fs.statSync(path.join(dir, 'admin_api_key')).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.adminApiKeyGenerated).toBe(false);
    expect(second.adminApiKey).toBe(first.adminApiKey);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
  });

  it('turns the sandbox off by default in production', () => {
    expect(loadConfig({ DATA_DIR: tmp(), NODE_ENV: 'production' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), NODE_ENV: 'production', SANDBOX: 'true' }).sandbox.enabled).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ENCRYPTION_KEY', 'c2hvcnQ='],
    ['DATABASE_URL', 'mysql://x'],
    ['PUBLIC_URL', 'not a url'],
    ['SANDBOX_FAULTS', 'maybe'],
    ['SANDBOX_MAX_TENANTS', '0'],
    ['SANDBOX_MAX_TENANTS', 'lots'],
    ['UPSTREAM_TIMEOUT_MS', '-1'],
    ['OAUTH_ACCESS_TOKEN_TTL_S', '10'],
    ['OAUTH_ACCESS_TOKEN_TTL_S', 'an hour'],
    ['OAUTH_REFRESH_TOKEN_TTL_S', '0'],
    ['ADMIN_API_KEY', 'short'],
    ['REDIS_URL', 'http://x'],
    ['LOG_LEVEL', 'loud'],
    ['ALLOWED_ORIGINS', '*'],
    ['ALLOWED_ORIGINS', 'app.example.com'],
    ['ALLOWED_ORIGINS', 'https://app.example.com/path'],
    ['ALLOWED_ORIGINS', 'https://a.example.com,,https://b.example.com'],
    ['CACHE_MCP_SERVERS', 'lots'],
    ['CACHE_MCP_SERVERS', '0'],
    ['CACHE_API_TOKENS', '10 000'],
    ['CACHE_ACCOUNTS', '-5'],
    ['CACHE_POLICIES', '10.5'],
    ['CACHE_CUSTOM_FIELDS_BYTES', '16MB'],
    ['CACHE_CUSTOM_FIELDS_BYTES', '100'],
    ['THROTTLE_MEMORY_KEYS', 'none'],
    ['MCP_AUDIT_RETENTION_DAYS', 'thirty'],
    ['MCP_AUDIT_RETENTION_DAYS', '0'],
    ['MCP_AUDIT_RETENTION_DAYS', '1.5'],
  ])('rejects %s=%s with a message naming the key', (key, value) => {
    expect(() => loadConfig({ DATA_DIR: tmp(), [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tmp(), [key]: value })).toThrow(
      new RegExp(`^Invalid configuration:\\n${key}: `),
    );
  });

  it('reads the cache bounds, with defaults', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).caches).toEqual({
      mcpServers: 10_000,
      apiTokens: 10_000,
      accounts: 10_000,
      policies: 1_000,
      customFieldsBytes: 16 * 1_048_576,
      throttleKeys: 100_000,
    });
    const c = loadConfig({
      DATA_DIR: tmp(),
      CACHE_MCP_SERVERS: '5',
      CACHE_API_TOKENS: '6',
      CACHE_ACCOUNTS: '7',
      CACHE_POLICIES: '8',
      CACHE_CUSTOM_FIELDS_BYTES: '4096',
      THROTTLE_MEMORY_KEYS: '9',
    }).caches;
    expect(c).toEqual({
      mcpServers: 5,
      apiTokens: 6,
      accounts: 7,
      policies: 8,
      customFieldsBytes: 4096,
      throttleKeys: 9,
    });
  });

  it('reads MCP_AUDIT_RETENTION_DAYS (default 30)', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).mcpAuditRetentionDays).toBe(30);
    expect(loadConfig({ DATA_DIR: tmp(), MCP_AUDIT_RETENTION_DAYS: '7' }).mcpAuditRetentionDays).toBe(7);
  });

  it('serves the conformance fixture only when asked, and never in production', () => {
    expect(loadConfig({ DATA_DIR: tmp() }).mcpConformanceFixture).toBe(false);
    expect(loadConfig({ DATA_DIR: tmp(), MCP_CONFORMANCE_FIXTURE: 'true' }).mcpConformanceFixture).toBe(true);
    expect(() => loadConfig({ DATA_DIR: tmp(), NODE_ENV: 'production', MCP_CONFORMANCE_FIXTURE: 'true' })).toThrow(
      /^Invalid configuration:\nMCP_CONFORMANCE_FIXTURE: /,
    );
  });

  it('reads ALLOWED_ORIGINS as normalised origins', () => {
    expect(
      loadConfig({ DATA_DIR: tmp(), ALLOWED_ORIGINS: 'https://App.example.com, http://localhost:5173/' })
        .allowedOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ DATA_DIR: tmp() }).allowedOrigins).toEqual([]);
  });

  it('reads postgres URLs and explicit keys', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const cfg = loadConfig({
      DATA_DIR: tmp(),
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      ENCRYPTION_KEY: key,
      ADMIN_API_KEY: 'a-long-enough-admin-key',
    });
    expect(cfg.database).toEqual({ type: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/db' });
    expect(cfg.adminApiKey).toBe('a-long-enough-admin-key');
    expect(cfg.adminApiKeyGenerated).toBe(false);
    expect(cfg.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
  });
});

describe('PLANHAT_ANALYTICS_URL', () => {
  it('defaults to https://analytics.planhat.com and takes another allowlisted https host', () => {
    expect(analyticsUrl(undefined, 'api.planhat.com')).toBe('https://analytics.planhat.com');
    expect(analyticsUrl('https://ANALYTICS.planhat.com/some/path', 'api.planhat.com')).toBe(
      'https://analytics.planhat.com',
    );
    expect(analyticsUrl('https://analytics.example.eu', 'api.planhat.com,analytics.example.eu')).toBe(
      'https://analytics.example.eu',
    );
  });
  it.each([
    ['http://analytics.planhat.com', /https/],
    ['https://evil.example.com', /not allowed/],
    ['https://user:pw@analytics.planhat.com', /credentials/],
    ['https://analytics.planhat.com:8443', /port/],
    ['https://127.0.0.1', /IP address/],
    ['not a url', /absolute URL/],
  ])('refuses %s at boot, naming the key', (raw, why) => {
    expect(() => analyticsUrl(raw, 'api.planhat.com')).toThrow(ConfigError);
    expect(() => analyticsUrl(raw, 'api.planhat.com')).toThrow(/PLANHAT_ANALYTICS_URL/);
    expect(() => analyticsUrl(raw, 'api.planhat.com')).toThrow(why);
  });
});
