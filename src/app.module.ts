import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { loggerParams } from './common/logging';
import { RedisModule } from './common/redis/redis.connection';
import { ThrottleModule } from './common/throttle/throttle.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InsightsModule } from './insights/insights.module';
import { McpModule } from './mcp/mcp.module';
import { McpServersModule } from './mcp-servers/mcp-servers.module';
import { OAuthModule } from './oauth/oauth.module';
import { MetricsModule } from './metrics/metrics.module';
import { PlanhatModule } from './planhat/planhat.module';
import { UnifiedModule } from './unified/unified.module';

/** The modular monolith: one module per folder, talking through exported services. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(undefined, config),
        CommonModule,
        LoggerModule.forRoot(loggerParams(logger)),
        MetricsModule,
        RedisModule,
        ThrottleModule,
        DatabaseModule,
        AuthModule,
        AccountsModule,
        PlanhatModule,
        UnifiedModule,
        InsightsModule,
        McpServersModule,
        McpModule,
        OAuthModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
