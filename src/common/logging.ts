import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Params } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

/** One character of an MCP token's prefix, as itself (any case) or percent-encoded once or more. */
const char = (c: string, hex: string) => `(?:${c}|%(?:25)*${hex})`;

/**
 * An MCP URL token (`phm_…`) in any spelling a URL can give it: any case, any of its characters
 * percent-encoded (`%70hm_…`, `ph%6D_…`), even more than once (`%2570hm_…`).
 */
const MCP_TOKEN = new RegExp(
  `${char('p', '[57]0')}${char('h', '[46]8')}${char('m', '[46]d')}${char('_', '5f')}(?:[\\w-]|%(?:25)*[0-9a-f]{2})*`,
  'gi',
);

/** OAuth codes, access and refresh tokens and client secrets the gateway issues (`phoc_`, `phoa_`, `phor_`, `phos_`). */
const OAUTH_SECRET = /pho[acrs]_[\w-]+/gi;

/** Takes every MCP token and OAuth secret out of a text (a URL, a message, a whole log line). */
export function redactSecrets(text: string): string {
  return text.replace(MCP_TOKEN, '[redacted]').replace(OAUTH_SECRET, '[redacted]');
}

const QUERY_SECRET =
  /([?&](?:token|api_token|access_token|refresh_token|key|code|code_verifier|client_secret)=)[^&#]*/gi;

/** A path segment with its percent-encodings undone, repeatedly (`%256Dcp` → `%6Dcp` → `mcp`); for matching only. */
function decoded(segment: string): string {
  for (let i = 0; i < 4 && segment.includes('%'); i++) {
    const next = segment.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === segment) break;
    segment = next;
  }
  return segment;
}

/**
 * Removes secrets from a URL before it is logged: the segment after any `/mcp/` (however that
 * segment is cased or percent-encoded: `/MCP/…`, `/%6Dcp/…`), any MCP token anywhere, and token-like
 * query values.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  // Most URLs (no percent-encoding, no `mcp`, no `hm_`) can hold no MCP token: only the query rule.
  if (!/%|mcp|hm_/i.test(url)) return url.replace(QUERY_SECRET, '$1[redacted]');
  const cut = url.search(/[?#]/);
  const segments = (cut < 0 ? url : url.slice(0, cut)).split('/');
  for (let i = segments.length - 1; i > 0; i--) {
    if (segments[i] !== '' && decoded(segments[i - 1]).toLowerCase() === 'mcp') segments[i] = '[redacted]';
  }
  const query = cut < 0 ? '' : url.slice(cut).replace(QUERY_SECRET, '$1[redacted]');
  return redactSecrets(segments.join('/') + query);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Fastify's genReqId: the caller's `x-request-id` when it is a safe token, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The process's one pino logger: structured JSON, no authorization headers or cookies, and no MCP
 * token in any line it writes (a URL in an error message or a stack is redacted too). Written to
 * stdout unless a destination is given.
 */
export function createRootLogger(config: Pick<AppConfig, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'req.headers["x-planhat-tenant-token"]',
      ],
      censor: '[redacted]',
    },
    hooks: { streamWrite: redactSecrets },
  };
  return destination ? pino(options, destination) : pino(options);
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
        {
          reqId: req.id,
          req: { method: req.method, url: redactUrl(req.url) },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}
