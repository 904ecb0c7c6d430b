import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Lookups stay indexed at size (issue 25): every query that runs per request or per sweep is
 * answered from an index, on SQLite and (in the PostgreSQL pass, TEST_POSTGRES_URL) on PostgreSQL.
 * Checked twice: the index exists (its columns, in order), and the database's own planner uses an
 * index for the query the gateway sends (no full-table scan, no sort of the whole table).
 */
jest.setTimeout(60_000);

/** The gateway's per-request and sweep queries, in the shape TypeORM sends them. */
const QUERIES: { what: string; table: string; sql: string; params: unknown[] }[] = [
  {
    what: 'MCP URL token → server',
    table: 'mcp_server',
    sql: 'SELECT * FROM mcp_server WHERE token_hash = ? LIMIT 1',
    params: ['h'],
  },
  {
    what: 'API token → principal',
    table: 'api_token',
    sql: 'SELECT * FROM api_token WHERE token_hash = ? LIMIT 1',
    params: ['h'],
  },
  {
    what: 'sandbox token check',
    table: 'integrated_account',
    sql: "SELECT 1 FROM integrated_account WHERE environment = 'sandbox' AND sandbox_token_hash = ? LIMIT 1",
    params: ['h'],
  },
  {
    what: "an account's servers, first page",
    table: 'mcp_server',
    sql: 'SELECT * FROM mcp_server s WHERE s.integrated_account_id = ? AND (s.expires_at IS NULL OR s.expires_at > ?) ORDER BY s.created_at ASC, s.id ASC LIMIT 101',
    params: ['a', '2026'],
  },
  {
    what: "an account's servers, next page (cursor)",
    table: 'mcp_server',
    sql: 'SELECT * FROM mcp_server s WHERE s.integrated_account_id = ? AND (s.expires_at IS NULL OR s.expires_at > ?) AND (s.created_at > ? OR (s.created_at = ? AND s.id > ?)) ORDER BY s.created_at ASC, s.id ASC LIMIT 101',
    params: ['a', '2026', '2026', '2026', 'i'],
  },
  {
    what: 'integrated accounts, first page',
    table: 'integrated_account',
    sql: 'SELECT * FROM integrated_account a ORDER BY a.created_at ASC, a.id ASC LIMIT 101',
    params: [],
  },
  {
    what: 'integrated accounts, next page (cursor)',
    table: 'integrated_account',
    sql: 'SELECT * FROM integrated_account a WHERE (a.created_at > ? OR (a.created_at = ? AND a.id > ?)) ORDER BY a.created_at ASC, a.id ASC LIMIT 101',
    params: ['2026', '2026', 'i'],
  },
  {
    what: 'API tokens list',
    table: 'api_token',
    sql: 'SELECT * FROM api_token t ORDER BY t.created_at ASC, t.id ASC',
    params: [],
  },
  {
    what: 'expired MCP server sweep',
    table: 'mcp_server',
    sql: 'DELETE FROM mcp_server WHERE expires_at <= ?',
    params: ['2026'],
  },
  {
    what: 'expired idempotency key sweep',
    table: 'idempotency_key',
    sql: 'DELETE FROM idempotency_key WHERE expires_at <= ?',
    params: ['2026'],
  },
];

/** Indexes the schema must have: table → leading columns, in order. */
const INDEXES: [string, string[]][] = [
  ['mcp_server', ['token_hash']],
  ['api_token', ['token_hash']],
  ['integrated_account', ['sandbox_token_hash']],
  ['mcp_server', ['integrated_account_id', 'created_at', 'id']],
  ['mcp_server', ['expires_at']],
  ['integrated_account', ['created_at', 'id']],
  ['api_token', ['created_at', 'id']],
  ['idempotency_key', ['expires_at']],
];

describe('indexes at scale (SQLite, or PostgreSQL under TEST_POSTGRES_URL)', () => {
  let gw: TestApp;
  let db: DataSource;
  let postgres: boolean;

  beforeAll(async () => {
    gw = await startTestApp({ SANDBOX: 'false' });
    db = gw.app.get(DataSource);
    postgres = db.options.type === 'postgres';
  });
  afterAll(async () => gw?.close());

  /** Every index of a table as its column list. */
  async function indexColumns(table: string): Promise<string[][]> {
    if (postgres) {
      const rows: { indexdef: string }[] = await db.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [
        table,
      ]);
      return rows.map((r) =>
        /\((.*)\)/
          .exec(r.indexdef)![1]
          .split(',')
          .map((c) => c.trim().replace(/"/g, '')),
      );
    }
    const list: { name: string }[] = await db.query(`PRAGMA index_list("${table}")`);
    const out: string[][] = [];
    for (const idx of list) {
      const cols: { seqno: number; name: string }[] = await db.query(`PRAGMA index_info("${idx.name}")`);
      out.push(cols.sort((a, b) => a.seqno - b.seqno).map((c) => c.name));
    }
    return out;
  }

  /** The planner's plan for a query, as text (PostgreSQL: with sequential scans and sorts priced out, so any usable index is taken). */
  async function plan(sql: string, params: unknown[]): Promise<string> {
    if (!postgres) {
      const rows: { detail: string }[] = await db.query(`EXPLAIN QUERY PLAN ${sql}`, params);
      return rows.map((r) => r.detail).join('\n');
    }
    let n = 0;
    const pgSql = sql.replace(/\?/g, () => `$${++n}`);
    const runner = db.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL enable_seqscan = off');
      await runner.query('SET LOCAL enable_sort = off');
      const rows: Record<string, string>[] = await runner.query(`EXPLAIN ${pgSql}`, params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it.each(INDEXES)('%s has an index on (%s)', async (table, columns) => {
    const indexes = await indexColumns(table);
    expect(indexes.some((cols) => columns.every((c, i) => cols[i] === c))).toBe(true);
  });

  it.each(QUERIES.map((q) => [q.what, q] as const))('%s is answered from an index', async (_what, q) => {
    const text = await plan(q.sql, q.params);
    if (postgres) {
      expect(text).toMatch(/Index/);
      expect(text).not.toMatch(/Seq Scan/);
      expect(text).not.toMatch(/(^|\s)Sort\b/m);
    } else {
      expect(text).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
      // A table SCAN without an index, or a sort of the result, grows with the table.
      expect(text).not.toMatch(/^SCAN \S+$/m);
      expect(text).not.toMatch(/TEMP B-TREE/);
    }
  });
});
