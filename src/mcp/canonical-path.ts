import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../common/errors';

/**
 * The MCP routes answer only their canonical path: `/mcp/<token>…` exactly, without any
 * percent-encoding before the query. Fastify decodes the path before it routes, so `/%6Dcp/<token>`
 * or `/mcp/%70hm_…` would otherwise reach the endpoint under a spelling no client is given and that
 * log filters and proxies in front of the gateway may not recognise; they get a 404 instead (in the
 * error shape, without echoing the path). Tokens never need encoding (`phm_` and base64url).
 */
export function installCanonicalMcpPaths(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (!req.routeOptions.url?.startsWith('/mcp/')) return done();
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path.startsWith('/mcp/') && !path.includes('%')) return done();
    done(
      GatewayError.notFound(
        'Unknown MCP URL',
        'Use the MCP URL exactly as it was given: /mcp/<token>, lower-case and not percent-encoded.',
      ),
    );
  });
}
