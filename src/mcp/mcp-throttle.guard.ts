import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { addressOf, GatewayThrottle } from '../common/throttle/throttle';
import { McpAccessService } from './mcp-access.service';

/**
 * The throttle of the MCP URL-token routes: a request whose token resolves (and passes the server's
 * API-token check) is counted against that MCP server; any other is counted against the caller's
 * address and then gets its 404/401. So neither a fresh bearer nor a fresh made-up URL token per
 * request escapes the limit, and a bad token never spends a real server's budget.
 */
@Injectable()
export class McpThrottleGuard implements CanActivate {
  constructor(
    private readonly access: McpAccessService,
    private readonly throttle: GatewayThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http' || !this.throttle.enabled) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const token = (req.params as { token?: unknown } | undefined)?.token;
    let serverId: string;
    try {
      // Cached (server by token hash, API token): the handler's own resolve costs nothing more.
      serverId = (await this.access.resolve(typeof token === 'string' ? token : '', req.headers.authorization))
        .serverId;
    } catch (err) {
      await this.throttle.hit('address', addressOf(req));
      throw err;
    }
    await this.throttle.hit('mcp', serverId);
    return true;
  }
}
