import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/** What happened to an integrated account that other modules keep state about. */
export interface AccountDeleted {
  type: 'deleted';
  accountId: string;
}
export type AccountEvent = AccountDeleted;

/**
 * The integrated accounts' events, so that modules above (the MCP server cache) follow an account's
 * life without this module knowing them. Subscribers run synchronously inside `emit`: when the
 * DELETE answers, every cache has already forgotten the account.
 */
@Injectable()
export class AccountEvents {
  private readonly subject = new Subject<AccountEvent>();

  readonly events: Observable<AccountEvent> = this.subject.asObservable();

  emit(event: AccountEvent): void {
    this.subject.next(event);
  }
}
