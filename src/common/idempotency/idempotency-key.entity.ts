import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One Idempotency-Key as used: the SHA-256 of its scope (integrated account, caller, route) and of the
 * key, the SHA-256 of the request it came with (never the body itself), and the answer once known.
 */
@Entity('idempotency_key')
@Index('UQ_idempotency_key_scope_key', ['scope_hash', 'key_hash'], { unique: true })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  scope_hash!: string;

  @Column({ type: 'varchar', length: 64 })
  key_hash!: string;

  @Column({ type: 'varchar', length: 64 })
  request_hash!: string;

  /** `in_flight` while the first request runs, `done` once its answer is stored. */
  @Column({ type: 'varchar', length: 16 })
  state!: 'in_flight' | 'done';

  /** The stored answer as JSON (see StoredAnswer), once `done`. */
  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  /** ISO-8601 UTC timestamps, as in the other tables. */
  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Index('IDX_idempotency_key_expires_at')
  @Column({ type: 'varchar', length: 32 })
  expires_at!: string;
}
