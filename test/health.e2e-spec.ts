/**
 * Health (issue #24, item 9), with @nestjs/terminus: `/health` is liveness (no dependency checked),
 * `/health/ready` is readiness: database reachable, every migration applied, Redis reachable when
 * REDIS_URL is set (a real redis-server here), and not shutting down. A failing check is a 503 that
 * names it under `error`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from './support/test-app';
import { ShutdownState } from '../src/health/shutdown-state';
import { freePort } from './reliability-helpers';

async function get(url: string): Promise<{ status: number; body: any; cache: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), cache: res.headers.get('cache-control') };
}

describe('liveness and readiness on SQLite', () => {
  let t: TestApp;
  beforeAll(async () => {
    // SQLite and no Redis, also in the scale-out pass (which sets PostgreSQL and Redis for every other suite).
    t = await startTestApp({ DATABASE_URL: undefined, REDIS_URL: undefined, REDIS_KEY_PREFIX: undefined });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health answers without credentials and checks no dependency', async () => {
    const r = await get(`${t.url}/health`);
    expect(r.status).toBe(200);
    expect(r.cache).toContain('no-store');
    expect(r.body.status).toBe('ok');
    expect(Object.keys(r.body.details)).toEqual(['gateway']);
  });

  it('GET /health/ready: database and migrations up, no Redis check without REDIS_URL', async () => {
    const r = await get(`${t.url}/health/ready`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
    expect(r.body.details.database).toEqual({ status: 'up' });
    expect(r.body.details.migrations.status).toBe('up');
    expect(r.body.details.migrations.applied).toBeGreaterThan(0);
    expect(r.body.details.shutdown).toEqual({ status: 'up' });
    expect(r.body.details).not.toHaveProperty('redis');
  });

  it('a migration not recorded as applied makes readiness 503 (liveness stays 200)', async () => {
    const ds = t.app.get(DataSource);
    const rows: Array<{ id: number; timestamp: string | number; name: string }> = await ds.query(
      'SELECT * FROM migrations ORDER BY id DESC LIMIT 1',
    );
    await ds.query('DELETE FROM migrations WHERE id = ?', [rows[0].id]);
    try {
      const r = await get(`${t.url}/health/ready`);
      expect(r.status).toBe(503);
      expect(r.body.status).toBe('error');
      expect(r.body.error.migrations).toEqual({ status: 'down', message: 'migrations are pending' });
      expect(r.body.info.database).toEqual({ status: 'up' });
      expect((await get(`${t.url}/health`)).status).toBe(200);
    } finally {
      await ds.query('INSERT INTO migrations (id, timestamp, name) VALUES (?, ?, ?)', [
        rows[0].id,
        rows[0].timestamp,
        rows[0].name,
      ]);
    }
    expect((await get(`${t.url}/health/ready`)).status).toBe(200);
  });

  it('once a graceful shutdown starts, readiness is down', async () => {
    const state = t.app.get(ShutdownState);
    state.closing = true;
    try {
      const r = await get(`${t.url}/health/ready`);
      expect(r.status).toBe(503);
      expect(r.body.error.shutdown).toEqual({ status: 'down', message: 'shutting down' });
    } finally {
      state.closing = false;
    }
  });

  it('an unreachable database makes readiness 503 naming the database', async () => {
    const ds = t.app.get(DataSource);
    await ds.destroy();
    try {
      const r = await get(`${t.url}/health/ready`);
      expect(r.status).toBe(503);
      expect(r.body.error.database.status).toBe('down');
      expect(r.body.error.database.message).toEqual(expect.any(String));
      expect((await get(`${t.url}/health`)).status).toBe(200);
    } finally {
      await ds.initialize();
    }
  });
});

describe('readiness with REDIS_URL (a real redis-server)', () => {
  let redis: ChildProcess | undefined;
  let t: TestApp | undefined;
  let port: number;

  async function startRedis(): Promise<ChildProcess> {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      proc.stdout!.on('data', (d: Buffer) => {
        if (/Ready to accept connections/.test(d.toString())) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', () => reject(new Error('redis-server exited')));
    });
    return proc;
  }

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis();
    // Throttling off: with it on, the throttle guard's own Redis call fails first while Redis is down
    // (a 500 on every route); this suite is about what readiness reports.
    t = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `phg-health-${process.pid}:`,
      THROTTLE_PER_MIN: '0',
    });
  });
  afterAll(async () => {
    await t?.close();
    redis?.kill('SIGKILL');
  });

  it('Redis up: readiness 200 with a redis check', async () => {
    const r = await get(`${t!.url}/health/ready`);
    expect(r.status).toBe(200);
    expect(r.body.details.redis).toEqual({ status: 'up' });
  });

  it('Redis gone: readiness 503 naming redis, liveness 200', async () => {
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis!.kill('SIGKILL');
    await exited;
    const r = await get(`${t!.url}/health/ready`);
    expect(r.status).toBe(503);
    expect(r.body.error.redis.status).toBe('down');
    expect(r.body.info.database).toEqual({ status: 'up' });
    expect((await get(`${t!.url}/health`)).status).toBe(200);
    // Back when Redis is back (ioredis reconnects).
    redis = await startRedis();
    const until = Date.now() + 15_000;
    let again = await get(`${t!.url}/health/ready`);
    while (again.status !== 200 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      again = await get(`${t!.url}/health/ready`);
    }
    expect(again.body.details.redis).toEqual({ status: 'up' });
  }, 30_000);
});
