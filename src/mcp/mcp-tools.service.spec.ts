import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DataSource } from 'typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { IntegratedAccountsService } from '../accounts/integrated-accounts.service';
import { AuditModule } from '../audit/audit.module';
import { CommonModule } from '../common/common.module';
import { ErrorCode, GatewayError } from '../common/errors';
import { IdempotencyModule } from '../common/idempotency/idempotency.module';
import { RedisModule } from '../common/redis/redis.connection';
import { loadConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { databaseOptions } from '../database/database.module';
import { InsightsModule } from '../insights/insights.module';
import { findIndexedTool, type IndexedTool, type McpServerConfig } from '../mcp-servers/policy';
import { PlanhatModule } from '../planhat/planhat.module';
import { PlanhatService } from '../planhat/planhat.service';
import { UnifiedModule } from '../unified/unified.module';
import type { McpContext } from './context';
import { CustomFieldsCache } from './custom-fields';
import { errorContext, McpToolsService } from './mcp-tools.service';
import { UnifiedToolRunner } from './unified-runner';
import { startRecordingSandbox, type RecordingSandbox } from '../../test/support/recording-sandbox';

type Rec = Record<string, unknown>;
interface ErrorOut {
  status: number;
  code: ErrorCode;
  message: string;
  next_step: string;
  field?: string;
  planhat_message?: string;
  recorded?: Rec | null;
  current?: Rec | null;
}

/**
 * McpToolsService with every collaborator real: the Planhat service and client, the unified API,
 * insights, idempotency keys and the change log on a SQLite file with the real migrations, and a
 * sandbox integrated account whose Planhat is the sandbox, started here on loopback (with fault
 * injection; it records the request lines it receives, so a spec can tell what reached Planhat).
 */
describe('McpToolsService', () => {
  let dir: string;
  let sandbox: RecordingSandbox;
  let moduleRef: INestApplicationContext;
  let tools: McpToolsService;
  let planhat: PlanhatService;
  let accountId: string;
  /** `METHOD /path?query` of every request the sandbox received. */
  let received: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-mcp-tools-'));
    sandbox = await startRecordingSandbox({ seedCompanies: 20, rateLimitPerMin: 0, faults: true });
    received = sandbox.received;
    const config = loadConfig({
      DATA_DIR: dir,
      ADMIN_API_KEY: 'spec-admin-key-0123456789',
      SANDBOX_BASE_URL: sandbox.url,
    });
    @Module({
      imports: [
        AppConfigModule.forRoot(undefined, config),
        CommonModule,
        RedisModule,
        TypeOrmModule.forRoot(databaseOptions(config)),
        AccountsModule,
        PlanhatModule,
        AuditModule,
        IdempotencyModule,
        InsightsModule,
        UnifiedModule,
      ],
      providers: [McpToolsService, UnifiedToolRunner, CustomFieldsCache],
    })
    class SpecModule {}
    moduleRef = await NestFactory.createApplicationContext(SpecModule, { logger: false });
    tools = moduleRef.get(McpToolsService);
    planhat = moduleRef.get(PlanhatService);
    accountId = (await moduleRef.get(IntegratedAccountsService).create({ name: 'spec', environment: 'sandbox' })).id;
  });

  afterAll(async () => {
    await moduleRef?.close();
    await sandbox?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    received.length = 0;
  });

  /** The call context: one account, a policy, and the MCP server (null: none, as on a path without one). */
  const ctx = (config: McpServerConfig = {}, serverId: string | null = 'server-1'): McpContext => ({
    accountId,
    config,
    serverId: serverId ?? undefined,
  });
  const tool = (name: string): IndexedTool => {
    const t = findIndexedTool(name);
    if (!t) throw new Error(`no tool ${name}`);
    return t;
  };
  const ok = (r: CallToolResult): Rec => {
    if (r.isError) throw new Error(`tool failed: ${(r.content[0] as { text: string }).text}`);
    const data = r.structuredContent as Rec;
    expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(JSON.parse(JSON.stringify(data)));
    return data;
  };
  const failed = (r: CallToolResult): ErrorOut & { text: string } => {
    expect(r.isError).toBe(true);
    return { ...(r.structuredContent as { error: ErrorOut }).error, text: (r.content[0] as { text: string }).text };
  };
  const newCompany = async (name: string): Promise<Rec> =>
    (await planhat.create(accountId, 'companies', { name, phase: 'Onboarding' })).data;
  const current = async (resource: string, id: unknown): Promise<Rec | GatewayError> =>
    planhat.get(accountId, resource, String(id)).then(
      (r) => r.data,
      (e: GatewayError) => e,
    );
  const undo = (changeId: unknown, serverId: string | null = 'server-1') =>
    tools.runParsed(ctx({}, serverId), tool('undo_change'), { change_id: changeId });

  describe('the server policy', () => {
    it('a tool the policy leaves out is a 403 result naming it; nothing reaches Planhat', async () => {
      const e = failed(await tools.run(ctx({ methods: ['read'] }), tool('create_a_planhat_company'), { name: 'x' }));
      expect([e.status, e.code]).toEqual([403, ErrorCode.FORBIDDEN]);
      expect(e.message).toBe('Tool "create_a_planhat_company" is not allowed on this server');
      expect(received).toEqual([]);
    });

    it('tags select tools: a support-only server lists tickets but not companies', async () => {
      const support = ctx({ tags: ['support'] });
      expect(failed(await tools.run(support, tool('list_all_planhat_companies'), {})).code).toBe(ErrorCode.FORBIDDEN);
      expect(ok(await tools.run(support, tool('list_all_planhat_tickets'), { limit: 2 })).result).toHaveLength(2);
    });

    it('a config with a problem allows nothing, not even a read', async () => {
      for (const config of [{ methods: [] }, { tags: [] }, { nope: true }] as McpServerConfig[]) {
        expect(failed(await tools.run(ctx(config), tool('list_all_planhat_companies'), {})).status).toBe(403);
      }
      expect(received).toEqual([]);
    });
  });

  describe('reads', () => {
    it('a list answers {result, next_cursor}, structured and as the same JSON text; the cursor pages on', async () => {
      const list = tool('list_all_planhat_companies');
      const first = ok(await tools.run(ctx(), list, { limit: 3 }));
      expect(first.result).toHaveLength(3);
      expect(typeof first.next_cursor).toBe('string');
      const second = ok(await tools.run(ctx(), list, { limit: 3, next_cursor: first.next_cursor }));
      const idsOf = (page: Rec) => (page.result as Rec[]).map((r) => r._id);
      expect(idsOf(second)).toHaveLength(3);
      expect(idsOf(second)).not.toContain(idsOf(first)[0]);
      expect(received).toEqual(['GET /companies?limit=3&offset=0', 'GET /companies?limit=3&offset=3']);
    });

    it('a get answers the record', async () => {
      const c = await newCompany('Get Probe');
      expect(ok(await tools.run(ctx(), tool('get_single_planhat_company_by_id'), { id: c._id }))).toMatchObject({
        _id: c._id,
        name: 'Get Probe',
      });
    });

    it('an insight runs InsightsService under its tool name', async () => {
      await newCompany('Zyxwv Insight Probe');
      const out = ok(await tools.run(ctx(), tool('resolve'), { query: 'Zyxwv Insight Probe' }));
      expect(JSON.stringify(out)).toContain('Zyxwv Insight Probe');
    });

    it('a unified list answers unified records, without remote_data unless asked', async () => {
      const page = ok(await tools.run(ctx(), tool('list_all_crm_accounts'), { limit: 2 }));
      const rows = page.result as Rec[];
      expect(rows).toHaveLength(2);
      expect(rows[0]).toHaveProperty('id');
      expect(rows[0]).not.toHaveProperty('remote_data');
    });
  });

  describe('errors as results', () => {
    it('arguments that fail the schema are a 400 naming the field and the tool; nothing reaches Planhat', async () => {
      const missing = failed(await tools.run(ctx(), tool('create_a_planhat_company'), {}));
      expect(missing).toMatchObject({ status: 400, code: ErrorCode.INVALID_INPUT, field: 'name' });
      expect(missing.message).toBe('Missing required field: name');
      expect(missing.next_step).toBe(
        'Fix the field `name` and call again ' +
          '(the input schema of create_a_planhat_company lists the fields and their types).',
      );
      const unknown = failed(await tools.run(ctx(), tool('get_single_planhat_company_by_id'), { id: 'x', extra: 1 }));
      expect(unknown.message).toMatch(/^Unknown argument: extra/);
      expect(received).toEqual([]);
    });

    it('a record Planhat does not have is a 404 that quotes Planhat and points to the list tool', async () => {
      const e = failed(await tools.run(ctx(), tool('get_single_planhat_company_by_id'), { id: 'extid-no-such' }));
      expect([e.status, e.code]).toEqual([404, ErrorCode.NOT_FOUND]);
      expect(e.planhat_message).toBeTruthy();
      expect(e.next_step).toMatch(/^Call list_all_planhat_companies to find a valid id/);
    });

    it('Planhat failing a write says it may have applied; failing a read says to retry', async () => {
      const c = await newCompany('Fault Probe');
      await sandboxFault('PUT /companies', '500');
      const write = failed(
        await tools.runParsed(ctx(), tool('update_a_planhat_company_by_id'), { id: c._id, phase: 'X' }),
      );
      expect([write.status, write.code]).toEqual([502, ErrorCode.UPSTREAM_ERROR]);
      expect(write.next_step).toMatch(/the write may or may not have applied/);
      await sandboxFault('GET /companies', '500');
      const read = failed(await tools.runParsed(ctx(), tool('list_all_planhat_companies'), {}));
      expect(read.next_step).toBe('Planhat failed or did not answer in time. Retry in a few seconds.');
    });

    it('a failure that is no GatewayError is a 500 INTERNAL result, never a throw', async () => {
      const e = failed(await tools.runParsed(ctx(), tool('resolve'), { query: undefined as unknown as string }));
      expect([e.status, e.code]).toEqual([500, ErrorCode.INTERNAL]);
    });

    it('errorContext: the list tool that finds ids, and whether the tool writes', () => {
      expect(errorContext(tool('delete_a_planhat_company_by_id'))).toEqual({
        tool: 'delete_a_planhat_company_by_id',
        listTool: 'list_all_planhat_companies',
        write: true,
      });
      expect(errorContext(tool('get_single_crm_account_by_id'))).toEqual({
        tool: 'get_single_crm_account_by_id',
        listTool: 'list_all_crm_accounts',
        write: false,
      });
      expect(errorContext(tool('resolve'))).toEqual({ tool: 'resolve', write: false });
      expect(errorContext(tool('undo_change'))).toEqual({ tool: 'undo_change', write: true });
    });
  });

  describe('writes, the change log and undo_change', () => {
    it('a create answers a change_id; undoing it deletes the record', async () => {
      const created = ok(
        await tools.runParsed(ctx(), tool('create_a_planhat_company'), { name: 'Create Probe', phase: 'Onboarding' }),
      );
      expect(created.change_id).toMatch(/^[0-9a-f-]{36}$/);
      const undone = ok(await undo(created.change_id));
      expect(undone).toMatchObject({ undone: created.change_id, op: 'create', deleted_id: created._id });
      expect(((await current('companies', created._id)) as GatewayError).code).toBe(ErrorCode.NOT_FOUND);
    });

    it('without an MCP server nothing is recorded: no change_id, no warning', async () => {
      const created = ok(await tools.runParsed(ctx({}, null), tool('create_a_planhat_company'), { name: 'Anon' }));
      expect(created).not.toHaveProperty('change_id');
      expect(created).not.toHaveProperty('change_warning');
      expect((await current('companies', created._id)) as Rec).toMatchObject({ name: 'Anon' });
    });

    it('an idempotency_key makes one write per key and server; another body with the key is a 409', async () => {
      const create = tool('create_a_planhat_company');
      const args = { name: 'Idem Probe', idempotency_key: 'spec-key-1' };
      const first = ok(await tools.runParsed(ctx(), create, args));
      const again = ok(await tools.runParsed(ctx(), create, args));
      expect(again).toEqual(first);
      expect(received.filter((r) => r.startsWith('POST '))).toHaveLength(1);
      const other = failed(await tools.runParsed(ctx(), create, { ...args, name: 'Idem Other' }));
      expect([other.status, other.code]).toEqual([409, ErrorCode.CONFLICT]);
      const elsewhere = ok(await tools.runParsed(ctx({}, 'server-2'), create, args));
      expect(elsewhere._id).not.toBe(first._id);
      const bad = failed(await tools.runParsed(ctx(), create, { name: 'x', idempotency_key: '' }));
      expect(bad.message).toBe('idempotency_key is empty');
    });

    it('an update is recorded with its before-image; undo restores the fields it changed', async () => {
      const c = await newCompany('Update Probe');
      received.length = 0;
      const updated = ok(
        await tools.runParsed(ctx(), tool('update_a_planhat_company_by_id'), { id: c._id, phase: 'Adopting' }),
      );
      expect(updated).toMatchObject({ _id: c._id, phase: 'Adopting', change_id: expect.any(String) });
      expect(received.map((r) => r.split(' ')[0])).toEqual(['GET', 'PUT']);
      const undone = ok(await undo(updated.change_id));
      expect(undone.restored).toEqual([{ field: 'phase', value: 'Onboarding' }]);
      expect(((await current('companies', c._id)) as Rec).phase).toBe('Onboarding');
    });

    it('dry_run previews an update or a delete, writes nothing and records nothing', async () => {
      const c = await newCompany('Dry Probe');
      received.length = 0;
      const update = ok(
        await tools.runParsed(ctx(), tool('update_a_planhat_company_by_id'), {
          id: c._id,
          phase: 'Renewal',
          dry_run: true,
        }),
      );
      expect(update).toEqual({
        dry_run: true,
        _id: c._id,
        changes: [{ field: 'phase', before: 'Onboarding', after: 'Renewal' }],
        unchanged: [],
      });
      const del = ok(
        await tools.runParsed(ctx(), tool('delete_a_planhat_company_by_id'), { id: c._id, dry_run: true }),
      );
      expect(del).toMatchObject({ dry_run: true, would_delete: { _id: c._id } });
      expect(received.every((r) => r.startsWith('GET '))).toBe(true);
      expect(((await current('companies', c._id)) as Rec).phase).toBe('Onboarding');
    });

    it('a delete is recorded with its before-image; undo creates the record again under a new _id', async () => {
      const c = await newCompany('Delete Probe');
      const deleted = ok(await tools.runParsed(ctx(), tool('delete_a_planhat_company_by_id'), { id: c._id }));
      expect(deleted.change_id).toEqual(expect.any(String));
      const undone = ok(await undo(deleted.change_id));
      expect(undone).toMatchObject({ op: 'delete', previous_id: c._id });
      expect(undone.restored_id).not.toBe(c._id);
      expect((await current('companies', undone.restored_id)) as Rec).toMatchObject({ name: 'Delete Probe' });
    });

    it('undo of a record changed since is a 409 result carrying both versions', async () => {
      const c = await newCompany('Conflict Probe');
      const updated = ok(
        await tools.runParsed(ctx(), tool('update_a_planhat_company_by_id'), { id: c._id, phase: 'Adopting' }),
      );
      await planhat.update(accountId, 'companies', String(c._id), { phase: 'Churned' });
      const e = failed(await undo(updated.change_id));
      expect([e.status, e.code]).toEqual([409, ErrorCode.CONFLICT]);
      expect(e.recorded).toMatchObject({ phase: 'Adopting' });
      expect(e.current).toMatchObject({ phase: 'Churned' });
      expect(e.text).toContain('Recorded after the change: {');
      expect(e.text).toContain('"phase":"Churned"');
      expect(((await current('companies', c._id)) as Rec).phase).toBe('Churned');
    });

    it('undo_change: not without an MCP server, only a UUID, only this server’s changes', async () => {
      const c = await newCompany('Scope Probe');
      const updated = ok(
        await tools.runParsed(ctx(), tool('update_a_planhat_company_by_id'), { id: c._id, phase: 'Adopting' }),
      );
      expect(failed(await undo(updated.change_id, null)).message).toBe(
        'Tool "undo_change" is not allowed on this server',
      );
      expect(failed(await undo('not-a-uuid'))).toMatchObject({ status: 400, field: 'change_id' });
      expect(failed(await undo('00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect(failed(await undo(updated.change_id, 'server-2')).status).toBe(404);
      expect(((await current('companies', c._id)) as Rec).phase).toBe('Adopting');
    });

    it('when the change log cannot be written the write stands and the answer says undo is not available', async () => {
      const db = moduleRef.get(DataSource);
      await db.query('ALTER TABLE mcp_change RENAME TO mcp_change_away');
      try {
        const created = ok(await tools.runParsed(ctx(), tool('create_a_planhat_company'), { name: 'Unlogged' }));
        expect(created).not.toHaveProperty('change_id');
        expect(created.change_warning).toMatch(/undo_change is not available/);
        expect((await current('companies', created._id)) as Rec).toMatchObject({ name: 'Unlogged' });
      } finally {
        await db.query('ALTER TABLE mcp_change_away RENAME TO mcp_change');
      }
    });

    it('a bulk upsert answers Planhat’s summary and records no change', async () => {
      const out = ok(
        await tools.runParsed(ctx(), tool('bulk_upsert_planhat_companies'), {
          items: [{ name: 'Bulk Probe', externalId: 'bulk-probe-1' }],
        }),
      );
      expect(out).toMatchObject({ created: 1 });
      expect(out).not.toHaveProperty('change_id');
    });

    it('a unified update is recorded against the Planhat record; undo restores it', async () => {
      const c = await newCompany('Unified Probe');
      const updated = ok(
        await tools.runParsed(ctx(), tool('update_a_crm_account_by_id'), { id: c._id, name: 'Unified Renamed' }),
      );
      expect(updated).toMatchObject({ id: c._id, name: 'Unified Renamed', change_id: expect.any(String) });
      const undone = ok(await undo(updated.change_id));
      expect(undone).toMatchObject({ op: 'update', model: 'companies', _id: c._id });
      expect(((await current('companies', c._id)) as Rec).name).toBe('Unified Probe');
    });

    it('a unified create is recorded with the Planhat record read back; undo deletes it', async () => {
      const created = ok(await tools.runParsed(ctx(), tool('create_a_crm_account'), { name: 'Unified New' }));
      expect(created.change_id).toEqual(expect.any(String));
      expect(ok(await undo(created.change_id))).toMatchObject({ op: 'create', deleted_id: created.id });
      expect(((await current('companies', created.id)) as GatewayError).code).toBe(ErrorCode.NOT_FOUND);
    });
  });

  describe('schemaOf', () => {
    it("a create tool's schema carries the account's custom fields; a list tool's does not", async () => {
      const defs = (await planhat.listPage(accountId, 'custom_fields', {}, { limit: 2000 })).data.result;
      const names = defs.filter((d) => d.parent === 'Company').map((d) => d.name);
      expect(names.length).toBeGreaterThan(0);
      const create = await tools.schemaOf(ctx(), tool('create_a_planhat_company'));
      const custom = (create.properties as Record<string, Rec>).custom;
      expect(Object.keys(custom.properties as Rec).sort()).toEqual([...names].sort());
      const list = await tools.schemaOf(ctx(), tool('list_all_planhat_companies'));
      expect(list.properties).not.toHaveProperty('custom');
    });
  });

  const sandboxFault = (match: string, fault: string) => sandbox.fault(match, fault);
});
