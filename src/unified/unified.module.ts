import { Module } from '@nestjs/common';
import { PlanhatModule } from '../planhat/planhat.module';
import { UnifiedController } from './unified.controller';
import { UnifiedService } from './unified.service';

/** The unified API: REST routes here, UnifiedService for the MCP unified tools. */
@Module({
  imports: [PlanhatModule],
  controllers: [UnifiedController],
  providers: [UnifiedService],
  exports: [UnifiedService],
})
export class UnifiedModule {}
