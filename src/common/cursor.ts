import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GatewayError } from './errors';

/**
 * Opaque, tamper-evident pagination cursors: `base64url(json).base64url(hmac)`. Each cursor is bound
 * to a scope (resource, integrated account and the filters of the first request), so a cursor
 * replayed on another resource, account or filter set is rejected, as is any edited or garbage one.
 */
@Injectable()
export class CursorCodec {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.encryptionKey, Buffer.alloc(0), 'pagination-cursor-v1', 32));
  }

  /** A stable scope string from parts (filters are sorted by key, so their order does not matter). */
  static scope(...parts: (string | Record<string, unknown> | undefined)[]): string {
    const norm = parts.map((p) =>
      p && typeof p === 'object'
        ? Object.fromEntries(
            Object.entries(p)
              .filter(([, v]) => v !== undefined)
              .sort(),
          )
        : (p ?? ''),
    );
    return createHash('sha256').update(JSON.stringify(norm)).digest('base64url').slice(0, 22);
  }

  encode<T extends object>(scope: string, state: T): string {
    const body = Buffer.from(JSON.stringify({ s: scope, d: state })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The state inside a cursor; 400 INVALID_INPUT when it is forged, garbage or from another scope. */
  decode<T>(scope: string, cursor: string): T {
    const bad = () =>
      GatewayError.invalid(
        'next_cursor is invalid: pass back the next_cursor of the previous page unchanged, with the same filters',
        undefined,
        'Start again without next_cursor to get the first page.',
      );
    if (typeof cursor !== 'string' || cursor.length > 4096) throw bad();
    const dot = cursor.indexOf('.');
    if (dot <= 0) throw bad();
    const body = cursor.slice(0, dot);
    const sig = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(body), 'base64url');
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) throw bad();
    let parsed: { s?: unknown; d?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw bad();
    }
    if (parsed.s !== scope || parsed.d === null || typeof parsed.d !== 'object') throw bad();
    return parsed.d as T;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, 32);
  }
}
