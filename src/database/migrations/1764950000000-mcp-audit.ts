import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** The MCP audit log (mcp_tool_call) and the change log of MCP writes for undo_change (mcp_change): see src/audit. */
export class McpAudit1764950000000 implements MigrationInterface {
  name = 'McpAudit1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'mcp_tool_call',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'mcp_server_id', type: 'varchar', length: '36' },
          { name: 'integrated_account_id', type: 'varchar', length: '36' },
          { name: 'tool', type: 'varchar', length: '200' },
          { name: 'arguments', type: 'text' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'status', type: 'integer', isNullable: true },
          { name: 'latency_ms', type: 'integer' },
          { name: 'upstream_calls', type: 'integer' },
          { name: 'records_written', type: 'integer' },
          { name: 'change_id', type: 'varchar', length: '36', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'mcp_tool_call',
      new TableIndex({ name: 'IDX_mcp_tool_call_server_time', columnNames: ['mcp_server_id', 'created_at', 'id'] }),
    );
    await q.createIndex(
      'mcp_tool_call',
      new TableIndex({ name: 'IDX_mcp_tool_call_created_at', columnNames: ['created_at'] }),
    );
    await q.createTable(
      new Table({
        name: 'mcp_change',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'created_at', type: 'varchar', length: '32' },
          { name: 'mcp_server_id', type: 'varchar', length: '36' },
          { name: 'integrated_account_id', type: 'varchar', length: '36' },
          { name: 'tool', type: 'varchar', length: '200' },
          { name: 'model', type: 'varchar', length: '64' },
          { name: 'op', type: 'varchar', length: '16' },
          { name: 'record_id', type: 'varchar', length: '200' },
          { name: 'before', type: 'text', isNullable: true },
          { name: 'after', type: 'text', isNullable: true },
          { name: 'undone_at', type: 'varchar', length: '32', isNullable: true },
        ],
      }),
    );
    await q.createIndex(
      'mcp_change',
      new TableIndex({ name: 'IDX_mcp_change_server_time', columnNames: ['mcp_server_id', 'created_at'] }),
    );
    await q.createIndex(
      'mcp_change',
      new TableIndex({ name: 'IDX_mcp_change_created_at', columnNames: ['created_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('mcp_change');
    await q.dropTable('mcp_tool_call');
  }
}
