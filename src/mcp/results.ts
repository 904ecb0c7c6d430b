import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JsonPiece } from '../common/byte-writer';
import { assertUnreachable, ErrorCode, GatewayError } from '../common/errors';

const pieceText = (p: JsonPiece) => (typeof p === 'string' ? p : p.toString('utf8'));

/**
 * A text content item whose text is its pieces joined, when first read. Lazy values here are
 * classes, not object literals with a getter: see LazyPage in planhat.service.
 */
class PiecesText {
  readonly type = 'text' as const;
  readonly #pieces: readonly JsonPiece[];
  #text?: string;

  constructor(pieces: readonly JsonPiece[]) {
    this.#pieces = pieces;
  }

  get text(): string {
    this.#text ??= this.#pieces.map(pieceText).join('');
    return this.#text;
  }

  toJSON(): { type: 'text'; text: string } {
    return { type: this.type, text: this.text };
  }
}

/**
 * Tool results (docs/contract.md §5): structuredContent plus the same JSON as text. `json`, when the caller
 * already has it, is `JSON.stringify(data)` in pieces (e.g. built from records serialised once, or
 * from Planhat's own bytes); the text is then decoded only when something reads it.
 */
export function okResult(data: ToolData, json?: readonly JsonPiece[]): CallToolResult {
  if (json === undefined) {
    const plain = typeof data === 'function' ? data() : data;
    return new OkResult(plain, [JSON.stringify(plain)]) as unknown as CallToolResult;
  }
  return new OkResult(data, json) as unknown as CallToolResult;
}

/**
 * An okResult: its structuredContent is built when first read (the SDK's result validation reads
 * it). It must then be a plain object, which the SDK's result schema requires.
 */
class OkResult {
  readonly content: [PiecesText];
  #data: ToolData;

  constructor(data: ToolData, pieces: readonly JsonPiece[]) {
    this.content = [new PiecesText(pieces)];
    this.#data = data;
  }

  get structuredContent(): Record<string, unknown> {
    if (typeof this.#data === 'function') this.#data = this.#data();
    return this.#data;
  }

  toJSON(): CallToolResult {
    return { content: this.content, structuredContent: this.structuredContent };
  }
}

/** What the error mapping needs to know about the tool that failed. */
export interface ErrorContext {
  tool?: string;
  /** The list tool that finds valid ids for this tool's records. */
  listTool?: string;
  /** Whether the call writes (a 5xx/timeout may or may not have applied). */
  write?: boolean;
}

/** Planhat's own message from an error body, if there is one. */
function remoteMessage(err: GatewayError): string | undefined {
  const body = err.remote?.body;
  if (typeof body === 'string') return body.slice(0, 500) || undefined;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const k of ['message', 'error', 'errors', 'msg']) {
      const v = b[k];
      if (typeof v === 'string' && v) return v.slice(0, 500);
      if (v !== undefined && v !== null && typeof v === 'object') return JSON.stringify(v).slice(0, 500);
    }
  }
  return undefined;
}

