/**
 * The Planhat sandbox on its own: `npm run sandbox` (or `node dist/sandbox/standalone.js`).
 * Env: PORT (4010), HOST (127.0.0.1), SANDBOX_SEED_COMPANIES (60), SANDBOX_RATE_LIMIT_PER_MIN (200,
 * 0 = off), SANDBOX_FAULTS (false), SANDBOX_MAX_TENANTS (100: live tenants kept, least recently used
 * evicted; any token is a tenant here, so this bounds the memory a flood of new tokens can take).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createSandbox, DEFAULT_MAX_TENANTS, type SandboxOptions } from './index';
import type { SandboxStore } from './store';

export type SandboxServer = FastifyInstance & { sandboxStore: SandboxStore };

/** A Fastify app serving the sandbox at the root path (not listening yet). */
export async function buildSandboxServer(opts: SandboxOptions & { logger?: boolean }): Promise<SandboxServer> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 32 * 1024 * 1024 });
  const { plugin, store } = createSandbox(opts);
  app.decorate('sandboxStore', store);
  await app.register(plugin);
  await app.ready();
  return app as unknown as SandboxServer;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return Number.parseInt(raw, 10);
}

function envPositiveInt(name: string, fallback: number): number {
  const n = envInt(name, fallback);
  if (n < 1) throw new Error(`${name} must be a positive integer, got "${process.env[name]}"`);
  return n;
}

function envBool(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${process.env[name]}"`);
}

export async function main(): Promise<void> {
  const port = envInt('PORT', 4010);
  const host = process.env.HOST || '127.0.0.1';
  const app = await buildSandboxServer({
    seedCompanies: envInt('SANDBOX_SEED_COMPANIES', 60),
    rateLimitPerMin: envInt('SANDBOX_RATE_LIMIT_PER_MIN', 200),
    faults: envBool('SANDBOX_FAULTS', false),
    maxTenants: envPositiveInt('SANDBOX_MAX_TENANTS', DEFAULT_MAX_TENANTS),
  });
  const address = await app.listen({ port, host });
  console.log(
    `Planhat sandbox listening on ${address} (any Bearer token; each token is its own tenant, at most ${app.sandboxStore.maxTenants} live)`,
  );
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal} received, closing sandbox`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
