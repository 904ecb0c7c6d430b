import type * as RedisStorage from '@nest-lab/throttler-storage-redis';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from '../redis/redis.connection';
import { BoundedThrottlerStorage } from './memory-storage';
import { GatewayThrottle, GatewayThrottlerGuard, throttlerOptions } from './throttle';

/** Loaded only with REDIS_URL: the Redis storage pulls in ioredis. */
function redisStorage(client: NonNullable<RedisConnection['client']>): RedisStorage.ThrottlerStorageRedisService {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the Redis storage loads only with REDIS_URL
  const { ThrottlerStorageRedisService } = require('@nest-lab/throttler-storage-redis') as typeof RedisStorage;
  return new ThrottlerStorageRedisService(client);
}

/**
 * Registers the gateway throttle as a global guard (every Nest route; the MCP routes count their
 * requests through GatewayThrottle once their URL token is resolved). Counters live in memory (at
 * most THROTTLE_MEMORY_KEYS, least recently used evicted), or in Redis when REDIS_URL is set so
 * several instances share them.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection) => ({
        ...throttlerOptions(config),
        storage: redis.client ? redisStorage(redis.client) : new BoundedThrottlerStorage(config.caches.throttleKeys),
      }),
    }),
  ],
  providers: [GatewayThrottle, { provide: APP_GUARD, useClass: GatewayThrottlerGuard }],
  exports: [GatewayThrottle],
})
export class ThrottleModule {}
