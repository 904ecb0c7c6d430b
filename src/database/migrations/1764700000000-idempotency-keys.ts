import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Idempotency keys of POST writes (proxy, unified, MCP create tools): see common/idempotency. */
export class IdempotencyKeys1764700000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'idempotency_key',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'scope_hash', type: 'varchar', length: '64' },
          { name: 'key_hash', type: 'varchar', length: '64' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'answer', type: 'text', isNullable: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'expires_at', type: 'varchar', length: '32' },
        ],
      }),
    );
    await q.createIndex(
      'idempotency_key',
      new TableIndex({ name: 'UQ_idempotency_key_scope_key', columnNames: ['scope_hash', 'key_hash'], isUnique: true }),
    );
    await q.createIndex(
      'idempotency_key',
      new TableIndex({ name: 'IDX_idempotency_key_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('idempotency_key');
  }
}
