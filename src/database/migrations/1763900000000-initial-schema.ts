import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
const stamp = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '32', isNullable });

/**
 * The admin schema, written with the driver-agnostic QueryRunner API so the same migration runs on
 * SQLite and PostgreSQL. Timestamps are ISO-8601 UTC strings (fixed width, so they sort correctly).
 */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'integrated_account',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'environment', type: 'varchar', length: '20' },
          { name: 'base_url', type: 'varchar', length: '500', isNullable: true },
          { name: 'api_token_sealed', type: 'text', isNullable: true },
          { name: 'status', type: 'varchar', length: '20' },
          { name: 'last_error', type: 'text', isNullable: true },
          stamp('created_at'),
          stamp('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'mcp_server',
        columns: [
          id,
          { name: 'integrated_account_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'config', type: 'text' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          stamp('expires_at', true),
          stamp('created_at'),
          stamp('updated_at'),
        ],
      }),
    );
    await q.createForeignKey(
      'mcp_server',
      new TableForeignKey({
        name: 'FK_mcp_server_integrated_account',
        columnNames: ['integrated_account_id'],
        referencedTableName: 'integrated_account',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
    await q.createIndex(
      'mcp_server',
      new TableIndex({ name: 'IDX_mcp_server_integrated_account_id', columnNames: ['integrated_account_id'] }),
    );
    await q.createIndex(
      'mcp_server',
      new TableIndex({ name: 'IDX_mcp_server_expires_at', columnNames: ['expires_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'api_token',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          stamp('created_at'),
          stamp('last_used_at', true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_token');
    await q.dropTable('mcp_server');
    await q.dropTable('integrated_account');
  }
}
