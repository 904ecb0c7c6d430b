import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { MCP_TOOL_METADATA_KEY } from './mcp-nest';
import { contextOf } from './context';
import { McpToolRegistry } from './tool-registry';

/**
 * The per-server policy (methods, tags, tool_exposure) as an mcp-nest `@ToolGuards` guard, on every
 * tool: mcp-nest runs it for each tool on tools/list (a refused tool is hidden) and again on
 * tools/call (a refused call is denied). The meta-tools (search_tools, call_tool, model actions)
 * apply the same policy functions to the tools they find, describe and call.
 *
 * Fail closed: no resolved server context on the request, no tool name, or a config with a problem
 * (see policy/index.ts) allows nothing.
 */
@Injectable()
export class McpPolicyGuard implements CanActivate {
  constructor(private readonly registry: McpToolRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const ctx = contextOf(context.switchToHttp().getRequest());
    if (!ctx) return false;
    const meta = Reflect.getMetadata(MCP_TOOL_METADATA_KEY, context.getHandler()) as { name?: unknown } | undefined;
    return typeof meta?.name === 'string' && this.registry.listedNames(ctx.config).has(meta.name);
  }
}
