import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

/**
 * The shared Redis connection when REDIS_URL is set (throttle counters, the custom-field schema
 * cache); `client` is undefined otherwise and callers keep their state in memory. Keys carry
 * REDIS_KEY_PREFIX so several deployments (or test runs) can share one Redis. ioredis is loaded
 * only when REDIS_URL is set (it is ~40 modules a SQLite-only start does not need).
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client?: Redis;
  private readonly logger = new Logger('Redis');

  constructor(config: AppConfig) {
    if (config.redisUrl) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- ioredis loads only when REDIS_URL is set
      const { default: RedisClient } = require('ioredis') as typeof import('ioredis');
      this.client = new RedisClient(config.redisUrl, {
        keyPrefix: config.redisKeyPrefix,
        maxRetriesPerRequest: 2,
        enableOfflineQueue: true,
      });
      this.client.on('error', (err: Error) => this.logger.warn(`Redis: ${err.message}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => this.client?.disconnect());
  }
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
