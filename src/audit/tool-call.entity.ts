import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One MCP tool call as the audit log keeps it (see AuditLog): who (MCP server, integrated account),
 * what (tool, argument names with values only for the kept scalar keys, sizes otherwise), how it went
 * (outcome, status, latency, Planhat requests, records written, the change it recorded).
 */
@Entity('mcp_tool_call')
@Index('IDX_mcp_tool_call_server_time', ['mcp_server_id', 'created_at', 'id'])
export class McpToolCallEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** ISO-8601 UTC: when the call was received. */
  @Index('IDX_mcp_tool_call_created_at')
  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Column({ type: 'varchar', length: 36 })
  mcp_server_id!: string;

  @Column({ type: 'varchar', length: 36 })
  integrated_account_id!: string;

  /** The tool name as called (at most 200 characters). */
  @Column({ type: 'varchar', length: 200 })
  tool!: string;

  /** JSON object: argument name → {value} (kept scalar keys) or {bytes} (everything else). */
  @Column({ type: 'text' })
  arguments!: string;

  /** `ok`, `error` (an isError result or a failure) or `denied` (the policy refused it). */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  /** The status of an isError result (403 when denied); null when ok. */
  @Column({ type: 'integer', nullable: true })
  status!: number | null;

  @Column({ type: 'integer' })
  latency_ms!: number;

  @Column({ type: 'integer' })
  upstream_calls!: number;

  @Column({ type: 'integer' })
  records_written!: number;

  /** The recorded change (undo_change) this call made, if any. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  change_id!: string | null;
}
