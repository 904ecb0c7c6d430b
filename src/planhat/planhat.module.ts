import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { PlanhatAnalyticsService } from './analytics.service';
import { PlanhatClient } from './planhat.client';
import { PlanhatService } from './planhat.service';
import { AnalyticsController } from './proxy/analytics.controller';
import { ProxyController } from './proxy/proxy.controller';

/**
 * Planhat: the catalog-driven client and service, and the native proxy routes. The connection
 * resolver comes from the integrated accounts below; the sandbox is mounted by app.factory.
 */
@Module({
  imports: [AccountsModule, IdempotencyModule],
  controllers: [AnalyticsController, ProxyController],
  providers: [PlanhatClient, PlanhatService, PlanhatAnalyticsService],
  exports: [PlanhatService],
})
export class PlanhatModule {}
