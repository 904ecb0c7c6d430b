import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, GatewayError } from './errors';

/** Deepest nesting of objects and arrays a JSON body may have (`{}` is 1, `{"a":[]}` is 2). */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether a JSON text nests objects/arrays deeper than `max`, found by one pass over its characters
 * (no recursion, no parsing): strings are skipped whole (indexOf to their closing quote), and the
 * pass stops at the first bracket past the limit, so a body of a million `[` costs as little as a
 * body of 65.
 */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The closing quote is the next one not escaped by an odd number of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end > 0) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) return false;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}

/**
 * Whether a value (already parsed: MCP arguments, a JSON string inside them) nests objects/arrays
 * deeper than `max`. The recursion stops at `max` levels, so a value of any depth is measured with
 * at most `max` frames of stack.
 */
export function valueDepthExceeds(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (valueDepthExceeds(child, max - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && valueDepthExceeds((value as Record<string, unknown>)[key], max - 1)) return true;
  }
  return false;
}

/** The refusal of a body or argument nested deeper than MAX_JSON_DEPTH. */
export function nestedTooDeep(what = 'The body'): GatewayError {
  return GatewayError.invalid(
    `${what} is nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`,
    undefined,
    'Flatten the data: no Planhat field needs that much nesting.',
  );
}

/**
 * The path of the first prototype-pollution key in a parsed JSON value: a `__proto__` key, or a
 * `constructor` key holding a `prototype` (what Fastify's own parser refused). Iterative, so its
 * cost does not depend on the stack; the value is already known to be at most MAX_JSON_DEPTH deep.
 */
export function pollutionPath(value: unknown): string | undefined {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const p = path ? `${path}.${key}` : key;
      const child = (v as Record<string, unknown>)[key];
      if (!isArray) {
        if (key === '__proto__') return p;
        if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype'))
          return `${p}.prototype`;
      }
      if (child !== null && typeof child === 'object') stack.push({ v: child, path: p });
    }
  }
  return undefined;
}

const MAYBE_POLLUTED = /__proto__|constructor|\\u/;

/**
 * Parses a JSON request body: strict UTF-8 (invalid bytes are a 400, never replaced), not empty,
 * valid JSON, at most MAX_JSON_DEPTH levels deep, no prototype-pollution keys. Every refusal is a
 * GatewayError INVALID_INPUT saying what is wrong.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw GatewayError.invalid('The body is not valid UTF-8: send JSON encoded as UTF-8');
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw GatewayError.invalid('The body is empty but content-type is application/json');
  if (jsonDepthExceeds(text)) throw nestedTooDeep();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw GatewayError.invalid(`The body is not valid JSON: ${(err as Error).message}`);
  }
  // Only a text that spells `__proto__` or `constructor`, or escapes a character, can hold such a key.
  const bad = MAYBE_POLLUTED.test(text) ? pollutionPath(value) : undefined;
  if (bad) throw GatewayError.invalid(`Field name not allowed: ${bad}`, { field: bad });
  return value;
}

/**
 * Parses an application/x-www-form-urlencoded body (strict UTF-8) into an object of own properties
 * (`__proto__` is a plain key); a repeated name becomes an array, which the OAuth routes refuse.
 */
export function parseFormBody(body: Buffer): Record<string, string | string[]> {
  if (!isUtf8(body)) throw GatewayError.invalid('The body is not valid UTF-8');
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The charset parameter of a content type, lower-cased, if any. */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1].toLowerCase() : undefined;
}

/** Content codings other than identity in a Content-Encoding header (the gateway decodes none). */
function unsupportedEncodings(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '' && v !== 'identity');
}

/**
 * The bracketed names of Truto's unified query parameters, allowed on `/unified/` routes only (the
 * unified API validates them): `remote_query[name]`, `sort_by[field]`, `created_at[gt|gte|lt|lte]`,
 * `updated_at[...]`.
 */
const UNIFIED_BRACKETED =
  /^(?:remote_query\[[A-Za-z0-9_.-]{1,64}\]|sort_by\[[A-Za-z0-9_]{1,64}\]|(?:created_at|updated_at)\[(?:gt|gte|lt|lte)\])$/;

/** The first query parameter name holding `[` or `]` (raw or percent-encoded), if any, but Truto's names on `/unified/` routes. */
export function bracketedQueryName(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const unified = url.startsWith('/unified/');
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      /* malformed percent-encoding: the raw name is checked */
    }
    if (unified && UNIFIED_BRACKETED.test(name)) continue;
    if (/[[\]]/.test(name) || /%5[bd]/i.test(rawName)) return name;
  }
  return undefined;
}

/**
 * Request parsing for the whole Fastify instance (the gateway's routes; the embedded sandbox keeps
 * its own parsers): JSON is the only body type (parseJsonBody), anything else is a 415, including
 * `application/x-www-form-urlencoded` and `text/plain` that Fastify and Nest would otherwise accept;
 * a Content-Encoding other than identity is a 415 (the gateway decodes none); query parameter names
 * with brackets (`limit[]`, `__proto__[x]`) are a 400, since no parameter of the API has them.
 */
export function installBodyParsing(
  fastify: FastifyInstance,
  bodyLimit: number,
  formPaths: readonly string[] = [],
): void {
  fastify.removeAllContentTypeParsers();
  // OAuth's token and authorization endpoints take forms (RFC 6749); every other route refuses them (415).
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit },
    (req, body, done) => {
      const q = req.url.indexOf('?');
      if (!formPaths.includes(q < 0 ? req.url : req.url.slice(0, q))) {
        done(
          Object.assign(
            new GatewayError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported content type: send application/json'),
            { statusCode: 415 },
          ),
          undefined,
        );
        return;
      }
      try {
        done(null, parseFormBody(body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    const charset = charsetOf(req.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(
        new GatewayError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          `Unsupported charset ${charset.slice(0, 40)}: send application/json in UTF-8`,
        ),
        undefined,
      );
      return;
    }
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // The hook runs for every route, the embedded sandbox's too: its errors also carry `statusCode`,
  // which the sandbox's own error handler reads.
  const refuse = (err: GatewayError) => Object.assign(err, { statusCode: err.status });
  fastify.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const encodings = unsupportedEncodings(req.headers['content-encoding']);
    if (encodings.length > 0) {
      const names = encodings.join(', ').slice(0, 100);
      done(
        refuse(
          new GatewayError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            `Content-Encoding ${names} is not supported: send the body uncompressed (identity)`,
          ),
        ),
      );
      return;
    }
    const bracketed = bracketedQueryName(req.url);
    if (bracketed !== undefined) {
      const name = bracketed.slice(0, 100);
      done(
        refuse(
          GatewayError.invalid(
            `Query parameter names must not contain brackets: ${name}`,
            { field: name },
            'Send each parameter once, by its plain name (e.g. limit=10).',
          ),
        ),
      );
      return;
    }
    done();
  });
}

/**
 * Fastify's clientErrorHandler: errors Node's HTTP parser raises before there is a request (headers
 * too large, malformed HTTP) answered in the project's error shape, with a request id of their own.
 * The raw bytes of the request are neither echoed nor logged (they may hold credentials).
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const ge =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new GatewayError(
          ErrorCode.HEADERS_TOO_LARGE,
          `The request headers are larger than the ${maxHeaderSize} bytes the gateway accepts`,
        )
      : GatewayError.invalid('The request is not valid HTTP/1.1');
  const requestId = randomUUID();
  const body = JSON.stringify(ge.toBody(requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${ge.status} ${STATUS_CODES[ge.status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
