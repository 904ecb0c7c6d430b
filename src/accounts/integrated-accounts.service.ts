import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { In, IsNull, Not, Repository } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box';
import { CursorCodec } from '../common/cursor';
import { GatewayError } from '../common/errors';
import { SelfAddress } from '../common/self-address';
import { AppConfig } from '../config/app-config';
import { PlanhatConnection, PlanhatConnectionResolver } from './planhat-connection';
import { Clock } from '../common/clock';
import { AccountEvents } from './account-events';
import { Page, paginate } from '../common/pagination';
import { rejectNulls } from '../common/patch-body';
import { allowedBaseUrl } from './base-url';
import { AccountStatus, Environment, IntegratedAccountEntity } from './integrated-account.entity';
import {
  CreateIntegratedAccountDto,
  IntegratedAccountDto,
  UpdateIntegratedAccountDto,
} from './integrated-accounts.dto';
import { isRecordId } from '../common/ids';

/** Fixed API hosts of the named environments. */
export const ENVIRONMENT_BASE_URLS: Record<'production' | 'demo', string> = {
  production: 'https://api.planhat.com',
  demo: 'https://api.planhatdemo.com',
};

/** Resolved connections (token unsealed) are cached this long; PATCH/DELETE evict at once. */
const RESOLVE_CACHE_MS = 10_000;

const listHint = 'List integrated accounts with GET /integrated-account.';

/** Sandbox tokens known to be valid are re-checked against the database after this long. */
const SANDBOX_TOKEN_CACHE_MS = 10_000;

/** The stored form of a `sandbox` account's token (SHA-256 hex): what the embedded sandbox checks. */
export const sandboxTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

@Injectable()
export class IntegratedAccountsService extends PlanhatConnectionResolver {
  /** Resolved connections by account id, at most CACHE_ACCOUNTS (least recently used evicted), each fresh for RESOLVE_CACHE_MS. */
  private readonly resolved: LRUCache<string, { conn: PlanhatConnection; status: AccountStatus; until: number }>;
  /** Hashes of sandbox tokens found in the database (at most CACHE_ACCOUNTS, short-lived: deletions elsewhere show). */
  private readonly sandboxTokens: LRUCache<string, true>;

  constructor(
    @InjectRepository(IntegratedAccountEntity) private readonly repo: Repository<IntegratedAccountEntity>,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly self: SelfAddress,
    private readonly clock: Clock,
    private readonly events: AccountEvents,
    private readonly cursors: CursorCodec,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    super();
    this.resolved = new LRUCache({ max: config.caches.accounts });
    this.sandboxTokens = new LRUCache({ max: config.caches.accounts, ttl: SANDBOX_TOKEN_CACHE_MS });
  }

  /** Resolved connections held now (at most CACHE_ACCOUNTS). */
  get resolvedCacheSize(): number {
    return this.resolved.size;
  }

  async create(dto: CreateIntegratedAccountDto): Promise<IntegratedAccountDto> {
    const row = await this.insert(dto);
    return this.toDto(row);
  }

  /** Creates the row (validating environment, token and base_url) and returns the entity. */
  async insert(dto: CreateIntegratedAccountDto): Promise<IntegratedAccountEntity> {
    const { environment } = dto;
    if (environment !== 'custom' && dto.base_url !== undefined) {
      throw GatewayError.invalid(`base_url is only accepted with environment "custom"`, { field: 'base_url' });
    }
    let baseUrl: string | null = null;
    if (environment === 'custom') {
      if (!dto.base_url) {
        throw GatewayError.invalid(
          'base_url is required for environment "custom"',
          { field: 'base_url' },
          `Allowed hosts: ${this.config.planhat.allowedHosts.join(', ')}.`,
        );
      }
      baseUrl = allowedBaseUrl(dto.base_url, this.config.planhat.allowedHosts);
    }
    let token = dto.api_token;
    if (environment === 'sandbox') {
      // Each sandbox account gets its own sandbox tenant: the tenant is keyed by this token.
      token ??= `sbx_${randomBytes(24).toString('base64url')}`;
    } else if (!token) {
      throw GatewayError.invalid(
        `api_token is required for environment "${environment}"`,
        { field: 'api_token' },
        'Create an API key in Planhat under Settings → Private Apps.',
      );
    }
    const now = this.clock.now().toISOString();
    const row = this.repo.create({
      id: randomUUID(),
      name: dto.name,
      environment,
      base_url: baseUrl,
      api_token_sealed: this.box.seal(token),
      sandbox_token_hash: environment === 'sandbox' ? sandboxTokenHash(token) : null,
      status: 'active',
      last_error: null,
      created_at: now,
      updated_at: now,
    });
    await this.repo.insert(row);
    return row;
  }

