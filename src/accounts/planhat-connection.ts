/** Everything the Planhat client needs to call one tenant: its base URL and API token. */
export interface PlanhatConnection {
  /** The integrated account this connection belongs to (for status updates and throttling). */
  accountId: string;
  baseUrl: string;
  token: string;
  /** A `sandbox` account (the embedded or standalone sandbox, which also emulates the analytics host). */
  sandbox?: boolean;
}

/**
 * Resolves an integrated account id to a live connection (token unsealed): the port the Planhat
 * client and service inject. IntegratedAccountsService implements it and AccountsModule binds it,
 * so a test or another store of accounts can stand in without the planhat module changing.
 */
export abstract class PlanhatConnectionResolver {
  /** Throws GatewayError NOT_FOUND (404) for an unknown account, INVALID_INPUT for a missing id. */
  abstract resolve(accountId: string | undefined): Promise<PlanhatConnection>;
  /** Called when Planhat answers 401 for this account: the account's status becomes `needs_reauth`. */
  abstract reportUnauthorized(accountId: string): Promise<void>;
  /** Called after a successful Planhat call, so a `needs_reauth` account returns to `active`. */
  abstract reportHealthy(accountId: string): Promise<void>;
}
