import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { McpServersModule } from '../mcp-servers/mcp-servers.module';
import { McpModule } from '../mcp/mcp.module';
import { ApiTokensController } from './api-tokens.controller';
import { BootstrapInfo } from './bootstrap-info';
import { AdminBootstrap } from './bootstrap.service';
import { IntegratedAccountsController } from './integrated-accounts.controller';
import { McpCallsController } from './mcp-calls.controller';
import { McpServersController } from './mcp-servers.controller';
import { ToolPreviewService } from './tool-preview.service';

/**
 * The admin API (docs/contract.md §2-§4): the HTTP face of API tokens (src/auth), integrated accounts
 * (src/accounts), MCP servers (src/mcp-servers) with their tool previews (the MCP tool registry) and
 * audit log (src/audit), and start-up provisioning. The records and their rules live in those modules;
 * this one holds controllers, the bootstrap and Swagger only.
 */
@Module({
  imports: [AccountsModule, McpServersModule, AuditModule, McpModule],
  controllers: [ApiTokensController, IntegratedAccountsController, McpServersController, McpCallsController],
  providers: [ToolPreviewService, BootstrapInfo, AdminBootstrap],
  exports: [BootstrapInfo],
})
export class AdminModule {}
