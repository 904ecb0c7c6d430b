import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { MCP_TOKEN_PREFIX, TokenService } from '../common/crypto/token.service';
import { CursorCodec } from '../common/cursor';
import { GatewayError } from '../common/errors';
import { SelfAddress } from '../common/self-address';
import { storedConfig } from './policy';
import { checkedConfig } from './config-check';
import { Clock } from '../common/clock';
import { IntegratedAccountsService } from '../accounts/integrated-accounts.service';
import { Page, paginate } from '../common/pagination';
import { rejectNulls } from '../common/patch-body';
import { McpServerEntity } from './mcp-server.entity';
import { ActiveMcpServer, McpServerCache } from './mcp-server-cache';
import { CreateMcpServerDto, CreatedMcpServerDto, McpServerDto, UpdateMcpServerDto } from './mcp-servers.dto';
import { isRecordId } from '../common/ids';

/** expires_at must be at least this far in the future. */
export const MIN_LIFETIME_MS = 60_000;
export const SWEEP_INTERVAL_MS = 60_000;

@Injectable()
export class McpServersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('McpServers');
  private sweeper?: NodeJS.Timeout;
  private readonly extraSweeps: ((now: Date) => Promise<number>)[] = [];

  constructor(
    @InjectRepository(McpServerEntity) private readonly repo: Repository<McpServerEntity>,
    private readonly accounts: IntegratedAccountsService,
    private readonly tokens: TokenService,
    private readonly self: SelfAddress,
    private readonly clock: Clock,
    private readonly cache: McpServerCache,
    private readonly cursors: CursorCodec,
  ) {}

  async create(accountId: string, dto: CreateMcpServerDto): Promise<CreatedMcpServerDto> {
    await this.accounts.find(accountId);
    const config = checkedConfig(dto.config === undefined ? {} : dto.config);
    const expiresAt = this.checkedExpiry(dto.expires_at);
    const token = this.tokens.generate(MCP_TOKEN_PREFIX);
    const now = this.clock.now().toISOString();
    const row = this.repo.create({
      id: randomUUID(),
      integrated_account_id: accountId,
      name: dto.name,
      config: JSON.stringify(config),
      token_hash: this.tokens.hash(token),
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    });
    await this.repo.insert(row);
    this.cache.evict(row.token_hash);
    return { ...toDto(row), token, url: this.urlFor(token) };
  }

  /** The URL an MCP client connects to for this token. */
  urlFor(token: string): string {
    return `${this.self.publicUrl()}/mcp/${token}`;
  }

  async list(accountId: string, opts: { limit?: number; cursor?: string }): Promise<Page<McpServerDto>> {
    await this.accounts.find(accountId);
    // Expired servers are gone from expires_at on, as they will be once swept (not only after the sweep).
    const qb = this.repo
      .createQueryBuilder('s')
      .where('s.integrated_account_id = :accountId', { accountId })
      .andWhere('(s.expires_at IS NULL OR s.expires_at > :now)', { now: this.clock.now().toISOString() });
    const page = await paginate(qb, opts, this.cursors, CursorCodec.scope('admin', 'mcp-server', accountId));
    return { result: page.result.map(toDto), next_cursor: page.next_cursor };
  }

  async count(accountId: string): Promise<number> {
    return this.repo.count({ where: { integrated_account_id: accountId } });
  }

  async get(accountId: string, id: string): Promise<McpServerDto> {
    return toDto(await this.find(accountId, id));
  }

  async update(accountId: string, id: string, dto: UpdateMcpServerDto): Promise<McpServerDto> {
    rejectNulls(dto, ['name', 'config']);
    const row = await this.find(accountId, id);
    if (dto.name !== undefined) row.name = dto.name;
    if (dto.config !== undefined) row.config = JSON.stringify(checkedConfig(dto.config));
    if (dto.expires_at !== undefined) row.expires_at = this.checkedExpiry(dto.expires_at);
    row.updated_at = this.clock.now().toISOString();
    await this.repo.update(
      { id },
      { name: row.name, config: row.config, expires_at: row.expires_at, updated_at: row.updated_at },
    );
    this.cache.evict(row.token_hash);
    return toDto(row);
  }

  async remove(accountId: string, id: string): Promise<{ id: string }> {
    const row = await this.find(accountId, id);
    await this.repo.delete({ id });
    this.cache.evict(row.token_hash);
    return { id };
  }

  /**
   * The live server behind an MCP URL token, or null when unknown, deleted or expired (expiry is
   * checked on every call against the Clock; lookups are cached ≤2 s, local changes evict at once).
   */
  async findActiveByToken(token: string): Promise<ActiveMcpServer | null> {
    const hash = this.tokens.hash(token);
    const nowMs = Date.now();
    let found = this.cache.get(hash, nowMs);
    if (found === undefined) {
      const row = await this.repo.findOne({ where: { token_hash: hash } });
      found = row
        ? {
            server: { id: row.id, name: row.name, config: storedConfig(row.config), expires_at: row.expires_at },
            accountId: row.integrated_account_id,
          }
        : null;
      this.cache.set(hash, found, nowMs);
    }
    if (found && this.expired(found.server.expires_at)) return null;
    return found;
  }

  /** Whether a server with this expires_at is expired now (from expires_at on, per the Clock). */
  private expired(expiresAt: string | null): boolean {
    return expiresAt !== null && expiresAt <= this.clock.now().toISOString();
  }

  /** Another clean-up for the same sweep (the audit log's retention, the undo window): it gets the Clock's now. */
  onSweep(prune: (now: Date) => Promise<number>): void {
    this.extraSweeps.push(prune);
  }

  /**
   * Deletes expired servers, then runs the other clean-ups (each failure logged, none stopping the
   * rest). Idempotent, so several instances may sweep the same database.
   */
  async sweepExpired(): Promise<number> {
    const at = this.clock.now();
    const result = await this.repo.delete({ expires_at: LessThanOrEqual(at.toISOString()) });
    const n = result.affected ?? 0;
    if (n > 0) this.cache.clear();
    for (const prune of this.extraSweeps) {
      await prune(at).catch((err: unknown) => this.log.warn(`sweep clean-up failed: ${String(err)}`));
    }
    return n;
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => {
      this.sweepExpired().catch((err: unknown) => this.log.warn(`expired MCP server sweep failed: ${String(err)}`));
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async find(accountId: string, id: string): Promise<McpServerEntity> {
    await this.accounts.find(accountId);
    const row = isRecordId(id) ? await this.repo.findOne({ where: { id, integrated_account_id: accountId } }) : null;
    // An expired server answers as the sweep will leave it: not found (GET, PATCH and DELETE alike).
    if (!row || this.expired(row.expires_at))
      throw GatewayError.notFound(
        `MCP server ${id} not found on integrated account ${accountId}`,
        `List them with GET /integrated-account/${accountId}/mcp.`,
      );
    return row;
  }

  private checkedExpiry(value: string | null | undefined): string | null {
    if (value === undefined || value === null) return null;
    const at = new Date(value);
    if (Number.isNaN(at.getTime()))
      throw GatewayError.invalid('expires_at must be an ISO-8601 date', { field: 'expires_at' });
    const min = this.clock.now().getTime() + MIN_LIFETIME_MS;
    if (at.getTime() < min) {
      throw GatewayError.invalid(
        'expires_at must be at least 60 seconds in the future',
        { field: 'expires_at' },
        `Use a time after ${new Date(min).toISOString()}, or null for a server that never expires.`,
      );
    }
    return at.toISOString();
  }
}

function toDto(row: McpServerEntity): McpServerDto {
  return {
    id: row.id,
    name: row.name,
    config: storedConfig(row.config),
    expires_at: row.expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
