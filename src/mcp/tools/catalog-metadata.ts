import type { IndexedTool } from '../../mcp-servers/policy';

/**
 * mcp-nest tool metadata object (what `Tool({...})` stored) → the catalog tool it was generated
 * from. Filled by catalog.tools.ts at import time; McpToolRegistry maps mcp-nest's registry back to
 * catalog tools with it.
 */
export const CATALOG_TOOL_OF = new WeakMap<object, IndexedTool>();
