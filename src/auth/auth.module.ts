import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiTokenVerifier } from '../common/auth/api-token-verifier';
import { CryptoModule } from '../common/crypto/crypto.module';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensService } from './api-tokens.service';

/**
 * API tokens (docs/contract.md §2): their records, the global guard every route passes, and the
 * ApiTokenVerifier port bound to them. Global, so that lower layers that only hold the port (the
 * throttle, GET /metrics) get it without importing this module.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiTokenEntity]), CryptoModule],
  providers: [
    ApiTokensService,
    { provide: ApiTokenVerifier, useExisting: ApiTokensService },
    { provide: APP_GUARD, useClass: ApiAuthGuard },
  ],
  exports: [ApiTokensService, ApiTokenVerifier],
})
export class AuthModule {}
