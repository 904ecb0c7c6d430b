import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { PlanhatAnalyticsService } from './analytics.service';
import { PlanhatClient } from './planhat.client';
import { PlanhatService } from './planhat.service';
import { AnalyticsController } from './proxy/analytics.controller';
import { ProxyController } from './proxy/proxy.controller';

/**
 * Planhat: the catalog-driven client and service, and the native proxy routes. The connection
 * resolver (integrated accounts) comes from the admin module; the sandbox is mounted by app.factory.
 */
@Module({
  imports: [AdminModule, IdempotencyModule],
  controllers: [AnalyticsController, ProxyController],
  providers: [PlanhatClient, PlanhatService, PlanhatAnalyticsService],
  exports: [PlanhatService],
})
export class PlanhatModule {}
