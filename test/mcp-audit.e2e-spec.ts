/**
 * The MCP audit log (issue #22 item 5): every tools/call is recorded (time, server, account, tool,
 * argument names with values only for ids/paging and sizes otherwise, outcome and status, latency,
 * Planhat requests, records written, change id); the admin API pages it with an opaque cursor and
 * filters (4xx on bad ones); MCP_AUDIT_RETENTION_DAYS rows are pruned by the expiry sweep; a database
 * failure never fails a tool call. Real MCP SDK client, embedded sandbox, SQLite file.
 */
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { McpServersService } from '../src/mcp-servers/mcp-servers.service';
import { AuditLog } from '../src/audit/audit-log.service';
import type { TestApp } from './support/test-app';
import { api, call, closeClients, connect, createServer, ok, startMcpApp, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp({ MCP_AUDIT_RETENTION_DAYS: '3' }));
});
afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function calls(serverId: string, query = ''): Promise<{ status: number; body: Json; text: string }> {
  await t.app.get(AuditLog).flush();
  return api(t, 'GET', `/integrated-account/${accountId}/mcp/${serverId}/calls${query}`);
}

async function allRows(serverId: string): Promise<Json[]> {
  const r = await calls(serverId, '?limit=500');
  expect(r.status).toBe(200);
  return r.body.result;
}

