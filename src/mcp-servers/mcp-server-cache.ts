import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Subscription } from 'rxjs';
import { AccountEvents } from '../accounts/account-events';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import type { McpServerConfig } from './policy';

export interface ActiveMcpServer {
  server: { id: string; name: string; config: McpServerConfig; expires_at: string | null };
  accountId: string;
}

/** Lookups of MCP servers by token hash are cached this long; every change in this process evicts at once. */
export const MCP_CACHE_MS = 2_000;

/**
 * The short-lived token-hash → server cache behind McpServersService.findActiveByToken. An account's
 * deletion (which cascades to its servers in the database) evicts its servers here through
 * AccountEvents. At most CACHE_MCP_SERVERS entries (least recently used evicted), each fresh for
 * MCP_CACHE_MS.
 */
@Injectable()
export class McpServerCache implements OnModuleDestroy {
  private readonly entries: LRUCache<string, { value: ActiveMcpServer | null; until: number }>;
  private readonly subscription: Subscription;

  constructor(
    config: AppConfig,
    accounts: AccountEvents,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.entries = new LRUCache({ max: config.caches.mcpServers });
    this.subscription = accounts.events.subscribe((e) => {
      if (e.type === 'deleted') this.evictAccount(e.accountId);
    });
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  /** Entries held now (at most CACHE_MCP_SERVERS). */
  get size(): number {
    return this.entries.size;
  }

  get(hash: string, now: number): ActiveMcpServer | null | undefined {
    const e = this.entries.get(hash);
    const fresh = e !== undefined && e.until > now;
    this.metrics?.recordCache('mcp_server', fresh);
    if (!e) return undefined;
    if (!fresh) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.value;
  }

  set(hash: string, value: ActiveMcpServer | null, now: number): void {
    this.entries.set(hash, { value, until: now + MCP_CACHE_MS });
  }

  evict(hash: string): void {
    this.entries.delete(hash);
  }

  evictAccount(accountId: string): void {
    for (const [hash, e] of this.entries.entries()) if (e.value?.accountId === accountId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}
