import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** Prefixes make leaked tokens recognisable (secret scanners, logs): API tokens and MCP URL tokens. */
export const API_TOKEN_PREFIX = 'phg_';
export const MCP_TOKEN_PREFIX = 'phm_';

/** Bearer-style secrets: generated from 32 random bytes, stored only as a SHA-256 hex digest. */
@Injectable()
export class TokenService {
  generate(prefix: string): string {
    return `${prefix}${randomBytes(32).toString('base64url')}`;
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  /** Constant-time string equality (compares digests, so lengths never leak either). */
  equals(a: string, b: string): boolean {
    const da = createHash('sha256').update(a, 'utf8').digest();
    const db = createHash('sha256').update(b, 'utf8').digest();
    return timingSafeEqual(da, db);
  }
}