async function metricValue(series: string): Promise<number> {
  const text = (await api(t, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('audit rows', () => {
  it('records ok, error and denied calls with the right fields and no secret values', async () => {
    const started = new Date().toISOString();
    const s = await createServer(t, accountId, {});
    const client = await connect(s.url);
    await ok(client, 'list_all_planhat_companies', { limit: 2, select: 'name' });
    const created = await ok(client, 'create_a_planhat_company', {
      name: 'Audit Secret Name 7781',
      idempotency_key: 'audit-secret-key-5521',
    });
    const updated = await ok(client, 'update_a_planhat_company_by_id', { id: created._id, phase: 'Adopting' });
    const missing = await call(client, 'get_single_planhat_company_by_id', { id: '5f1c0ffee0c0ffee0c0ffee0' });
    expect(missing.isError).toBe(true);
    const invalid = await call(client, 'list_all_planhat_companies', { limit: 'many' });
    expect(invalid.isError).toBe(true);
    const readOnly = await createServer(t, accountId, { methods: ['read'] });
    const denied = await call(await connect(readOnly.url), 'create_a_planhat_company', {
      name: 'Audit Denied Secret 9931',
    });
    expect(denied.isError).toBe(true);

    const rows = await allRows(s.id);
    expect(rows.map((r) => r.tool)).toEqual([
      'list_all_planhat_companies',
      'get_single_planhat_company_by_id',
      'update_a_planhat_company_by_id',
      'create_a_planhat_company',
      'list_all_planhat_companies',
    ]);
    const [badList, get404, update, create, list] = rows;
    for (const r of rows) {
      expect(r).toMatchObject({ mcp_server_id: s.id, integrated_account_id: accountId });
      expect(Number.isInteger(r.latency_ms) && r.latency_ms >= 0).toBe(true);
      expect(r.time >= started && r.time <= new Date().toISOString()).toBe(true);
    }
    expect(list).toMatchObject({
      outcome: 'ok',
      status: null,
      upstream_calls: 1,
      records_written: 0,
      change_id: null,
      arguments: { limit: { value: 2 }, select: { value: 'name' } },
    });
    expect(create).toMatchObject({
      outcome: 'ok',
      upstream_calls: 1,
      records_written: 1,
      change_id: created.change_id,
      arguments: {
        name: { bytes: Buffer.byteLength('"Audit Secret Name 7781"') },
        idempotency_key: { bytes: Buffer.byteLength('"audit-secret-key-5521"') },
      },
    });
    // The before-image read, then the write.
    expect(update).toMatchObject({
      outcome: 'ok',
      upstream_calls: 2,
      records_written: 1,
      change_id: updated.change_id,
      arguments: { id: { value: created._id }, phase: { bytes: 10 } },
    });
    expect(get404).toMatchObject({ outcome: 'error', status: 404, upstream_calls: 1, records_written: 0 });
    expect(badList).toMatchObject({ outcome: 'error', status: 400, upstream_calls: 0 });

    const deniedRows = await allRows(readOnly.id);
    expect(deniedRows).toHaveLength(1);
    expect(deniedRows[0]).toMatchObject({
      tool: 'create_a_planhat_company',
      outcome: 'denied',
      status: 403,
      upstream_calls: 0,
      records_written: 0,
    });

    // No secret or customer value is stored: not in the API, not in the database file's rows.
    const stored = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM mcp_tool_call'));
    for (const secret of [
      'Audit Secret Name 7781',
      'audit-secret-key-5521',
      'Audit Denied Secret 9931',
      s.token,
      readOnly.token,
    ]) {
      expect(stored).not.toContain(secret);
      expect(JSON.stringify(rows)).not.toContain(secret);
    }
  });

  it('meta-tool calls are recorded under the meta-tool, with the tool name kept and the arguments sized', async () => {
    const s = await createServer(t, accountId, { tool_exposure: 'discovery' });
    const client = await connect(s.url);
    await ok(client, 'call_tool', { name: 'list_all_planhat_companies', arguments: { limit: 1 } });
    const [row] = await allRows(s.id);
    expect(row).toMatchObject({
      tool: 'call_tool',
      outcome: 'ok',
      upstream_calls: 1,
      arguments: { name: { value: 'list_all_planhat_companies' }, arguments: { bytes: 11 } },
    });
  });

  it('records calls over legacy SSE too', async () => {
    const s = await createServer(t, accountId, {});
    const sse = await connect(s.url, { sse: true });
    await ok(sse, 'list_all_planhat_users', { limit: 1 });
    const rows = await allRows(s.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tool: 'list_all_planhat_users',
      outcome: 'ok',
      upstream_calls: 1,
      arguments: { limit: { value: 1 } },
    });
  });
});

describe('GET /integrated-account/:id/mcp/:mcp_id/calls', () => {
  let server: { id: string; url: string; token: string };
  beforeAll(async () => {
    server = await createServer(t, accountId, {});
    const client = await connect(server.url);
    for (let i = 0; i < 4; i++) await ok(client, 'list_all_planhat_companies', { limit: 1 });
    await call(client, 'get_single_planhat_company_by_id', { id: '5f1c0ffee0c0ffee0c0ffee0' });
    await ok(client, 'list_all_planhat_endusers', { limit: 1 });
  });

  it('pages newest first with an opaque cursor, every row once', async () => {
    const all = await allRows(server.id);
    expect(all).toHaveLength(6);
    const seen: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await calls(server.id, `?limit=4${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.result);
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen.map((r) => r.id)).toEqual(all.map((r) => r.id));
    const times = seen.map((r) => r.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by tool, outcome and time range', async () => {
    const byTool = await calls(server.id, '?tool=list_all_planhat_companies');
    expect(byTool.body.result).toHaveLength(4);
    expect(byTool.body.result.every((r: Json) => r.tool === 'list_all_planhat_companies')).toBe(true);
    const errors = await calls(server.id, '?outcome=error');
    expect(errors.body.result.map((r: Json) => r.tool)).toEqual(['get_single_planhat_company_by_id']);
    expect((await calls(server.id, '?outcome=denied')).body.result).toEqual([]);
    const all = await allRows(server.id);
    const oldest = all[all.length - 1].time;
    const newest = all[0].time;
    expect(
      (await calls(server.id, `?from=${encodeURIComponent(newest)}`)).body.result.map((r: Json) => r.id),
    ).toContain(all[0].id);
    expect((await calls(server.id, `?to=${encodeURIComponent(oldest)}`)).body.result).toEqual([]);
    const inRange = await calls(
      server.id,
      `?from=${encodeURIComponent(oldest)}&to=${encodeURIComponent(new Date(Date.parse(newest) + 1).toISOString())}&tool=list_all_planhat_companies&limit=2`,
    );
    expect(inRange.body.result).toHaveLength(2);
    // The cursor keeps the filters: the next page goes on with the same ones.
    const next = await calls(
      server.id,
      `?from=${encodeURIComponent(oldest)}&to=${encodeURIComponent(new Date(Date.parse(newest) + 1).toISOString())}&tool=list_all_planhat_companies&limit=2&next_cursor=${encodeURIComponent(inRange.body.next_cursor)}`,
    );
    expect(next.body.result).toHaveLength(2);
    expect(next.body.next_cursor).toBeNull();
  });

  it('answers bad filters, cursors and limits with a 400 naming the field', async () => {
    const first = await calls(server.id, '?limit=1');
    const cursor = first.body.next_cursor as string;
    const bad: [string, string][] = [
      ['?outcome=bogus', 'outcome'],
      ['?from=yesterday', 'from'],
      ['?to=2026-13-45', 'to'],
      ['?from=2026-12-02&to=2026-12-01', 'from'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
      ['?limit=abc', 'limit'],
      ['?tool=a&tool=b', 'tool'],
      ['?outcom=ok', 'outcom'],
      [`?next_cursor=${encodeURIComponent(cursor.slice(0, -2) + 'xx')}`, 'next_cursor'],
      [`?next_cursor=${encodeURIComponent(cursor)}&outcome=ok`, 'next_cursor'],
    ];
    for (const [query, field] of bad) {
      const r = await calls(server.id, query);
      expect([query, r.status]).toEqual([query, 400]);
      expect(r.text).toContain(field === 'next_cursor' ? 'next_cursor' : field);
    }
  });

  it('needs an admin token like its sibling routes; unknown servers and other accounts are 404', async () => {
    expect(
      (await api(t, 'GET', `/integrated-account/${accountId}/mcp/${server.id}/calls`, undefined, null)).status,
    ).toBe(401);
    const mcpToken = await api(t, 'POST', '/api-token', { name: 'audit mcp scope', scope: 'mcp' });
    expect(mcpToken.status).toBe(201);
    expect(
      (await api(t, 'GET', `/integrated-account/${accountId}/mcp/${server.id}/calls`, undefined, mcpToken.body.token))
        .status,
    ).toBe(403);
    expect((await calls('3f0c2b9e-8d1a-4e57-9c1b-0a2d4e6f8a10')).status).toBe(404);
    const other = await api(t, 'POST', '/integrated-account', {
      name: 'audit other',
      environment: 'custom',
      api_token: 'x',
      base_url: 'https://api.planhat.com',
    });
    expect(other.status).toBe(201);
    expect((await api(t, 'GET', `/integrated-account/${other.body.id}/mcp/${server.id}/calls`)).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/docs-json`)).json()) as Json;
    const op = doc.paths['/integrated-account/{id}/mcp/{mcp_id}/calls']?.get;
    expect(op).toBeDefined();
    expect(op.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'next_cursor', 'tool', 'outcome', 'from', 'to']),
    );
  });
});

