import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ENVIRONMENTS = ['sandbox', 'production', 'demo', 'custom'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const ACCOUNT_STATUSES = ['active', 'needs_reauth'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** A connected Planhat tenant. The Planhat token is sealed (SecretBox) and never leaves the service. */
@Entity('integrated_account')
export class IntegratedAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  environment!: Environment;

  /** Only stored for `custom`; the other environments derive it (sandbox: at read time). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  base_url!: string | null;

  @Column({ type: 'text', nullable: true })
  api_token_sealed!: string | null;

  /** `sandbox` accounts only: SHA-256 hex of the token, the embedded sandbox's tenant check. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sandbox_token_hash!: string | null;

  @Column({ type: 'varchar', length: 20 })
  status!: AccountStatus;

  @Column({ type: 'text', nullable: true })
  last_error!: string | null;

  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Column({ type: 'varchar', length: 32 })
  updated_at!: string;
}
