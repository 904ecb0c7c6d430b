import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { McpServerConfig } from '../mcp-servers/policy';

/** Who is calling: the integrated account and the stored policy of the MCP server behind the URL token. */
export interface McpContext {
  accountId: string;
  config: McpServerConfig;
  /** The MCP server behind the URL token (scopes idempotency keys). */
  serverId?: string;
}

/**
 * The gateway's MCP controller resolves the URL token, then hands the request to mcp-nest. What
 * mcp-nest's guards and tool methods see of the caller is the raw Node request (on Fastify,
 * `req.raw`), so the resolved context is attached there; the serverMutator hooks (which mcp-nest
 * calls without the request) read the same context from `mcpRequest`, entered around each request.
 */
export type RequestWithMcpContext = IncomingMessage & { mcpContext?: McpContext };

export const mcpRequest = new AsyncLocalStorage<McpContext>();

export function attachContext(raw: IncomingMessage, ctx: McpContext): void {
  (raw as RequestWithMcpContext).mcpContext = ctx;
}

/** The context on a request mcp-nest hands to a guard or tool; a request without one is refused (fail closed). */
export function contextOf(req: unknown): McpContext | undefined {
  const ctx = (req as RequestWithMcpContext | undefined)?.mcpContext;
  return ctx && typeof ctx.accountId === 'string' && ctx.config !== null && typeof ctx.config === 'object'
    ? ctx
    : undefined;
}
