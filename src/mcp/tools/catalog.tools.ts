import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Tool, ToolGuards } from '../mcp-nest';
import { contextOf } from '../context';
import { McpToolsService } from '../mcp-tools.service';
import { McpPolicyGuard } from '../policy.guard';
import { toolIndex, type IndexedTool } from '../../mcp-servers/policy';
import { errorResult, notAllowed } from '../results';
import { toolSpec } from '../tool-schemas';
import { CATALOG_TOOL_OF } from './catalog-metadata';

/**
 * The catalog tools as mcp-nest tools. Each Planhat catalog tool (native) and each unified resource
 * operation (unified) becomes one method of an injectable class, generated when this file is
 * imported and decorated by calling mcp-nest's own `Tool({...})` and `ToolGuards([...])` factories
 * on it, exactly as `@Tool({...}) @ToolGuards([McpPolicyGuard]) method() {}` would. mcp-nest's
 * discovery then finds them like any hand-written tool, and its registry is the list that
 * tools/list and tools/call read.
 *
 * A generated method receives the arguments mcp-nest has already validated with the tool's zod
 * schema (`parameters`), after McpPolicyGuard allowed the call, and runs the tool through
 * McpToolsService.
 */
export interface CatalogToolHost {
  readonly tools: McpToolsService;
}

function declareTool(host: { prototype: CatalogToolHost }, tool: IndexedTool): void {
  const proto = host.prototype as unknown as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(proto, tool.name))
    throw new Error(`MCP tool ${tool.name} is declared twice`);
  const method = {
    // A named method (stack traces and mcp-nest's logs show the tool name).
    [tool.name](
      this: CatalogToolHost,
      args: Record<string, unknown>,
      _context: unknown,
      request: unknown,
    ): Promise<CallToolResult> {
      const ctx = contextOf(request);
      if (!ctx) return Promise.resolve(errorResult(notAllowed(tool.name), { tool: tool.name }));
      return this.tools.runParsed(ctx, tool, args);
    },
  }[tool.name];
  Object.defineProperty(proto, tool.name, { value: method, writable: true, configurable: true, enumerable: false });
  const descriptor = Object.getOwnPropertyDescriptor(proto, tool.name)!;
  const options = {
    name: tool.name,
    description: tool.description,
    // Built on the tool's first call or listing, not at start (192 schemas, ~3.5 MB and ~80 ms of a
    // cold start). A lazy schema validates exactly as the one it wraps; mcp-nest does not turn it
    // into JSON Schema for tools/list, where the hooks give each tool its own (server-hooks.ts).
    parameters: z.lazy(() => toolSpec(tool).zod),
    annotations: { ...tool.annotations },
    _meta: { tags: tool.tags, method: tool.method },
  };
  Tool(options)(proto, tool.name, descriptor);
  ToolGuards([McpPolicyGuard])(proto, tool.name, descriptor);
  CATALOG_TOOL_OF.set(options, tool);
}

/** The Planhat tools of the catalog (`list_all_planhat_companies`, …): one generated method each. */
@Injectable()
export class NativeTools implements CatalogToolHost {
  constructor(readonly tools: McpToolsService) {}
}

/** The unified CRM and ticketing tools (`list_all_crm_accounts`, …): one generated method each. */
@Injectable()
export class UnifiedTools implements CatalogToolHost {
  constructor(readonly tools: McpToolsService) {}
}

/**
 * The customer-success insights (`resolve`, `account_360`, `upcoming_renewals`, …): one generated
 * method each from src/insights/insights.definitions.ts, the table the REST routes
 * (`GET /insights/<name>`) read too; InsightsService computes them.
 */
@Injectable()
export class InsightTools implements CatalogToolHost {
  constructor(readonly tools: McpToolsService) {}
}

/** The gateway's safety tools (`undo_change`), run by McpToolsService against the change log (src/audit). */
@Injectable()
export class SafetyTools implements CatalogToolHost {
  constructor(readonly tools: McpToolsService) {}
}

const HOSTS = { native: NativeTools, unified: UnifiedTools, insight: InsightTools, safety: SafetyTools } as const;
for (const tool of toolIndex()) declareTool(HOSTS[tool.kind], tool);
