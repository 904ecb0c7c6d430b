import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { PlanhatModule } from '../planhat/planhat.module';
import { UnifiedController } from './unified.controller';
import { UnifiedService } from './unified.service';

/** The unified API: REST routes here, UnifiedService for the MCP unified tools. */
@Module({
  imports: [PlanhatModule, IdempotencyModule],
  controllers: [UnifiedController],
  providers: [UnifiedService],
  exports: [UnifiedService],
})
export class UnifiedModule {}
