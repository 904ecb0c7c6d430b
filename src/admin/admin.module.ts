import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenVerifier } from '../common/auth/api-token-verifier';
import { CryptoModule } from '../common/crypto/crypto.module';
import { PlanhatConnectionResolver } from '../planhat/planhat-connection';
import { ApiAuthGuard } from './api-tokens/api-auth.guard';
import { ApiTokensController } from './api-tokens/api-tokens.controller';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { ApiTokenEntity } from './api-tokens/entities/api-token.entity';
import { BootstrapInfo } from './bootstrap-info';
import { AdminBootstrap } from './bootstrap.service';
import { Clock } from '../common/clock';
import { IntegratedAccountEntity } from './integrated-accounts/entities/integrated-account.entity';
import { IntegratedAccountsController } from './integrated-accounts/integrated-accounts.controller';
import { IntegratedAccountsService } from './integrated-accounts/integrated-accounts.service';
import { McpServerEntity } from './mcp-servers/entities/mcp-server.entity';
import { McpServerCache } from './mcp-servers/mcp-server-cache';
import { McpServersController } from './mcp-servers/mcp-servers.controller';
import { McpServersService } from './mcp-servers/mcp-servers.service';
import { ToolPreviewService } from './mcp-servers/tool-preview.service';

/**
 * The admin API (docs/contract.md §2-§4): API tokens and the global auth guard, integrated accounts (and the
 * PlanhatConnectionResolver over them), MCP servers, start-up provisioning. Needs DatabaseModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity, IntegratedAccountEntity, McpServerEntity]), CryptoModule],
  controllers: [ApiTokensController, IntegratedAccountsController, McpServersController],
  providers: [
    Clock,
    ApiTokensService,
    { provide: ApiTokenVerifier, useExisting: ApiTokensService },
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    IntegratedAccountsService,
    { provide: PlanhatConnectionResolver, useExisting: IntegratedAccountsService },
    McpServerCache,
    McpServersService,
    ToolPreviewService,
    BootstrapInfo,
    AdminBootstrap,
  ],
  exports: [
    ApiTokensService,
    IntegratedAccountsService,
    PlanhatConnectionResolver,
    McpServersService,
    BootstrapInfo,
    Clock,
  ],
})
export class AdminModule {}
