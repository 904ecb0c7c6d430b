import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxStore, Tenant, TenantSnapshot } from './store';

/** How often tenants changed since their last save are written (besides at close and eviction). */
export const SAVE_INTERVAL_MS = 30_000;

/**
 * SANDBOX_PERSIST: keeps sandbox tenants in a directory (DATA_DIR/sandbox) so a demo survives a
 * restart. One JSON file per tenant, named by the SHA-256 of its token (the token itself is not
 * written), mode 0600 in a 0700 directory. Tenants are saved when they are evicted, every 30 s when
 * they changed, and when the server closes; a tenant is read back the first time its token is used.
 */
export class SandboxPersistence {
  private readonly saved = new WeakMap<Tenant, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: SandboxStore,
    readonly dir: string,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }

  private fileOf(token: string): string {
    return path.join(this.dir, `${createHash('sha256').update(token).digest('hex')}.json`);
  }

  /** The saved snapshot of a token's tenant, if any (an unreadable file is ignored: the tenant is seeded afresh). */
  load(token: string): TenantSnapshot | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.fileOf(token), 'utf8')) as TenantSnapshot;
    } catch {
      return undefined;
    }
  }

  save(tenant: Tenant): void {
    if (this.saved.get(tenant) === tenant.writes) return;
    const file = this.fileOf(tenant.token);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(tenant.snapshot()), { mode: 0o600 });
    fs.renameSync(tmp, file);
    this.saved.set(tenant, tenant.writes);
  }

  saveAll(): void {
    for (const t of this.store.liveTenants()) this.save(t);
  }

  /** Starts the periodic save (unref'd: it never keeps the process alive). */
  start(): void {
    this.timer ??= setInterval(() => this.saveAll(), SAVE_INTERVAL_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.saveAll();
  }
}
