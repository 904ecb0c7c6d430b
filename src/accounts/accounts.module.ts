import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CryptoModule } from '../common/crypto/crypto.module';
import { AccountEvents } from './account-events';
import { IntegratedAccountEntity } from './integrated-account.entity';
import { IntegratedAccountsService } from './integrated-accounts.service';
import { PlanhatConnectionResolver } from './planhat-connection';

/**
 * Integrated accounts (docs/contract.md §3): one Planhat tenant each, its token sealed at rest. The
 * Planhat client resolves a connection through the PlanhatConnectionResolver port bound here;
 * AccountEvents tells the modules above when an account goes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([IntegratedAccountEntity]), CryptoModule],
  providers: [
    AccountEvents,
    IntegratedAccountsService,
    { provide: PlanhatConnectionResolver, useExisting: IntegratedAccountsService },
  ],
  exports: [AccountEvents, IntegratedAccountsService, PlanhatConnectionResolver],
})
export class AccountsModule {}
