import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * API tokens get a scope: `admin` (every API-token route, today's behaviour) or `mcp` (only the
 * second factor of require_api_token_auth MCP servers). Existing tokens become `admin`. Written with
 * the QueryRunner API, so it runs on SQLite (table rebuilt, rows copied) and PostgreSQL alike.
 */
export class ApiTokenScope1764600000000 implements MigrationInterface {
  name = 'ApiTokenScope1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'api_token',
      new TableColumn({ name: 'scope', type: 'varchar', length: '20', isNullable: false, default: "'admin'" }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('api_token', 'scope');
  }
}
