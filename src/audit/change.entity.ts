import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One write made through MCP (native or unified create/update/delete), with what undo_change needs:
 * the Planhat model and record, the record before (update, delete) and after (create, update) the
 * write, as JSON. Kept for the undo window (24 h), then pruned by the expiry sweep.
 */
@Entity('mcp_change')
@Index('IDX_mcp_change_server_time', ['mcp_server_id', 'created_at'])
export class McpChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_mcp_change_created_at')
  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Column({ type: 'varchar', length: 36 })
  mcp_server_id!: string;

  @Column({ type: 'varchar', length: 36 })
  integrated_account_id!: string;

  /** The tool that wrote (e.g. update_planhat_company, update_a_crm_account_by_id). */
  @Column({ type: 'varchar', length: 200 })
  tool!: string;

  /** The Planhat model (catalog key, e.g. `companies`), also for unified tools. */
  @Column({ type: 'varchar', length: 64 })
  model!: string;

  /** `create`, `update` or `delete`. */
  @Column({ type: 'varchar', length: 16 })
  op!: string;

  /** The Planhat `_id` of the record written. */
  @Column({ type: 'varchar', length: 200 })
  record_id!: string;

  @Column({ type: 'text', nullable: true })
  before!: string | null;

  @Column({ type: 'text', nullable: true })
  after!: string | null;

  /** Set once undone (claimed before the undo writes, released if it fails). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  undone_at!: string | null;
}
