import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const stamp = (name: string, isNullable = false) => ({ name, type: 'varchar', length: '32', isNullable });
const cascade = (table: string, column: string, referenced: string) =>
  new TableForeignKey({
    name: `FK_${table}_${column}`,
    columnNames: [column],
    referencedTableName: referenced,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/**
 * OAuth 2.1 for MCP servers (src/oauth): clients registered dynamically (RFC 7591), authorization
 * codes and tokens (access and refresh). Codes and tokens are stored as SHA-256 only, bound to one
 * MCP server and to the API token that approved them: deleting either (or the client) deletes them
 * (ON DELETE CASCADE, on SQLite and PostgreSQL alike).
 */
export class OAuth1764900000000 implements MigrationInterface {
  name = 'OAuth1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'oauth_client',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'redirect_uris', type: 'text' },
          { name: 'token_endpoint_auth_method', type: 'varchar', length: '32' },
          { name: 'secret_hash', type: 'varchar', length: '64', isNullable: true },
          stamp('created_at'),
        ],
      }),
    );
    const grantColumns = [
      { name: 'client_id', type: 'varchar', length: '64' },
      { name: 'api_token_id', type: 'varchar', length: '36' },
      { name: 'mcp_server_id', type: 'varchar', length: '36' },
      { name: 'family_id', type: 'varchar', length: '36' },
      { name: 'scope', type: 'varchar', length: '200', isNullable: true },
      stamp('expires_at'),
      stamp('created_at'),
    ];
    await q.createTable(
      new Table({
        name: 'oauth_code',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          ...grantColumns,
          { name: 'redirect_uri', type: 'text' },
          { name: 'code_challenge', type: 'varchar', length: '128' },
          { name: 'code_challenge_method', type: 'varchar', length: '10' },
          stamp('used_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'oauth_token',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '10' },
          ...grantColumns,
          stamp('revoked_at', true),
        ],
      }),
    );
    for (const table of ['oauth_code', 'oauth_token']) {
      await q.createForeignKey(table, cascade(table, 'client_id', 'oauth_client'));
      await q.createForeignKey(table, cascade(table, 'api_token_id', 'api_token'));
      await q.createForeignKey(table, cascade(table, 'mcp_server_id', 'mcp_server'));
      // The foreign keys' own columns are indexed too: deleting a client, an API token or an MCP
      // server (the expiry sweep deletes thousands) cascades here by these columns, not by a scan.
      for (const column of ['client_id', 'api_token_id', 'mcp_server_id']) {
        await q.createIndex(table, new TableIndex({ name: `IDX_${table}_${column}`, columnNames: [column] }));
      }
      await q.createIndex(table, new TableIndex({ name: `IDX_${table}_family_id`, columnNames: ['family_id'] }));
      await q.createIndex(table, new TableIndex({ name: `IDX_${table}_expires_at`, columnNames: ['expires_at'] }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('oauth_token');
    await q.dropTable('oauth_code');
    await q.dropTable('oauth_client');
  }
}
