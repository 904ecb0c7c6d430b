import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * SHA-256 of a `sandbox` account's Planhat token, so the embedded sandbox can tell its accounts'
 * tokens from any other bearer with one indexed lookup (no unsealing per request). Existing sandbox
 * accounts get theirs at the next start (the migration has no encryption key to unseal them with).
 */
export class SandboxTokenHash1764800000000 implements MigrationInterface {
  name = 'SandboxTokenHash1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'integrated_account',
      new TableColumn({ name: 'sandbox_token_hash', type: 'varchar', length: '64', isNullable: true }),
    );
    await q.createIndex(
      'integrated_account',
      new TableIndex({ name: 'IDX_integrated_account_sandbox_token_hash', columnNames: ['sandbox_token_hash'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('integrated_account', 'IDX_integrated_account_sandbox_token_hash');
    await q.dropColumn('integrated_account', 'sandbox_token_hash');
  }
}
