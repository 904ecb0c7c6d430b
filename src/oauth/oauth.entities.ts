import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A client registered with POST /oauth/register (RFC 7591). A confidential client's secret is stored as SHA-256 only. */
@Entity('oauth_client')
export class OAuthClientEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** JSON array of the exact redirect URIs. */
  @Column({ type: 'text' })
  redirect_uris!: string;

  /** `none` (public client, PKCE only), `client_secret_post` or `client_secret_basic`. */
  @Column({ type: 'varchar', length: 32 })
  token_endpoint_auth_method!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  secret_hash!: string | null;

  @Column({ type: 'varchar', length: 32 })
  created_at!: string;
}

/** What codes and tokens share: who approved (an API token), for which MCP server and client, in which grant family. */
abstract class GrantColumns {
  @Column({ type: 'varchar', length: 64 })
  client_id!: string;

  @Column({ type: 'varchar', length: 36 })
  api_token_id!: string;

  @Column({ type: 'varchar', length: 36 })
  mcp_server_id!: string;

  /** One authorization and every token that descends from it (a replayed code or refresh token revokes them all). */
  @Column({ type: 'varchar', length: 36 })
  family_id!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  scope!: string | null;

  @Column({ type: 'varchar', length: 32 })
  expires_at!: string;

  @Column({ type: 'varchar', length: 32 })
  created_at!: string;
}

/** An authorization code (SHA-256 stored), single use, with its PKCE challenge. */
@Entity('oauth_code')
export class OAuthCodeEntity extends GrantColumns {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  code_hash!: string;

  @Column({ type: 'text' })
  redirect_uri!: string;

  @Column({ type: 'varchar', length: 128 })
  code_challenge!: string;

  @Column({ type: 'varchar', length: 10 })
  code_challenge_method!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  used_at!: string | null;
}

/** An access or refresh token (SHA-256 stored). */
@Entity('oauth_token')
export class OAuthTokenEntity extends GrantColumns {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  token_hash!: string;

  @Column({ type: 'varchar', length: 10 })
  kind!: 'access' | 'refresh';

  @Column({ type: 'varchar', length: 32, nullable: true })
  revoked_at!: string | null;
}