  async list(opts: { limit?: number; cursor?: string }): Promise<Page<IntegratedAccountDto>> {
    const page = await paginate(
      this.repo.createQueryBuilder('a'),
      opts,
      this.cursors,
      CursorCodec.scope('admin', 'integrated-account'),
    );
    return { result: page.result.map((r) => this.toDto(r)), next_cursor: page.next_cursor };
  }

  async get(id: string): Promise<IntegratedAccountDto> {
    return this.toDto(await this.find(id));
  }

  /** The entity, or NOT_FOUND. */
  async find(id: string): Promise<IntegratedAccountEntity> {
    const row = isRecordId(id) ? await this.repo.findOne({ where: { id } }) : null;
    if (!row) throw GatewayError.notFound(`Integrated account ${id} not found`, listHint);
    return row;
  }

  /** The oldest account with this name in one of these environments (bootstrap's idempotency key). */
  async findByName(name: string, environments: Environment[]): Promise<IntegratedAccountEntity | null> {
    return this.repo.findOne({ where: { name, environment: In(environments) }, order: { created_at: 'ASC' } });
  }

  async update(id: string, dto: UpdateIntegratedAccountDto): Promise<IntegratedAccountDto> {
    rejectNulls(dto, ['name', 'api_token', 'base_url']);
    const row = await this.find(id);
    if (dto.base_url !== undefined) {
      if (row.environment !== 'custom') {
        throw GatewayError.invalid(
          `base_url can only be changed on a "custom" account (this one is "${row.environment}")`,
          { field: 'base_url' },
        );
      }
      row.base_url = allowedBaseUrl(dto.base_url, this.config.planhat.allowedHosts);
    }
    if (dto.name !== undefined) row.name = dto.name;
    if (dto.api_token !== undefined) {
      if (row.sandbox_token_hash) this.sandboxTokens.delete(row.sandbox_token_hash);
      row.api_token_sealed = this.box.seal(dto.api_token);
      row.sandbox_token_hash = row.environment === 'sandbox' ? sandboxTokenHash(dto.api_token) : null;
      row.status = 'active';
      row.last_error = null;
    }
    row.updated_at = this.clock.now().toISOString();
    await this.repo.update(
      { id },
      {
        name: row.name,
        base_url: row.base_url,
        api_token_sealed: row.api_token_sealed,
        sandbox_token_hash: row.sandbox_token_hash,
        status: row.status,
        last_error: row.last_error,
        updated_at: row.updated_at,
      },
    );
    this.resolved.delete(id);
    return this.toDto(row);
  }

  /** Points an account at another environment/base URL (bootstrap, when PLANHAT_BASE_URL changed). */
  async setEndpoint(id: string, environment: Environment, baseUrl: string | null): Promise<void> {
    const notSandbox = environment === 'sandbox' ? {} : { sandbox_token_hash: null };
    await this.repo.update(
      { id },
      { environment, base_url: baseUrl, ...notSandbox, updated_at: this.clock.now().toISOString() },
    );
    this.resolved.delete(id);
    this.sandboxTokens.clear();
  }

  /** Deletes the account; its MCP servers go with it (foreign key ON DELETE CASCADE). */
  async remove(id: string): Promise<{ id: string }> {
    const row = await this.find(id);
    await this.repo.delete({ id });
    this.resolved.delete(id);
    if (row.sandbox_token_hash) this.sandboxTokens.delete(row.sandbox_token_hash);
    this.events.emit({ type: 'deleted', accountId: id });
    return { id };
  }

  /** The plaintext Planhat token of an account (bootstrap compares it with PLANHAT_API_TOKEN). */
  openToken(row: IntegratedAccountEntity): string | null {
    return row.api_token_sealed ? this.box.open(row.api_token_sealed) : null;
  }

