import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codeForStatus, ErrorCode, GatewayError, type ErrorBody } from './errors';
import { redactSecrets } from './logging';

const UNSUPPORTED_TYPE = 'Unsupported content type: send application/json';

/** Turns anything thrown into a GatewayError: vocabulary errors as they are, framework errors by status. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    let message = err.message;
    let details: unknown;
    if (res && typeof res === 'object') {
      const m = (res as { message?: unknown }).message;
      if (Array.isArray(m)) {
        message = String(m[0]);
        details = m;
      } else if (typeof m === 'string') message = m;
    }
    if (status >= 500) return new GatewayError(ErrorCode.INTERNAL, 'Internal error', { details, cause: err });
    // Nest's 404 repeats the path ("Cannot POST /MCP/phm_…"): no MCP token in it.
    message = redactSecrets(message);
    // A framework 4xx with no code of its own (411, 414, ...) is the caller's mistake: 400, never
    // UPSTREAM_REJECTED, whose status would become 502 without a Planhat answer behind it.
    if (status === 415) return new GatewayError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_TYPE);
    const code = codeForStatus(status);
    return new GatewayError(code === ErrorCode.UPSTREAM_REJECTED ? ErrorCode.INVALID_INPUT : code, message, {
      details,
    });
  }
  const e = err as { statusCode?: unknown; message?: unknown; code?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = codeForStatus(e.statusCode);
    let message = typeof e.message === 'string' ? e.message : 'Bad request';
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') message = 'The request body is larger than the limit';
    if (e.statusCode === 415) return new GatewayError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_TYPE);
    if (e.code === 'FST_ERR_BAD_URL')
      return GatewayError.invalid('The URL is not valid: it has a malformed percent-encoding');
    if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') message = 'The body is empty but content-type is application/json';
    if (/JSON/.test(String(e.code)) || /JSON/.test(message)) message = `The body is not valid JSON: ${message}`;
    return new GatewayError(code === ErrorCode.UPSTREAM_REJECTED ? ErrorCode.INVALID_INPUT : code, message);
  }
  return new GatewayError(ErrorCode.INTERNAL, 'Internal error', { cause: err });
}

/** The OAuth authorization server's endpoints (src/oauth), whose errors are RFC 6749 JSON. */
export function isOAuthEndpoint(url: string): boolean {
  return url.startsWith('/oauth/') || url.startsWith('/.well-known/');
}

/** Writes an error in the contract's shape with its headers; 5xx are logged (without secrets). */
export function sendError(reply: FastifyReply, req: FastifyRequest | undefined, err: unknown, logger: Logger): void {
  const ge = toGatewayError(err);
  const body: ErrorBody = ge.toBody(req?.id);
  if (ge.code === ErrorCode.INTERNAL) {
    const cause = (ge.cause ?? err) as Error;
    logger.error(
      `${req?.method} ${req?.routeOptions?.url ?? ''} failed (request ${req?.id}): ${cause?.stack ?? String(cause)}`,
    );
  }
  if (reply.sent || reply.raw.headersSent) return;
  reply.headers(ge.headers);
  if (req && isOAuthEndpoint(req.url)) {
    // OAuth endpoints answer in RFC 6749's error shape, also for what fails before them (body parsing, limits).
    const error = ge.status >= 500 ? 'server_error' : 'invalid_request';
    void reply
      .status(ge.status)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ error, error_description: ge.message });
    return;
  }
  void reply.status(body.statusCode).type('application/json; charset=utf-8').send(body);
}

/** The one global filter: every error leaves the gateway in the vocabulary of docs/contract.md §8. */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    sendError(ctx.getResponse<FastifyReply>(), ctx.getRequest<FastifyRequest>(), exception, this.logger);
  }
}