describe('retention and failures', () => {
  it('the expiry sweep prunes rows older than MCP_AUDIT_RETENTION_DAYS and changes past the undo window', async () => {
    const s = await createServer(t, accountId, {});
    const client = await connect(s.url);
    const created = await ok(client, 'create_a_planhat_company', { name: 'Audit Retention Probe' });
    expect(await allRows(s.id)).toHaveLength(1);
    const db = t.app.get(DataSource);
    const changeRows = async () =>
      (await db.query('SELECT id FROM mcp_change WHERE id = $1'.replace('$1', `'${created.change_id}'`))).length;
    expect(await changeRows()).toBe(1);
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    const sweepAt = async (days: number) => {
      clock.now = () => new Date(Date.now() + days * 86_400_000);
      try {
        await t.app.get(McpServersService).sweepExpired();
      } finally {
        clock.now = realNow;
      }
    };
    await sweepAt(0.5);
    expect(await changeRows()).toBe(1);
    await sweepAt(1.1);
    expect(await changeRows()).toBe(0);
    expect(await allRows(s.id)).toHaveLength(1);
    await sweepAt(2.9);
    expect(await allRows(s.id)).toHaveLength(1);
    await sweepAt(3.1);
    expect(await allRows(s.id)).toHaveLength(0);
  });

  it('a database failure fails no tool call: it is logged and counted', async () => {
    const s = await createServer(t, accountId, {});
    const client = await connect(s.url);
    const db = t.app.get(DataSource);
    const c = await ok(client, 'create_a_planhat_company', { name: 'Audit Failure Probe' });
    // The create's row is written in the background: written before the tables go away, not after.
    await t.app.get(AuditLog).flush();
    const callFailures = await metricValue('gateway_mcp_audit_write_failures_total{table="mcp_tool_call"}');
    const changeFailures = await metricValue('gateway_mcp_audit_write_failures_total{table="mcp_change"}');
    await db.query('ALTER TABLE mcp_tool_call RENAME TO mcp_tool_call_offline');
    await db.query('ALTER TABLE mcp_change RENAME TO mcp_change_offline');
    try {
      await ok(client, 'list_all_planhat_companies', { limit: 1 });
      const updated = await ok(client, 'update_a_planhat_company_by_id', { id: c._id, phase: 'Adopting' });
      expect(updated.phase).toBe('Adopting');
      expect(updated.change_id).toBeUndefined();
      expect(updated.change_warning).toContain('could not be recorded');
      await t.app.get(AuditLog).flush();
    } finally {
      await db.query('ALTER TABLE mcp_tool_call_offline RENAME TO mcp_tool_call');
      await db.query('ALTER TABLE mcp_change_offline RENAME TO mcp_change');
    }
    expect(await metricValue('gateway_mcp_audit_write_failures_total{table="mcp_tool_call"}')).toBe(callFailures + 2);
    expect(await metricValue('gateway_mcp_audit_write_failures_total{table="mcp_change"}')).toBe(changeFailures + 1);
    // Recording works again once the database does.
    await ok(client, 'list_all_planhat_companies', { limit: 1 });
    expect((await allRows(s.id)).map((r) => r.tool)).toEqual([
      'list_all_planhat_companies',
      'create_a_planhat_company',
    ]);
  });
});
