import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes for the admin lists at scale (issue 25): the lists page by keyset on (created_at, id), so
 * each page is one index range instead of a scan and sort of the whole table, at 10,000 accounts
 * and 100,000 MCP servers alike. An account's servers page on (integrated_account_id, created_at, id).
 * Token lookups (unique token_hash), an account's servers (integrated_account_id) and the expiry
 * sweep (expires_at) were indexed by the initial schema; test/indexes.e2e-spec.ts checks every one
 * on SQLite and PostgreSQL.
 */
export class ScaleIndexes1764912500000 implements MigrationInterface {
  name = 'ScaleIndexes1764912500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'integrated_account',
      new TableIndex({ name: 'IDX_integrated_account_created_at_id', columnNames: ['created_at', 'id'] }),
    );
    await q.createIndex(
      'mcp_server',
      new TableIndex({
        name: 'IDX_mcp_server_account_created_at_id',
        columnNames: ['integrated_account_id', 'created_at', 'id'],
      }),
    );
    await q.createIndex(
      'api_token',
      new TableIndex({ name: 'IDX_api_token_created_at_id', columnNames: ['created_at', 'id'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('api_token', 'IDX_api_token_created_at_id');
    await q.dropIndex('mcp_server', 'IDX_mcp_server_account_created_at_id');
    await q.dropIndex('integrated_account', 'IDX_integrated_account_created_at_id');
  }
}
