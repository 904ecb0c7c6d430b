import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { PlanhatModule } from '../planhat/planhat.module';
import { UnifiedModule } from '../unified/unified.module';
import { CustomFieldsCache } from './custom-fields';
import { McpAccessService } from './mcp-access.service';
import { McpController } from './mcp.controller';
import { McpToolsService } from './mcp-tools.service';
import { UnifiedToolRunner } from './unified-runner';

/**
 * MCP servers (CONTRACT §5): /mcp/:token over Streamable HTTP and legacy SSE, tools from the tool
 * index (src/mcp/policy) filtered by each server's stored policy, run through PlanhatService and
 * UnifiedService.
 */
@Module({
  imports: [AdminModule, IdempotencyModule, PlanhatModule, UnifiedModule],
  controllers: [McpController],
  providers: [CustomFieldsCache, McpToolsService, McpAccessService, UnifiedToolRunner],
  exports: [McpToolsService, CustomFieldsCache],
})
export class McpModule {}
