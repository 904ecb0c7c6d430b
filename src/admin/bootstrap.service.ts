import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError } from '../config/app-config';
import { BootstrapInfo } from './bootstrap-info';
import { allowedBaseUrl } from '../accounts/base-url';
import { ENVIRONMENT_BASE_URLS, IntegratedAccountsService } from '../accounts/integrated-accounts.service';
import { McpServersService } from '../mcp-servers/mcp-servers.service';

export const SANDBOX_ACCOUNT_NAME = 'sandbox';
export const PLANHAT_ACCOUNT_NAME = 'planhat';
export const SANDBOX_MCP_NAME = 'All tools (sandbox)';

/**
 * Start-up provisioning: the `sandbox` account (SANDBOX=true), the `planhat` account
 * (PLANHAT_API_TOKEN, token rotated when it changed) and, on the very first start, a ready MCP server.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly log = new Logger('AdminBootstrap');

  constructor(
    private readonly config: AppConfig,
    private readonly accounts: IntegratedAccountsService,
    private readonly servers: McpServersService,
    private readonly info: BootstrapInfo,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.info.adminKeyGenerated = this.config.adminApiKeyGenerated;
    if (this.config.adminApiKeyGenerated) this.info.adminKey = this.config.adminApiKey;
    await this.exclusively(async () => {
      const hashed = await this.accounts.backfillSandboxTokenHashes();
      if (hashed > 0) this.log.log(`stored the token hash of ${hashed} sandbox integrated account(s)`);
      if (this.config.sandbox.enabled) await this.ensureSandbox();
      if (this.config.planhat.apiToken) await this.ensurePlanhat(this.config.planhat.apiToken);
    });
  }

  /**
   * On PostgreSQL several instances may start at once on one database: provisioning runs under a
   * session advisory lock so only one creates the bootstrap accounts. SQLite has one process.
   */
  private async exclusively(work: () => Promise<void>): Promise<void> {
    if (this.dataSource.options.type !== 'postgres') return work();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(7310001)');
      await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(7310001)').catch(() => undefined);
      await runner.release();
    }
  }

  private async ensureSandbox(): Promise<void> {
    const existing = await this.accounts.findByName(SANDBOX_ACCOUNT_NAME, ['sandbox']);
    if (existing) {
      this.info.sandboxAccountId = existing.id;
      return;
    }
    const row = await this.accounts.insert({ name: SANDBOX_ACCOUNT_NAME, environment: 'sandbox' });
    this.info.sandboxAccountId = row.id;
    // First start: hand the newcomer a working MCP URL (created only together with the account).
    if ((await this.servers.count(row.id)) === 0) {
      const created = await this.servers.create(row.id, { name: SANDBOX_MCP_NAME, config: {} });
      this.info.mcpToken = created.token;
    }
    this.log.log(`created the sandbox integrated account ${row.id}`);
  }

  private async ensurePlanhat(token: string): Promise<void> {
    const base = this.config.planhat.baseUrl;
    const production = base === ENVIRONMENT_BASE_URLS.production;
    let customBase: string | undefined;
    if (!production) {
      try {
        customBase = allowedBaseUrl(base, this.config.planhat.allowedHosts, 'PLANHAT_BASE_URL');
      } catch (err) {
        throw new ConfigError(
          `${(err as Error).message} (PLANHAT_ALLOWED_HOSTS: ${this.config.planhat.allowedHosts.join(', ')})`,
        );
      }
    }
    const existing = await this.accounts.findByName(PLANHAT_ACCOUNT_NAME, ['production', 'custom']);
    if (!existing) {
      const row = await this.accounts.insert(
        production
          ? { name: PLANHAT_ACCOUNT_NAME, environment: 'production', api_token: token }
          : { name: PLANHAT_ACCOUNT_NAME, environment: 'custom', api_token: token, base_url: customBase },
      );
      this.info.planhatAccountId = row.id;
      this.log.log(`created the planhat integrated account ${row.id}`);
      return;
    }
    this.info.planhatAccountId = existing.id;
    let same = false;
    try {
      same = this.accounts.openToken(existing) === token;
    } catch {
      same = false; // sealed with another ENCRYPTION_KEY: replace it
    }
    const environment = production ? 'production' : 'custom';
    const baseUrl = production ? null : (customBase ?? null);
    const moved = existing.environment !== environment || existing.base_url !== baseUrl;
    if (moved) await this.accounts.setEndpoint(existing.id, environment, baseUrl);
    if (!same) await this.accounts.update(existing.id, { api_token: token });
    if (moved || !same) {
      this.log.log('updated the planhat integrated account from PLANHAT_API_TOKEN / PLANHAT_BASE_URL');
    }
  }
}
