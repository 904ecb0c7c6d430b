import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { CryptoModule } from '../common/crypto/crypto.module';
import { McpServersModule } from '../mcp-servers/mcp-servers.module';
import { OAuthController } from './oauth.controller';
import { OAuthClientEntity, OAuthCodeEntity, OAuthTokenEntity } from './oauth.entities';
import { OAuthService } from './oauth.service';

/** OAuth 2.1 authorization server for the gateway's MCP servers (see OAuthController). */
@Module({
  imports: [
    TypeOrmModule.forFeature([OAuthClientEntity, OAuthCodeEntity, OAuthTokenEntity]),
    AccountsModule,
    McpServersModule,
    CryptoModule,
  ],
  controllers: [OAuthController],
  providers: [OAuthService],
  exports: [OAuthService],
})
export class OAuthModule {}
