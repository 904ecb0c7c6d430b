import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayError } from './errors';

/**
 * DNS-rebinding and cross-site protection (the MCP transport spec: servers MUST validate Origin).
 *
 * - A request that carries an `Origin` header is served only when that origin is allowed: the
 *   origin of PUBLIC_URL, the ALLOWED_ORIGINS list, and, when the gateway listens on a loopback
 *   address, the loopback origins of its own port (its Swagger UI opened on localhost/127.0.0.1).
 *   Anything else, including `Origin: null` (sandboxed frames, file: pages), is a 403.
 * - When the gateway listens on a loopback address, the `Host` header must name a loopback host
 *   (`localhost`, `127.x.x.x`, `[::1]`) or PUBLIC_URL's host: a rebound DNS name pointing at
 *   127.0.0.1 is refused even on a same-origin GET (which carries no `Origin`). A missing Host is
 *   refused too (fail closed).
 *
 * Clients that are not browsers (MCP SDKs, curl, Prometheus) send no `Origin` and keep working.
 * It applies to every route (the MCP routes, the admin API, health, metrics), before
 * authentication, so a refused request never reaches a token check.
 */
export interface OriginPolicyOptions {
  /** The listen address (HOST). */
  listenHost: string;
  /** PUBLIC_URL (read at each request: it follows the bound port when derived). */
  publicUrl: () => string;
  /** Normalised origins from ALLOWED_ORIGINS. */
  allowedOrigins: readonly string[];
  /** The bound port once listening (loopback origins of the gateway itself). */
  port: () => number | undefined;
}

export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** The hostname of a Host header value (`name`, `name:port`, `[v6]:port`), or undefined when it does not parse. */
export function hostnameOf(hostHeader: string): string | undefined {
  if (!hostHeader || /[\s/@?#\\]/.test(hostHeader)) return undefined;
  try {
    const u = new URL(`http://${hostHeader}`);
    return u.hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export class OriginPolicy {
  private readonly loopback: boolean;

  constructor(private readonly opts: OriginPolicyOptions) {
    this.loopback = isLoopbackName(opts.listenHost);
  }

  /** Undefined when the request may go on; otherwise the reason it is refused. */
  refusal(origin: string | string[] | undefined, host: string | string[] | undefined): string | undefined {
    if (this.loopback) {
      const name = typeof host === 'string' ? hostnameOf(host) : undefined;
      const publicHost = (() => {
        try {
          return new URL(this.opts.publicUrl()).hostname.toLowerCase();
        } catch {
          return undefined;
        }
      })();
      if (!name || !(isLoopbackName(name) || name === publicHost)) return 'host';
    }
    if (origin === undefined) return undefined;
    if (typeof origin !== 'string') return 'origin';
    return this.allows(origin) ? undefined : 'origin';
  }

  allows(origin: string): boolean {
    const normalised = origin === 'null' ? undefined : originOf(origin);
    if (!normalised || normalised === 'null') return false;
    if (normalised === originOf(this.opts.publicUrl())) return true;
    if (this.opts.allowedOrigins.includes(normalised)) return true;
    const port = this.opts.port();
    if (this.loopback && port !== undefined) {
      const u = new URL(normalised);
      return u.protocol === 'http:' && isLoopbackName(u.hostname) && u.port === String(port);
    }
    return false;
  }
}

export function installOriginGuard(fastify: FastifyInstance, policy: OriginPolicy): void {
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const why = policy.refusal(req.headers.origin, req.headers.host);
    if (!why) return done();
    done(
      why === 'host'
        ? new GatewayError(ErrorCode.FORBIDDEN, 'Host not allowed', {
            hint: 'This gateway listens on a loopback address: call it as localhost, 127.0.0.1 or the host of PUBLIC_URL.',
          })
        : new GatewayError(ErrorCode.FORBIDDEN, 'Origin not allowed', {
            hint: 'Browser requests are accepted from the origin of PUBLIC_URL and from ALLOWED_ORIGINS only.',
          }),
    );
  });
}
