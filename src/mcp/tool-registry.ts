import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config';
import { McpRegistryDiscoveryService } from './mcp-nest';
import {
  configurePolicyCache,
  toolIndex,
  policyKey,
  toolAllowed,
  toolsForConfig,
  type IndexedTool,
  type McpServerConfig,
  type ToolSummary,
} from '../mcp-servers/policy';
import { CATALOG_TOOL_OF } from './tools/catalog-metadata';
import { warmToolSpecs } from './tool-schemas';

/**
 * The catalog tools as mcp-nest's registry holds them (its discovery found the decorated methods
 * of NativeTools and UnifiedTools): the one list tools/list, tools/call and the meta-tools
 * (search_tools, get_tool_schema, call_tool, the model actions), the policy guard and the admin
 * preview (GET /integrated-account/:id/tools) read.
 */
@Injectable()
export class McpToolRegistry implements OnApplicationShutdown {
  private tools?: readonly IndexedTool[];
  private closing = false;
  private warmed?: Promise<void>;
  private byName?: ReadonlyMap<string, IndexedTool>;
  /**
   * Per distinct policy (policyKey: methods, tags, exposure), never per account or server: servers
   * with the same policy share one entry. At most CACHE_POLICIES each, least recently used evicted.
   */
  private readonly allowedCache: LRUCache<string, readonly IndexedTool[]>;
  private readonly listedCache: LRUCache<string, ReadonlySet<string>>;

  constructor(
    private readonly registry: McpRegistryDiscoveryService,
    private readonly moduleRef: ModuleRef,
    config: AppConfig,
  ) {
    const max = config.caches.policies;
    this.allowedCache = new LRUCache({ max });
    this.listedCache = new LRUCache({ max });
    configurePolicyCache(max);
  }

  /**
   * Tool schemas are built on first use (catalog.tools.ts declares them lazily, which keeps ~80 ms
   * and ~3.5 MB off the start). `npm start` calls this once the gateway listens: `afterMs` later
   * (the start has settled; the timer does not hold the process) they are built in the background,
   * so that the first tools/list does not pay for all of them. A closed app builds no more.
   */
  warmSchemas(afterMs = 0): Promise<void> {
    this.warmed ??= new Promise<void>((resolve) => setTimeout(resolve, afterMs).unref()).then(() =>
      warmToolSpecs(toolIndex(), () => this.closing),
    );
    return this.warmed;
  }

  onApplicationShutdown(): void {
    this.closing = true;
  }

  /** Entries held by the per-policy caches (each at most CACHE_POLICIES). */
  cacheSizes(): { allowed: number; listed: number } {
    return { allowed: this.allowedCache.size, listed: this.listedCache.size };
  }

  /** Every catalog tool mcp-nest registered, in registry order (available once the app has bootstrapped). */
  catalogTools(): readonly IndexedTool[] {
    if (!this.tools) {
      const moduleId = this.moduleRef.get<string>('MCP_MODULE_ID', { strict: false });
      const found: IndexedTool[] = [];
      for (const capability of this.registry.getTools(moduleId)) {
        const tool = CATALOG_TOOL_OF.get(capability.metadata);
        if (tool) found.push(tool);
      }
      if (found.length === 0) return found; // not bootstrapped yet: do not cache
      this.tools = found;
      this.byName = new Map(found.map((t) => [t.name, t]));
    }
    return this.tools;
  }

  find(name: string): IndexedTool | undefined {
    this.catalogTools();
    return this.byName?.get(name);
  }

  /** The registered catalog tools a server's method and tag filters allow (none for a config with a problem). */
  allowed(config: McpServerConfig): readonly IndexedTool[] {
    const key = policyKey(config);
    let tools = this.allowedCache.get(key);
    if (!tools) {
      tools = this.catalogTools().filter((t) => toolAllowed(t, config));
      if (this.tools) this.allowedCache.set(key, tools);
    }
    return tools;
  }

  /** What a server with this config lists on tools/list (the admin preview shows exactly this). */
  listed(config: McpServerConfig): ToolSummary[] {
    return toolsForConfig(config, this.allowed(config));
  }

  /** The names of `listed(config)`, memoised per policy: what McpPolicyGuard lets through. */
  listedNames(config: McpServerConfig): ReadonlySet<string> {
    const key = policyKey(config);
    let names = this.listedCache.get(key);
    if (!names) {
      names = new Set(this.listed(config).map((t) => t.name));
      if (this.tools) this.listedCache.set(key, names);
    }
    return names;
  }
}
