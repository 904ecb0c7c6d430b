import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { CommonModule } from '../common/common.module';
import { SecretBox } from '../common/crypto/secret-box';
import { ErrorCode } from '../common/errors';
import { loadConfig, type AppConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { databaseOptions } from '../database/database.module';
import { AccountEvents, type AccountEvent } from './account-events';
import { AccountsModule } from './accounts.module';
import { IntegratedAccountEntity } from './integrated-account.entity';
import { IntegratedAccountsService } from './integrated-accounts.service';
import { PlanhatConnectionResolver } from './planhat-connection';
import { gatewayFailure } from '../../test/support/gateway-error';

/** The integrated accounts service on a real SQLite file with the real migrations; only the clock is set by hand. */
describe('IntegratedAccountsService', () => {
  let dir: string;
  let moduleRef: INestApplicationContext;
  let accounts: IntegratedAccountsService;
  let repo: Repository<IntegratedAccountEntity>;
  let config: AppConfig;
  let now = new Date('2026-12-04T10:00:00.000Z');
  const events: AccountEvent[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-accounts-'));
    config = loadConfig({
      DATA_DIR: dir,
      ADMIN_API_KEY: 'spec-admin-key-0123456789',
      PLANHAT_ALLOWED_HOSTS: 'x.planhat.com',
    });
    @Module({
      imports: [
        AppConfigModule.forRoot(undefined, config),
        CommonModule,
        TypeOrmModule.forRoot(databaseOptions(config)),
        AccountsModule,
      ],
    })
    class SpecModule {}
    moduleRef = await NestFactory.createApplicationContext(SpecModule, { logger: false });
    jest.spyOn(moduleRef.get(Clock), 'now').mockImplementation(() => now);
    accounts = moduleRef.get(IntegratedAccountsService);
    repo = moduleRef.get(getRepositoryToken(IntegratedAccountEntity));
    moduleRef.get(AccountEvents).events.subscribe((e: AccountEvent) => events.push(e));
  });

  afterAll(async () => {
    await moduleRef.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const failure = gatewayFailure;

  it('is the PlanhatConnectionResolver the Planhat client gets', () => {
    expect(moduleRef.get(PlanhatConnectionResolver)).toBe(accounts);
  });

  describe('create', () => {
    it('a sandbox account gets its own generated token, sealed at rest, with its hash for the sandbox', async () => {
      const dto = await accounts.create({ name: 'sb', environment: 'sandbox' });
      expect(dto).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'sb',
        environment: 'sandbox',
        base_url: expect.stringMatching(/\/sandbox\/planhat$/),
        status: 'active',
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      expect(JSON.stringify(dto)).not.toMatch(/sbx_/);
      const row = await repo.findOneByOrFail({ id: dto.id });
      const token = accounts.openToken(row)!;
      expect(token).toMatch(/^sbx_/);
      expect(row.api_token_sealed).not.toContain(token);
      expect(row.sandbox_token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    });

    it('production and demo need api_token and get the fixed hosts', async () => {
      const e = await failure(accounts.create({ name: 'p', environment: 'production' }));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      expect(e.details).toMatchObject({ field: 'api_token' });
      const p = await accounts.create({ name: 'p', environment: 'production', api_token: 'ph-secret' });
      expect(p.base_url).toBe('https://api.planhat.com');
      const d = await accounts.create({ name: 'd', environment: 'demo', api_token: 'ph-secret' });
      expect(d.base_url).toBe('https://api.planhatdemo.com');
    });

    it('base_url only with custom, required there, and only on an allowed https host', async () => {
      const notCustom = await failure(
        accounts.create({ name: 'x', environment: 'production', api_token: 't', base_url: 'https://x.planhat.com' }),
      );
      expect(notCustom.message).toMatch(/only accepted with environment "custom"/);
      const missing = await failure(accounts.create({ name: 'x', environment: 'custom', api_token: 't' }));
      expect(missing.message).toMatch(/base_url is required/);
      expect(missing.hint).toContain('x.planhat.com');
      for (const bad of [
        'http://x.planhat.com',
        'https://evil.example.com',
        'https://127.0.0.1',
        'https://x.planhat.com:8443',
      ]) {
        const e = await failure(accounts.create({ name: 'x', environment: 'custom', api_token: 't', base_url: bad }));
        expect(e.code).toBe(ErrorCode.INVALID_INPUT);
      }
      const ok = await accounts.create({
        name: 'c',
        environment: 'custom',
        api_token: 't',
        base_url: 'https://X.planhat.com/some/path',
      });
      expect(ok.base_url).toBe('https://x.planhat.com');
    });
  });

  describe('find, get, list', () => {
    it('an unknown or malformed id is NOT_FOUND with a next step', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', "x' OR 1=1"]) {
        const e = await failure(accounts.get(id));
        expect(e.code).toBe(ErrorCode.NOT_FOUND);
        expect(e.hint).toMatch(/GET \/integrated-account/);
      }
    });

    it('pages with an opaque cursor that a garbage value does not pass', async () => {
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await accounts.list({ limit: 2, cursor });
        expect(page.result.length).toBeLessThanOrEqual(2);
        for (const a of page.result) seen.add(a.id);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen.size).toBe(await repo.count());
      const e = await failure(accounts.list({ limit: 2, cursor: 'garbage' }));
      expect(e.code).toBe(ErrorCode.INVALID_INPUT);
    });
  });

  describe('update', () => {
    it('renames, rotates the token (a resolved connection sees it at once) and refuses null or misplaced fields', async () => {
      const a = await accounts.create({ name: 'u', environment: 'production', api_token: 'old-token' });
      expect((await accounts.resolve(a.id)).token).toBe('old-token');
      now = new Date('2026-12-04T11:00:00.000Z');
      const u = await accounts.update(a.id, { name: 'renamed', api_token: 'new-token' });
      expect(u).toMatchObject({ name: 'renamed', updated_at: now.toISOString() });
      expect((await accounts.resolve(a.id)).token).toBe('new-token');
      const nulled = await failure(accounts.update(a.id, { name: null } as never));
      expect(nulled.code).toBe(ErrorCode.INVALID_INPUT);
      const misplaced = await failure(accounts.update(a.id, { base_url: 'https://x.planhat.com' }));
      expect(misplaced.message).toMatch(/only be changed on a "custom" account/);
      expect((await accounts.get(a.id)).name).toBe('renamed');
    });
  });

  describe('resolve (the PlanhatConnectionResolver port)', () => {
    it('a missing id is INVALID_INPUT, an unknown one NOT_FOUND', async () => {
      expect((await failure(accounts.resolve(undefined))).code).toBe(ErrorCode.INVALID_INPUT);
      expect((await failure(accounts.resolve(''))).code).toBe(ErrorCode.INVALID_INPUT);
      expect((await failure(accounts.resolve('00000000-0000-4000-8000-000000000001'))).code).toBe(ErrorCode.NOT_FOUND);
    });

    it('gives the unsealed token, the base URL and whether it is a sandbox', async () => {
      const a = await accounts.create({ name: 'r', environment: 'demo', api_token: 'demo-token' });
      expect(await accounts.resolve(a.id)).toEqual({
        accountId: a.id,
        baseUrl: 'https://api.planhatdemo.com',
        token: 'demo-token',
        sandbox: false,
      });
    });

    it('a token sealed with another key is not given out', async () => {
      const a = await accounts.create({ name: 'k', environment: 'production', api_token: 'x' });
      const other = new SecretBox(
        Object.assign(Object.create(config) as AppConfig, { encryptionKey: randomBytes(32) }),
      );
      await repo.update({ id: a.id }, { api_token_sealed: other.seal('x') });
      await expect(accounts.resolve(a.id)).rejects.toThrow();
    });

    it('401 from Planhat marks needs_reauth with the reason; a success marks it active again', async () => {
      const a = await accounts.create({ name: 's', environment: 'production', api_token: 't' });
      await accounts.resolve(a.id);
      await accounts.reportUnauthorized(a.id);
      let row = await repo.findOneByOrFail({ id: a.id });
      expect(row.status).toBe('needs_reauth');
      expect(row.last_error).toMatch(/401/);
      await accounts.reportHealthy(a.id);
      row = await repo.findOneByOrFail({ id: a.id });
      expect(row).toMatchObject({ status: 'active', last_error: null });
    });

    it('a new token clears needs_reauth', async () => {
      const a = await accounts.create({ name: 't', environment: 'production', api_token: 't' });
      await accounts.reportUnauthorized(a.id);
      expect((await accounts.update(a.id, { api_token: 't2' })).status).toBe('active');
    });
  });

  describe('sandbox tokens', () => {
    it('only the token of a sandbox account is accepted, and no longer once it is deleted', async () => {
      const sb = await accounts.create({ name: 'sb2', environment: 'sandbox', api_token: 'sbx_known' });
      await accounts.create({ name: 'prod', environment: 'production', api_token: 'prod-token' });
      expect(await accounts.acceptsSandboxToken('sbx_known')).toBe(true);
      expect(await accounts.acceptsSandboxToken('prod-token')).toBe(false);
      expect(await accounts.acceptsSandboxToken('sbx_unknown')).toBe(false);
      await accounts.remove(sb.id);
      expect(await accounts.acceptsSandboxToken('sbx_known')).toBe(false);
    });

    it('backfills the hash of sandbox rows stored without one, skipping tokens it cannot open', async () => {
      const a = await accounts.create({ name: 'old', environment: 'sandbox', api_token: 'sbx_old' });
      const b = await accounts.create({ name: 'foreign', environment: 'sandbox', api_token: 'sbx_foreign' });
      const other = new SecretBox(
        Object.assign(Object.create(config) as AppConfig, { encryptionKey: randomBytes(32) }),
      );
      await repo.update({ id: a.id }, { sandbox_token_hash: null });
      await repo.update({ id: b.id }, { sandbox_token_hash: null, api_token_sealed: other.seal('sbx_foreign') });
      expect(await accounts.backfillSandboxTokenHashes()).toBe(1);
      expect(await accounts.acceptsSandboxToken('sbx_old')).toBe(true);
      expect(await accounts.acceptsSandboxToken('sbx_foreign')).toBe(false);
    });

    it('setEndpoint moves an account off the sandbox: its hash goes and the resolved connection follows', async () => {
      const a = await accounts.create({ name: 'moving', environment: 'sandbox', api_token: 'sbx_moving' });
      expect((await accounts.resolve(a.id)).sandbox).toBe(true);
      await accounts.setEndpoint(a.id, 'custom', 'https://x.planhat.com');
      expect(await accounts.resolve(a.id)).toMatchObject({ baseUrl: 'https://x.planhat.com', sandbox: false });
      expect(await accounts.acceptsSandboxToken('sbx_moving')).toBe(false);
    });
  });

  describe('remove', () => {
    it('deletes the row, forgets the resolved connection and tells the modules above', async () => {
      const a = await accounts.create({ name: 'gone', environment: 'production', api_token: 't' });
      await accounts.resolve(a.id);
      events.length = 0;
      expect(await accounts.remove(a.id)).toEqual({ id: a.id });
      expect(events).toEqual([{ type: 'deleted', accountId: a.id }]);
      expect((await failure(accounts.resolve(a.id))).code).toBe(ErrorCode.NOT_FOUND);
      expect((await failure(accounts.remove(a.id))).code).toBe(ErrorCode.NOT_FOUND);
      expect(events).toHaveLength(1);
    });
  });
});
