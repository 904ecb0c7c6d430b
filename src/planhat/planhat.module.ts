import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { PlanhatClient } from './planhat.client';
import { PlanhatService } from './planhat.service';
import { ProxyController } from './proxy/proxy.controller';

/**
 * Planhat: the catalog-driven client and service, and the native proxy routes. The connection
 * resolver (integrated accounts) comes from the admin module; the sandbox is mounted by app.factory.
 */
@Module({
  imports: [AdminModule, IdempotencyModule],
  controllers: [ProxyController],
  providers: [PlanhatClient, PlanhatService],
  exports: [PlanhatService],
})
export class PlanhatModule {}