  /**
   * Whether a token is the Planhat token of a `sandbox` account: the embedded sandbox serves only
   * these (anyone else's bearer must not create a tenant). One indexed lookup by hash, no unsealing.
   */
  async acceptsSandboxToken(token: string): Promise<boolean> {
    const hash = sandboxTokenHash(token);
    if (this.sandboxTokens.get(hash)) return true;
    const found = await this.repo.exists({ where: { environment: 'sandbox', sandbox_token_hash: hash } });
    if (found) this.sandboxTokens.set(hash, true);
    return found;
  }

  /**
   * Gives `sandbox` accounts stored before sandbox_token_hash existed their hash (unsealing each once).
   * A token sealed with another ENCRYPTION_KEY stays without one: the sandbox refuses it, as the
   * gateway could not send it anyway.
   */
  async backfillSandboxTokenHashes(): Promise<number> {
    const rows = await this.repo.find({
      where: { environment: 'sandbox', sandbox_token_hash: IsNull(), api_token_sealed: Not(IsNull()) },
    });
    let n = 0;
    for (const row of rows) {
      let token: string | null;
      try {
        token = this.openToken(row);
      } catch {
        continue;
      }
      if (!token) continue;
      await this.repo.update({ id: row.id }, { sandbox_token_hash: sandboxTokenHash(token) });
      n++;
    }
    return n;
  }

  baseUrlOf(row: Pick<IntegratedAccountEntity, 'environment' | 'base_url'>): string {
    switch (row.environment) {
      case 'sandbox':
        return this.self.sandboxBaseUrl();
      case 'production':
      case 'demo':
        return ENVIRONMENT_BASE_URLS[row.environment];
      case 'custom':
        return row.base_url ?? '';
    }
  }

  toDto(row: IntegratedAccountEntity): IntegratedAccountDto {
    return {
      id: row.id,
      name: row.name,
      environment: row.environment,
      base_url: this.baseUrlOf(row),
      status: row.status,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  // PlanhatConnectionResolver

  async resolve(accountId: string | undefined): Promise<PlanhatConnection> {
    if (accountId === undefined || accountId === '') {
      throw GatewayError.invalid('integrated_account_id is required', { field: 'integrated_account_id' }, listHint);
    }
    const now = Date.now();
    const hit = this.resolved.get(accountId);
    const fresh = hit !== undefined && hit.until > now;
    this.metrics?.recordCache('planhat_connection', fresh);
    if (fresh) return hit.conn;
    const row = await this.find(accountId);
    const token = this.openToken(row);
    if (!token) {
      throw GatewayError.invalid(
        `Integrated account ${accountId} has no Planhat API token`,
        { field: 'api_token' },
        `Set one with PATCH /integrated-account/${accountId} {"api_token": "…"}.`,
      );
    }
    const conn: PlanhatConnection = {
      accountId: row.id,
      baseUrl: this.baseUrlOf(row),
      token,
      sandbox: row.environment === 'sandbox',
    };
    this.resolved.set(accountId, { conn, status: row.status, until: now + RESOLVE_CACHE_MS });
    return conn;
  }

  async reportUnauthorized(accountId: string): Promise<void> {
    const hit = this.resolved.get(accountId);
    if (hit?.status === 'needs_reauth') return;
    await this.setStatus(
      accountId,
      'needs_reauth',
      'Planhat answered 401 Unauthorized: the API token is invalid or revoked',
    );
  }

  async reportHealthy(accountId: string): Promise<void> {
    const hit = this.resolved.get(accountId);
    if (hit?.status === 'active') return;
    await this.setStatus(accountId, 'active', null);
  }

  /** One conditional UPDATE, so concurrent reports and several instances stay cheap and idempotent. */
  private async setStatus(id: string, status: AccountStatus, lastError: string | null): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(IntegratedAccountEntity)
      .set({ status, last_error: lastError, updated_at: this.clock.now().toISOString() })
      .where('id = :id AND status <> :status', { id, status })
      .execute();
    const hit = this.resolved.get(id);
    if (hit) hit.status = status;
  }
}

export type { Environment };
