import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { IntegratedAccountEntity } from '../accounts/integrated-account.entity';

/** An MCP server: a filtered tool set of one integrated account behind a URL token (hash stored only). */
@Entity('mcp_server')
export class McpServerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_mcp_server_integrated_account_id')
  @Column({ type: 'varchar', length: 36 })
  integrated_account_id!: string;

  @ManyToOne(() => IntegratedAccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'integrated_account_id' })
  integrated_account?: IntegratedAccountEntity;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The McpServerConfig as JSON text. */
  @Column({ type: 'text' })
  config!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  token_hash!: string;

  @Index('IDX_mcp_server_expires_at')
  @Column({ type: 'varchar', length: 32, nullable: true })
  expires_at!: string | null;

  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Column({ type: 'varchar', length: 32 })
  updated_at!: string;
}
