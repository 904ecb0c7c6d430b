import { Module } from '@nestjs/common';
import { PlanhatModule } from '../planhat/planhat.module';
import { InsightsController } from './insights.controller';
import { InsightsService } from './insights.service';

/** Customer-success insights: REST routes here, InsightsService (and insights.definitions.ts) for MCP tools. */
@Module({
  imports: [PlanhatModule],
  controllers: [InsightsController],
  providers: [InsightsService],
  exports: [InsightsService],
})
export class InsightsModule {}
