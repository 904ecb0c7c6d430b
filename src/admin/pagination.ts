import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { GatewayError } from '../common/errors';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

export interface Page<T> {
  result: T[];
  next_cursor: string | null;
}

interface CursorKey {
  c: string;
  i: string;
}

function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): CursorKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && typeof (key as CursorKey).c === 'string' && typeof (key as CursorKey).i === 'string') {
      return key as CursorKey;
    }
  } catch {
    // fall through
  }
  throw GatewayError.invalid('next_cursor is not a cursor this API returned', { field: 'next_cursor' }, 'Pass next_cursor exactly as the previous page returned it, or omit it for the first page.');
}

/** Keyset pagination over (created_at, id): stable under inserts, opaque cursor, garbage → 400. */
export async function paginate<E extends ObjectLiteral & { id: string; created_at: string }>(
  qb: SelectQueryBuilder<E>,
  opts: { limit?: number; cursor?: string },
): Promise<Page<E>> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const alias = qb.alias;
  if (opts.cursor) {
    const key = decodeCursor(opts.cursor);
    qb.andWhere(
      new Brackets((w) =>
        w
          .where(`${alias}.created_at > :pc`, { pc: key.c })
          .orWhere(`(${alias}.created_at = :pc AND ${alias}.id > :pi)`, { pc: key.c, pi: key.i }),
      ),
    );
  }
  const rows = await qb.orderBy(`${alias}.created_at`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').take(limit + 1).getMany();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { result: page, next_cursor: more && last ? encodeCursor({ c: last.created_at, i: last.id }) : null };
}
