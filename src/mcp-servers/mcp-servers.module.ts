import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CryptoModule } from '../common/crypto/crypto.module';
import { McpServerEntity } from './mcp-server.entity';
import { McpServerCache } from './mcp-server-cache';
import { McpServersService } from './mcp-servers.service';

/**
 * MCP server records (docs/contract.md §4): each server's token, its tool policy (policy/) and the
 * token → server cache. The MCP endpoint, OAuth and the admin API all read servers through
 * McpServersService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([McpServerEntity]), AccountsModule, CryptoModule],
  providers: [McpServerCache, McpServersService],
  exports: [McpServersService],
})
export class McpServersModule {}
