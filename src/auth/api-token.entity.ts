import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An API token for the admin/proxy/unified routes. Only the SHA-256 of the token is stored. */
@Entity('api_token')
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  token_hash!: string;

  /** `admin` or `mcp` (API_TOKEN_SCOPES); any other stored value is refused everywhere. */
  @Column({ type: 'varchar', length: 20, default: 'admin' })
  scope!: string;

  /** ISO-8601 UTC timestamps are stored as fixed-width strings: portable and sortable on SQLite and PostgreSQL. */
  @Column({ type: 'varchar', length: 32 })
  created_at!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  last_used_at!: string | null;
}
