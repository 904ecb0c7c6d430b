import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { ApiPrincipal } from '../auth/public.decorator';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { ErrorCode, GatewayError, type RemoteError } from '../errors';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** How long a key holds its answer. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An `in_flight` key older than this belongs to a request that never finished (its gateway stopped). */
const STALE_IN_FLIGHT_MS = 10 * 60 * 1000;
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** The response header of an answer replayed from a key. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** The Swagger description of the header. */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'A unique value per write (1-255 printable ASCII, e.g. a UUID). Retrying with the same key and body within 24 h returns the first answer ' +
    '(with `idempotent-replayed: true`) and never writes twice; the same key with another body is a 409, and so is a retry while the first request runs.',
};

/** A request the API auth guard let through. */
export interface AuthedRequest {
  apiToken?: ApiPrincipal;
}

/** The caller part of a REST request's scope: the API token it authenticated with. */
export function principalOf(req: AuthedRequest): string {
  return `api:${req.apiToken?.id ?? ''}`;
}

/** Sends a write's answer (its status, headers, and whether it was replayed) and returns its body. */
export function idempotentReply<T>(reply: FastifyReply, answer: WriteAnswer<T> & { replayed: boolean }): T {
  reply.status(answer.status);
  if (answer.headers) reply.headers(answer.headers);
  if (answer.replayed) reply.header(REPLAYED_HEADER, 'true');
  return answer.body;
}

/** Whose key it is: the same key in another scope is another key. */
export interface IdempotencyScope {
  /** The integrated account the write goes to, as the caller named it. */
  accountId: string;
  /** The caller: `api:<api token id>` or `mcp:<MCP server id>`. */
  principal: string;
  /** What is written, e.g. `POST /proxy/companies` or `mcp create_a_planhat_company`. */
  route: string;
}

/** What a write answered, as stored and replayed. */
export interface WriteAnswer<T = unknown> {
  status: number;
  body: T;
  headers?: Record<string, string>;
}

type StoredAnswer =
  | ({ kind: 'ok' } & WriteAnswer)
  | { kind: 'error'; code: ErrorCode; message: string; hint?: string; details?: unknown; remote?: RemoteError };