/** Seconds until a retry makes sense, from retry-after or ratelimit-reset. */
export function retryAfterSeconds(headers: Record<string, string>): number | undefined {
  for (const key of ['retry-after', 'ratelimit-reset']) {
    const v = headers[key];
    if (v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
    const at = Date.parse(v);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  return undefined;
}

function fieldOf(err: GatewayError): string | undefined {
  const d = err.details as { field?: unknown } | { path?: unknown }[] | undefined;
  if (Array.isArray(d) && d[0] && typeof d[0].path === 'string' && d[0].path) return d[0].path;
  if (d && !Array.isArray(d) && typeof d.field === 'string') return d.field;
  const m = err.message.match(/(?:field|parameter|argument):? ([\w.%-]+)/i);
  return m?.[1];
}

/** The next step for a failed call: one exhaustive mapping from ErrorCode. */
function nextStep(err: GatewayError, ctx: ErrorContext): { step: string; retryAfter?: number; field?: string } {
  const code = err.code;
  switch (code) {
    case ErrorCode.INVALID_INPUT: {
      const field = fieldOf(err);
      const which = field ? `Fix the field \`${field}\`` : 'Fix the arguments';
      return {
        step: `${which} and call again${ctx.tool ? ` (the input schema of ${ctx.tool} lists the fields and their types)` : ''}.`,
        field,
      };
    }
    case ErrorCode.UNAUTHORIZED:
      return {
        step: 'Planhat rejected the credentials of this integrated account; an admin must update its API token. Retrying will not help.',
      };
    case ErrorCode.FORBIDDEN:
      return {
        step:
          err.hint ??
          'Planhat refused this operation for the connected API token (missing permissions); an admin must grant them. Retrying will not help.',
      };
    case ErrorCode.NOT_FOUND:
      return {
        step: ctx.listTool
          ? `Call ${ctx.listTool} to find a valid id (use the record's \`_id\`), then call again.`
          : 'Check the id or name and call again.',
      };
    case ErrorCode.METHOD_NOT_ALLOWED:
      return { step: err.hint ?? 'This operation is not supported for this resource.' };
    case ErrorCode.CONFLICT:
      return { step: 'The record changed or already exists; read it again, then retry with the current data.' };
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return { step: 'Send less data per call (smaller batches, fewer or shorter fields).' };
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
    case ErrorCode.HEADERS_TOO_LARGE:
      return { step: 'Send the request as uncompressed application/json in UTF-8 with ordinary headers.' };
    case ErrorCode.RATE_LIMITED: {
      const retryAfter = retryAfterSeconds(err.headers);
      return {
        step: `Planhat's rate limit was reached: retry after ${retryAfter ?? 60} seconds, and make fewer calls (larger pages, select fewer fields).`,
        retryAfter: retryAfter ?? 60,
      };
    }
    case ErrorCode.UPSTREAM_REJECTED:
      return {
        step: `Planhat rejected the request; check the arguments against its message${ctx.tool ? ` and the input schema of ${ctx.tool}` : ''}.`,
      };
    case ErrorCode.UPSTREAM_ERROR:
    case ErrorCode.UPSTREAM_TIMEOUT:
      return {
        step: ctx.write
          ? 'Planhat failed or did not answer in time. Retry later; the write may or may not have applied, so check with the list/get tool before writing again.'
          : 'Planhat failed or did not answer in time. Retry in a few seconds.',
      };
    case ErrorCode.INTERNAL:
      return { step: 'The gateway failed unexpectedly. Retry later.' };
    default:
      return assertUnreachable(code);
  }
}

/** Any failure of a tool call as an `isError` result: status, Planhat's message, the next step. */
export function errorResult(err: unknown, ctx: ErrorContext = {}): CallToolResult {
  const e = err instanceof GatewayError ? err : new GatewayError(ErrorCode.INTERNAL, 'Internal error', { cause: err });
  const { step, retryAfter, field } = nextStep(e, ctx);
  const planhat = remoteMessage(e);
  const hint = e.hint && !step.includes(e.hint) ? ` ${e.hint}` : '';
  const text =
    `Error ${e.status} ${e.code}: ${e.message}.${planhat ? ` Planhat said: ${planhat}.` : ''}${hint} Next step: ${step}`.replace(
      /\.\./g,
      '.',
    );
  const error: Record<string, unknown> = { status: e.status, code: e.code, message: e.message, next_step: step };
  if (planhat) error.planhat_message = planhat;
  if (field) error.field = field;
  if (retryAfter !== undefined) error.retry_after_seconds = retryAfter;
  if (e.hint) error.hint = e.hint;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: { error } };
}

/** The refusal of a tool the server's policy hides (nothing reaches Planhat). */
export function notAllowed(name: string): GatewayError {
  return new GatewayError(ErrorCode.FORBIDDEN, `Tool "${name}" is not allowed on this server`, {
    hint: "This MCP server's policy (methods/tags) does not include it; use a tool from tools/list, or ask an admin for a server that allows it.",
  });
}

/** Lists are cut at whole records under this many bytes, with a cursor to continue. */
export const LIST_BUDGET_BYTES = 100_000;

/** A tool's structuredContent, or a function that builds it (when `json` already holds its text, it is built only if read). */
export type ToolData = Record<string, unknown> | (() => Record<string, unknown>);

/** What a tool returns: `json`, when present, is `JSON.stringify(data)` in pieces (`json.join('')`). */
export interface ToolOutput {
  data: ToolData;
  json?: JsonPiece[];
}

/**
 * A list tool's `{result, next_cursor}`, with its JSON built around the already-serialised records.
 * `page.result` is read only when the data itself is (it may be parsed on first read).
 */
export function listOutput(
  page: { readonly result: unknown[]; readonly next_cursor: string | null },
  resultChunks: readonly JsonPiece[] | undefined,
): ToolOutput {
  const nextCursor = page.next_cursor;
  const data = () => ({ result: page.result, next_cursor: nextCursor });
  if (resultChunks === undefined) return { data };
  const json: JsonPiece[] = ['{"result":['];
  resultChunks.forEach((chunk, i) => (i === 0 ? json.push(chunk) : json.push(',', chunk)));
  json.push(`],"next_cursor":${JSON.stringify(nextCursor)}}`);
  return { data, json };
}
