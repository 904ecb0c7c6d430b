import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Params } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

/** Removes secrets from a URL before it is logged: MCP URL tokens and any token-like query values. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  return url
    .replace(/\/mcp\/[^/?#]+/g, '/mcp/[redacted]')
    .replace(/([?&](?:token|api_token|access_token|key)=)[^&#]*/gi, '$1[redacted]');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Fastify's genReqId: the caller's `x-request-id` when it is a safe token, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The process's one pino logger: structured JSON, no authorization headers or cookies. */
export function createRootLogger(config: AppConfig): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}

/**
 * nestjs-pino serves Nest's own logging (`new Logger(...)` in services) from the root logger. Its
 * per-request middleware (pino-http, a child logger and an AsyncLocalStorage scope per request) is
 * not mounted: requests are logged by installRequestLogging, on Fastify's hooks, for a fraction of
 * the cost per request.
 */
export function loggerParams(root: Logger): Params {
  return { pinoHttp: { logger: root }, forRoutes: [] };
}

/**
 * One log line per answered request: id, method, redacted URL, status and time, at info (2xx/3xx),
 * warn (4xx) or error (5xx); /health is not logged. Every answer carries its `x-request-id`, which
 * error bodies repeat as `request_id`.
 */
export function installRequestLogging(fastify: FastifyInstance, root: Logger): void {
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header('x-request-id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (root.isLevelEnabled(level) && req.url !== '/health') {
      root[level](
        { reqId: req.id, req: { method: req.method, url: redactUrl(req.url) }, res: { statusCode: status }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
