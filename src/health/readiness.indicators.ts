import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { RedisConnection } from '../common/redis/redis.connection';
import { ShutdownState } from './shutdown-state';

export const CHECK_TIMEOUT_MS = 3000;

/** Resolves with the promise's value, or rejects with a timeout message after `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout of ${ms}ms exceeded`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The checks behind /health and /health/ready, as terminus health indicators. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly redis: RedisConnection,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: answering at all is the proof. */
  async alive(): Promise<HealthIndicatorResult> {
    return this.indicator.check('gateway').up({ uptime_s: Math.round(process.uptime()) });
  }

  /** Readiness: database, Redis (only when configured), migrations, and not shutting down. */
  readiness(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [() => this.database(), () => this.migrations()];
    if (this.redis.client) checks.push(() => this.redisPing());
    checks.push(() => this.notClosing());
    return checks;
  }

  async database(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('database');
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS);
      return check.up();
    } catch (err) {
      return check.down({ message: messageOf(err) });
    }
  }

  /** Every migration the code ships is recorded as applied in the database. */
  async migrations(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('migrations');
    try {
      const pending = await withTimeout(this.dataSource.showMigrations(), CHECK_TIMEOUT_MS);
      return pending
        ? check.down({ message: 'migrations are pending' })
        : check.up({ applied: this.dataSource.migrations.length });
    } catch (err) {
      return check.down({ message: messageOf(err) });
    }
  }

  async redisPing(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('redis');
    try {
      const answer = await withTimeout(this.redis.client!.ping(), CHECK_TIMEOUT_MS);
      return answer === 'PONG'
        ? check.up()
        : check.down({ message: `unexpected answer ${String(answer).slice(0, 40)}` });
    } catch (err) {
      return check.down({ message: messageOf(err) });
    }
  }

  /** Down once a graceful shutdown started: load balancers stop sending new work. */
  async notClosing(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('shutdown');
    return this.shutdown.closing ? check.down({ message: 'shutting down' }) : check.up();
  }
}

function messageOf(err: unknown): string {
  // Driver messages can name hosts but never credentials (URLs are not part of them); keep them short.
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
