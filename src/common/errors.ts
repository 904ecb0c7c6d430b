/**
 * The one error vocabulary of the gateway (docs/contract.md §8). Every failure, whatever its origin
 * (validation, policy, Planhat, the gateway itself), becomes a GatewayError with one of these codes.
 * It is mapped once to HTTP (common/http-exception.filter.ts) and once to MCP results (mcp/).
 */
export enum ErrorCode {
  INVALID_INPUT = 'INVALID_INPUT',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** A body the gateway does not parse: not application/json, or a Content-Encoding it does not decode. */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** Request headers larger than the HTTP server accepts. */
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  /** Planhat answered with a 4xx that has no more specific code: its status is kept. */
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  /** Planhat answered 5xx, reset the connection or sent something that is not JSON. */
  UPSTREAM_ERROR = 'UPSTREAM_ERROR',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  INTERNAL = 'INTERNAL',
}

export interface RemoteError {
  status: number;
  body: unknown;
}

export interface ErrorBody {
  statusCode: number;
  error: ErrorCode;
  message: string;
  hint?: string;
  details?: unknown;
  remote?: RemoteError;
  request_id?: string;
}

export function assertUnreachable(value: never): never {
  throw new Error(`unmapped value: ${String(value)}`);
}

/** HTTP status of each code; UPSTREAM_REJECTED keeps Planhat's own status. */
export function statusOf(code: ErrorCode, remote?: RemoteError): number {
  switch (code) {
    case ErrorCode.INVALID_INPUT:
      return 400;
    case ErrorCode.UNAUTHORIZED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.METHOD_NOT_ALLOWED:
      return 405;
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.HEADERS_TOO_LARGE:
      return 431;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.UPSTREAM_REJECTED:
      return remote && remote.status >= 400 && remote.status < 500 ? remote.status : 502;
    case ErrorCode.UPSTREAM_ERROR:
      return 502;
    case ErrorCode.UPSTREAM_TIMEOUT:
      return 504;
    case ErrorCode.INTERNAL:
      return 500;
    default:
      return assertUnreachable(code);
  }
}

export interface GatewayErrorOptions {
  hint?: string;
  details?: unknown;
  remote?: RemoteError;
  /** Response headers that belong with the error (ratelimit-*, retry-after, allow). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: unknown;
  readonly remote?: RemoteError;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'GatewayError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
    this.remote = opts.remote;
    this.headers = opts.headers ?? {};
  }

  get status(): number {
    return statusOf(this.code, this.remote);
  }

  toBody(requestId?: string): ErrorBody {
    const body: ErrorBody = { statusCode: this.status, error: this.code, message: this.message };
    if (this.hint !== undefined) body.hint = this.hint;
    if (this.details !== undefined) body.details = this.details;
    if (this.remote !== undefined) body.remote = this.remote;
    if (requestId !== undefined) body.request_id = requestId;
    return body;
  }

  static invalid(message: string, details?: unknown, hint?: string): GatewayError {
    return new GatewayError(ErrorCode.INVALID_INPUT, message, { details, hint });
  }

  static notFound(message: string, hint?: string): GatewayError {
    return new GatewayError(ErrorCode.NOT_FOUND, message, { hint });
  }
}

/** The code for a status that did not come from a GatewayError (framework errors, Planhat 4xx). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return ErrorCode.INVALID_INPUT;
    case 401:
      return ErrorCode.UNAUTHORIZED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 405:
      return ErrorCode.METHOD_NOT_ALLOWED;
    case 409:
      return ErrorCode.CONFLICT;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    case 504:
      return ErrorCode.UPSTREAM_TIMEOUT;
    default:
      if (status >= 400 && status < 500) return ErrorCode.UPSTREAM_REJECTED;
      return status === 502 || status === 503 ? ErrorCode.UPSTREAM_ERROR : ErrorCode.INTERNAL;
  }
}
