import { Injectable } from '@nestjs/common';
import { SelfAddress } from '../common/self-address';

/** What main.ts prints once at start (CONTRACT §1). The MCP URL follows the bound port. */
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
