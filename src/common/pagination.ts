import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CursorCodec } from './cursor';
import { GatewayError } from './errors';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

export interface Page<T> {
  result: T[];
  next_cursor: string | null;
}

/** The position after the last row of a page: its (created_at, id). */
interface CursorKey {
  c: string;
  i: string;
}

/**
 * Keyset pagination over (created_at, id), oldest first or (`DESC`) newest first: stable under
 * inserts. The cursor is the shared signed CursorCodec's, bound to `scope` (the list, its parent and
 * its filters), so an edited, foreign or garbage one → 400.
 */
export async function paginate<E extends ObjectLiteral & { id: string; created_at: string }>(
  qb: SelectQueryBuilder<E>,
  opts: { limit?: number; cursor?: string },
  cursors: CursorCodec,
  scope: string,
  order: 'ASC' | 'DESC' = 'ASC',
): Promise<Page<E>> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const alias = qb.alias;
  if (opts.cursor) {
    const key = cursors.decode<CursorKey>(scope, opts.cursor);
    if (typeof key?.c !== 'string' || typeof key?.i !== 'string')
      throw GatewayError.invalid('next_cursor is invalid', { field: 'next_cursor' });
    const after = order === 'ASC' ? '>' : '<';
    qb.andWhere(
      new Brackets((w) =>
        w
          .where(`${alias}.created_at ${after} :pc`, { pc: key.c })
          .orWhere(`(${alias}.created_at = :pc AND ${alias}.id ${after} :pi)`, { pc: key.c, pi: key.i }),
      ),
    );
  }
  const rows = await qb
    .orderBy(`${alias}.created_at`, order)
    .addOrderBy(`${alias}.id`, order)
    .take(limit + 1)
    .getMany();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    result: page,
    next_cursor: more && last ? cursors.encode<CursorKey>(scope, { c: last.created_at, i: last.id }) : null,
  };
}
