import { Injectable } from '@nestjs/common';
import { SelfAddress } from '../common/self-address';

/** What main.ts prints once at start (docs/contract.md §1). The MCP URL follows the bound port. */
@Injectable()
export class BootstrapInfo {
  adminKeyGenerated = false;
  adminKey?: string;
  sandboxAccountId?: string;
  planhatAccountId?: string;
  /** Token of the "All tools (sandbox)" server, only when it was created in this start. */
  mcpToken?: string;

  constructor(private readonly self: SelfAddress) {}

  get mcpUrl(): string | undefined {
    return this.mcpToken ? `${this.self.publicUrl()}/mcp/${this.mcpToken}` : undefined;
  }
}

/**
 * The shell command that creates an MCP server with all tools on an account and prints its URL
 * (printed at start when no URL can be shown: tokens are stored hashed). `keyExpression` is how the
 * shell gets the admin key: `$(cat <DATA_DIR>/admin_api_key)` or `$ADMIN_API_KEY`.
 */
export function newMcpServerCommand(publicUrl: string, accountId: string, keyExpression: string): string {
  return (
    `curl -s -X POST -H "Authorization: Bearer ${keyExpression}" -H 'content-type: application/json' ` +
    `-d '{"name":"All tools"}' "${publicUrl}/integrated-account/${accountId}/mcp" ` +
    `| node -pe 'JSON.parse(require("fs").readFileSync(0)).url'`
  );
}