/**
 * Idempotency keys for POST writes (Stripe / IETF draft semantics), stored in the gateway's database
 * so they hold across instances. The same key in the same scope within 24 h returns the first answer
 * (status and body, with `idempotent-replayed: true`) and never writes twice:
 * - the same key with another request body is a 409 naming the mismatch;
 * - while the first request runs, the same key is a 409 with `retry-after`;
 * - a first attempt that failed with a 4xx (bad input, not found, rejected by Planhat: nothing was
 *   written) releases the key, so a corrected retry goes through;
 * - a first attempt whose outcome is unknown (Planhat failed with 5xx, or did not answer in time after
 *   the request was sent) keeps the key and replays that error: a retry with the key cannot write a
 *   second record; the client checks, then writes with a new key if it has to.
 * Only SHA-256 hashes of the scope, the key and the request are stored, never the body or the key.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Idempotency');
  private sweeper?: NodeJS.Timeout;

  constructor(@InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>) {}

  /**
   * The key of a request (the `Idempotency-Key` header or the `idempotency_key` argument), or
   * undefined when none was given; 400 when it is empty, longer than 255 characters or not printable ASCII.
   */
  static keyOf(value: unknown, name = 'Idempotency-Key'): string | undefined {
    if (value === undefined) return undefined;
    const hint = `Send a unique value of 1 to 255 printable ASCII characters per write, e.g. a UUID, and the same value when retrying it.`;
    if (Array.isArray(value)) throw GatewayError.invalid(`${name} was given more than once`, undefined, hint);
    if (typeof value !== 'string' || value.length === 0)
      throw GatewayError.invalid(`${name} is empty`, undefined, hint);
    if (value.length > 255) throw GatewayError.invalid(`${name} is longer than 255 characters`, undefined, hint);
    if (!/^[\x20-\x7e]+$/.test(value)) throw GatewayError.invalid(`${name} must be printable ASCII`, undefined, hint);
    return value;
  }

  /**
   * Runs `write` once per key: without a key it just runs; with one, the first request runs it and
   * stores its answer, and later ones get that answer (`replayed: true`) or a 409 (see the class).
   * `request` is what the client sent (its fingerprint detects a key reused for another request).
   */
  async run<T>(
    key: string | undefined,
    scope: IdempotencyScope,
    request: unknown,
    write: () => Promise<WriteAnswer<T>>,
  ): Promise<WriteAnswer<T> & { replayed: boolean }> {
    if (key === undefined) return { ...(await write()), replayed: false };
    const scopeHash = sha256(JSON.stringify([scope.accountId, scope.principal, scope.route]));
    const keyHash = sha256(key);
    const requestHash = sha256(fingerprintText(request));
    const claimed = await this.claim(scopeHash, keyHash, requestHash);
    if (claimed.id !== claimed.mine) return this.replay<T>(claimed.row, requestHash);

    let answer: WriteAnswer<T>;
    try {
      answer = await write();
    } catch (err) {
      if (err instanceof GatewayError && err.status < 500) {
        // Nothing was written: the key is free for a corrected retry.
        await this.repo
          .delete({ id: claimed.mine })
          .catch((e: unknown) => this.log.error(`releasing an idempotency key failed: ${String(e)}`));
      } else {
        await this.store(claimed.mine, storedError(err));
      }
      throw err;
    }
    await this.store(claimed.mine, { kind: 'ok', ...answer });
    return { ...answer, replayed: false };
  }

  /** Inserts the key as in flight unless it exists (a key past its expiry is replaced); returns the row that holds it. */
  private async claim(
    scopeHash: string,
    keyHash: string,
    requestHash: string,
  ): Promise<{ id: string; mine: string; row: IdempotencyKeyEntity }> {
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      const mine = randomUUID();
      await this.repo
        .createQueryBuilder()
        .insert()
        .values({
          id: mine,
          scope_hash: scopeHash,
          key_hash: keyHash,
          request_hash: requestHash,
          state: 'in_flight',
          answer: null,
          created_at: new Date(now).toISOString(),
          expires_at: new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
        })
        .orIgnore()
        .execute();
      const row = await this.repo.findOne({ where: { scope_hash: scopeHash, key_hash: keyHash } });
      if (!row) {
        // Swept between the insert and the read: try again.
        if (attempt < 2) continue;
        throw new GatewayError(ErrorCode.INTERNAL, 'Could not record the Idempotency-Key; nothing was written');
      }
      if (row.id !== mine && row.expires_at <= new Date(now).toISOString() && attempt < 2) {
        await this.repo.delete({ id: row.id, expires_at: LessThanOrEqual(new Date(now).toISOString()) });
        continue;
      }
      return { id: row.id, mine, row };
    }
  }

  private replay<T>(row: IdempotencyKeyEntity, requestHash: string): WriteAnswer<T> & { replayed: true } {
    if (row.request_hash !== requestHash) {
      throw new GatewayError(ErrorCode.CONFLICT, 'This Idempotency-Key was already used with a different request', {
        hint: 'A key stands for one request: send the same body when retrying, or a new key for a new write.',
      });
    }
    if (row.state !== 'done' || row.answer === null) {
      const stale = Date.now() - Date.parse(row.created_at) > STALE_IN_FLIGHT_MS;
      if (stale) {
        throw new GatewayError(
          ErrorCode.CONFLICT,
          'The first request with this Idempotency-Key never finished; its write may or may not have been applied',
          {
            hint: 'Check whether the record exists before writing it again with a new key.',
          },
        );
      }
      throw new GatewayError(ErrorCode.CONFLICT, 'A request with this Idempotency-Key is still in progress', {
        hint: 'Retry in a moment with the same key to get its answer.',
        headers: { 'retry-after': '1' },
      });
    }
    const stored = JSON.parse(row.answer) as StoredAnswer;
    if (stored.kind === 'error') {
      throw new GatewayError(stored.code, stored.message, {
        hint: stored.hint,
        details: stored.details,
        remote: stored.remote,
        headers: { [REPLAYED_HEADER]: 'true' },
      });
    }
    return { status: stored.status, body: stored.body as T, headers: stored.headers, replayed: true };
  }

  private async store(id: string, answer: StoredAnswer): Promise<void> {
    try {
      await this.repo.update({ id }, { state: 'done', answer: JSON.stringify(answer) });
    } catch (err) {
      // The key stays in flight (then stale): a retry gets a 409, never a second write.
      this.log.error(`storing an idempotent answer failed: ${String(err)}`);
    }
  }

  /** Deletes expired keys. Idempotent, so several instances may sweep the same database. */
  async sweepExpired(): Promise<number> {
    const result = await this.repo.delete({ expires_at: LessThanOrEqual(new Date().toISOString()) });
    return result.affected ?? 0;
  }

  onApplicationBootstrap(): void {
    const sweep = () =>
      void this.sweepExpired().catch((err: unknown) =>
        this.log.warn(`expired idempotency key sweep failed: ${String(err)}`),
      );
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The request as JSON with object keys sorted (the same request in another key order is the same request). */
function fingerprintText(request: unknown): string {
  return (
    JSON.stringify(request ?? null, (_k, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }) ?? 'null'
  );
}

/** An error whose write may have been applied, as stored for replay. */
function storedError(err: unknown): StoredAnswer {
  if (err instanceof GatewayError) {
    return {
      kind: 'error',
      code: err.code,
      message: err.message,
      hint: err.hint,
      details: err.details,
      remote: err.remote,
    };
  }
  return {
    kind: 'error',
    code: ErrorCode.INTERNAL,
    message: 'The first request with this Idempotency-Key failed with an internal error',
    hint: 'Its write may or may not have been applied: check before writing again with a new key.',
  };
}
