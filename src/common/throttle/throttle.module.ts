import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { GatewayThrottlerGuard, throttlerOptions } from './throttle';

/** Registers the gateway throttle as a global guard (every Nest route, the MCP endpoint included). */
@Module({
  imports: [ThrottlerModule.forRootAsync({ inject: [AppConfig], useFactory: throttlerOptions })],
  providers: [{ provide: APP_GUARD, useClass: GatewayThrottlerGuard }],
})
export class ThrottleModule {}
