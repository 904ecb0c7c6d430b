import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Repository } from 'typeorm';
import { ApiPrincipal, type ApiTokenScope } from '../common/auth/public.decorator';
import { GatewayError } from '../common/errors';
import { API_TOKEN_PREFIX, TokenService } from '../common/crypto/token.service';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Clock } from '../common/clock';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenDto, CreatedApiTokenDto } from './api-tokens.dto';
import { isRecordId } from '../common/ids';

/** How long a verified token stays cached; revocation in this process clears it at once. */
const CACHE_MS = 5_000;
/** last_used_at is written at most this often per token (it is informational). */
const TOUCH_MS = 60_000;

const ADMIN: ApiPrincipal = { id: 'admin', name: 'admin', scope: 'admin' };

@Injectable()
export class ApiTokensService {
  /** Verified tokens by hash, at most CACHE_API_TOKENS (least recently used evicted), each fresh for CACHE_MS. */
  private readonly cache: LRUCache<string, { principal: ApiPrincipal; until: number }>;
  /** When last_used_at was last written, per token id (same bound: an evicted id is written once more). */
  private readonly touched: LRUCache<string, number>;

  constructor(
    @InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>,
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.cache = new LRUCache({ max: config.caches.apiTokens });
    this.touched = new LRUCache({ max: config.caches.apiTokens });
  }

  /** Cached lookups held now (at most CACHE_API_TOKENS). */
  get cacheSize(): number {
    return this.cache.size;
  }

  async create(name: string, scope: ApiTokenScope = 'admin'): Promise<CreatedApiTokenDto> {
    const token = this.tokens.generate(API_TOKEN_PREFIX);
    const row = this.repo.create({
      id: randomUUID(),
      name,
      token_hash: this.tokens.hash(token),
      scope,
      created_at: this.clock.now().toISOString(),
      last_used_at: null,
    });
    await this.repo.insert(row);
    return { id: row.id, name: row.name, scope, token, created_at: row.created_at };
  }

  async list(): Promise<ApiTokenDto[]> {
    const rows = await this.repo.find({ order: { created_at: 'ASC', id: 'ASC' } });
    return rows.map(toDto);
  }

  async remove(id: string): Promise<void> {
    const row = isRecordId(id) ? await this.repo.findOne({ where: { id } }) : null;
    if (!row) throw GatewayError.notFound(`API token ${id} not found`, 'List tokens with GET /api-token.');
    await this.repo.delete({ id });
    this.cache.delete(row.token_hash);
    this.touched.delete(row.id);
  }

  /** The principal of a bearer token (ADMIN_API_KEY or a stored token), or null; callers check its scope. */
  async verify(bearer: string | undefined): Promise<ApiPrincipal | null> {
    if (!bearer) return null;
    if (this.tokens.equals(bearer, this.config.adminApiKey)) return ADMIN;
    const hash = this.tokens.hash(bearer);
    const now = Date.now();
    const hit = this.cache.get(hash);
    const fresh = hit !== undefined && hit.until > now;
    this.metrics?.recordCache('api_token', fresh);
    if (fresh) return hit.principal;
    this.cache.delete(hash);
    const row = await this.repo.findOne({ where: { token_hash: hash } });
    if (!row) return null;
    const principal: ApiPrincipal = { id: row.id, name: row.name, scope: row.scope };
    this.cache.set(hash, { principal, until: now + CACHE_MS });
    this.touch(row.id, now);
    return principal;
  }

  private touch(id: string, now: number): void {
    if ((this.touched.get(id) ?? 0) + TOUCH_MS > now) return;
    this.touched.set(id, now);
    void this.repo.update({ id }, { last_used_at: this.clock.now().toISOString() }).catch(() => undefined);
  }
}

function toDto(row: ApiTokenEntity): ApiTokenDto {
  return { id: row.id, name: row.name, scope: row.scope, created_at: row.created_at, last_used_at: row.last_used_at };
}
