import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { McpServersModule } from '../mcp-servers/mcp-servers.module';
import { McpServersService } from '../mcp-servers/mcp-servers.service';
import { PlanhatModule } from '../planhat/planhat.module';
import { AuditLog } from './audit-log.service';
import { ChangeLog } from './change-log.service';
import { McpChangeEntity } from './change.entity';
import { McpToolCallEntity } from './tool-call.entity';

/**
 * The MCP audit log (every tools/call; read by the admin API's GET /integrated-account/:id/mcp/:mcp_id/calls) and the change
 * log behind undo_change. Both are pruned by the MCP servers' expiry sweep: audit rows after
 * MCP_AUDIT_RETENTION_DAYS, changes after the 24 h undo window.
 */
@Module({
  imports: [TypeOrmModule.forFeature([McpToolCallEntity, McpChangeEntity]), McpServersModule, PlanhatModule],
  providers: [AuditLog, ChangeLog],
  exports: [AuditLog, ChangeLog],
})
export class AuditModule implements OnModuleInit {
  constructor(
    private readonly servers: McpServersService,
    private readonly audit: AuditLog,
    private readonly changes: ChangeLog,
  ) {}

  onModuleInit(): void {
    this.servers.onSweep((now) => this.audit.prune(now));
    this.servers.onSweep((now) => this.changes.prune(now));
  }
}
