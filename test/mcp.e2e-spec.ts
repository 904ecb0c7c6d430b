import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Clock } from '../src/common/clock';
import type { TestApp } from './support/test-app';
import { toolIndex, toolsForConfig } from '../src/mcp-servers/policy';
import {
  api,
  call,
  closeClients,
  connect,
  createServer,
  ok,
  proxyAll,
  startMcpApp,
  textOf,
  type Json,
} from './mcp-helpers';

const SEED_NAMES: string[] = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/seed-tool-names.json'), 'utf8'));
const SNAPSHOT = path.join(__dirname, 'fixtures/mcp-tools.snapshot.json');

let t: TestApp;
let accountId: string;
let full: { id: string; token: string; url: string };

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  full = await createServer(t, accountId, {});
});

afterEach(async () => {
  await closeClients();
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('tools/list on an unfiltered server', () => {
  let tools: Json[];
  let instructions: string | undefined;
  beforeAll(async () => {
    const client = await connect(full.url);
    tools = (await client.listTools()).tools as Json[];
    instructions = client.getInstructions();
    await client.close();
  });

  it('lists the 97 seed tools, the bulk upserts and the unified tools: exactly the policy preview', () => {
    const names = tools.map((x) => x.name);
    expect(SEED_NAMES).toHaveLength(97);
    for (const n of SEED_NAMES) expect(names).toContain(n);
    expect(names).toEqual(toolsForConfig({}).map((x) => x.name));
    expect(names).toEqual(toolIndex().map((x) => x.name));
    expect(names.filter((n) => n.startsWith('bulk_upsert_planhat_')).length).toBeGreaterThan(3);
    for (const n of [
      'list_all_crm_accounts',
      'get_single_crm_account_by_id',
      'create_a_crm_account',
      'update_a_crm_account_by_id',
      'delete_a_crm_account_by_id',
      'list_all_ticketing_tickets',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('carries annotations, tags and flat input schemas', async () => {
    const byName = new Map(tools.map((x) => [x.name, x]));
    const list = byName.get('list_all_planhat_companies')!;
    // Hints equal to the MCP defaults are left out, and destructiveHint/idempotentHint on read-only
    // tools (the spec gives them meaning only when readOnlyHint is false).
    expect(list.annotations).toEqual({ readOnlyHint: true });
    expect(byName.get('create_a_planhat_company')!.annotations).toEqual({ destructiveHint: false });
    expect(byName.get('update_a_planhat_company_by_id')!.annotations).toEqual({
      destructiveHint: false,
      idempotentHint: true,
    });
    for (const x of tools) expect(Object.keys(x).sort()).toEqual(['annotations', 'description', 'inputSchema', 'name']);
    expect(Object.keys(list.inputSchema.properties)).toEqual(
      expect.arrayContaining(['limit', 'next_cursor', 'sort', 'select']),
    );
    expect(byName.get('delete_a_planhat_company_by_id')!.annotations).toMatchObject({
      destructiveHint: true,
      idempotentHint: true,
    });
    const get = byName.get('get_single_planhat_company_by_id')!;
    expect(get.inputSchema.required).toEqual(['id']);
    // What an id may be is said once, in the server's instructions, for every tool.
    expect(Object.keys(get.inputSchema.properties)).toEqual(['id']);
    expect(instructions).toMatch(
      /`id` takes the record's 24-hex `_id` from its list tool, or `extid-<externalId>` \/ `srcid-<sourceId>`/,
    );
    const create = byName.get('create_a_planhat_company')!;
    expect(create.inputSchema.required).toEqual(['name']);
    const bulk = byName.get('bulk_upsert_planhat_companies')!;
    expect(bulk.inputSchema.properties.items.type).toBe('array');
    expect(byName.get('list_all_planhat_invoices')!.description).toMatch(/cId/);
    // Tags and method: in the admin preview (and search_tools), not in each tools/list entry.
    const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools?tags=unified`);
    expect(preview.body.result.find((x: Json) => x.name === 'list_all_crm_accounts').tags).toEqual(['unified', 'crm']);
    expect(preview.body.result.find((x: Json) => x.name === 'list_all_crm_accounts').annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
  });

  it("puts the tenant's custom fields in create/update schemas as custom.properties with enums", async () => {
    const defs = await proxyAll(t, accountId, 'custom_fields');
    const companyDefs = defs.filter((d) => d.parent === 'Company');
    expect(companyDefs.length).toBeGreaterThan(0);
    // The update tool takes the create tool's fields: listed beside it, it names them by reference;
    // alone (a server that allows updates only) it carries them itself, custom fields included.
    const client = await connect((await createServer(t, accountId, { methods: ['update'] })).url);
    const updateAlone = (await client.listTools()).tools as Json[];
    expect(updateAlone.map((x) => x.name)).toContain('update_a_planhat_company_by_id');
    expect(
      tools.find((x) => x.name === 'update_a_planhat_company_by_id')!.inputSchema.properties.custom,
    ).toBeUndefined();
    for (const [toolName, list] of [
      ['create_a_planhat_company', tools],
      ['update_a_planhat_company_by_id', updateAlone],
    ] as const) {
      const custom = list.find((x) => x.name === toolName)!.inputSchema.properties.custom;
      expect(Object.keys(custom.properties).sort()).toEqual(companyDefs.map((d) => d.name).sort());
      for (const d of companyDefs) {
        const p = custom.properties[d.name];
        if (d.type === 'list') expect(p.enum).toEqual(d.listValues);
        if (d.type === 'number') expect(p.type).toBe('number');
      }
    }
    const segment = companyDefs.find((d) => d.name === 'Segment')!;
    expect(
      tools.find((x) => x.name === 'create_a_planhat_company')!.inputSchema.properties.custom.properties.Segment,
    ).toMatchObject({ type: 'string', enum: segment.listValues });
    const enduser = tools.find((x) => x.name === 'create_a_planhat_enduser')!.inputSchema.properties.custom.properties;
    expect(enduser.Newsletter.type).toBe('boolean');
  });

  it('matches the committed snapshot (regenerate with UPDATE_SNAPSHOTS=1 npx jest test/mcp.e2e-spec.ts)', () => {
    const snap = tools.map((x) => ({
      name: x.name,
      description: x.description,
      inputSchema: x.inputSchema,
      annotations: x.annotations,
    }));
    if (process.env.UPDATE_SNAPSHOTS === '1') {
      fs.writeFileSync(SNAPSHOT, JSON.stringify(snap, null, 2) + '\n');
      return;
    }
    if (!fs.existsSync(SNAPSHOT))
      throw new Error(`${SNAPSHOT} is missing: run UPDATE_SNAPSHOTS=1 npx jest test/mcp.e2e-spec.ts`);
    const committed = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'));
    try {
      expect(snap).toEqual(committed);
    } catch (err) {
      throw new Error(
        `The generated MCP tool list differs from test/fixtures/mcp-tools.snapshot.json. If the change is intended, regenerate it with UPDATE_SNAPSHOTS=1 npx jest test/mcp.e2e-spec.ts and review the diff.\n${(err as Error).message}`,
      );
    }
  });

  it('answers a raw tools/list POST (JSON response) with every tool, the same list again on a second request', async () => {
    // How fast: `npm run bench` (rows "mcp tools/list" and "mcp tools/list, 1 connection"), not a timed assertion here.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    const lists: Json[][] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(full.url, { method: 'POST', headers, body });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      lists.push(((await res.json()) as Json).result.tools);
    }
    expect(lists[0].map((x) => x.name)).toEqual(toolIndex().map((x) => x.name));
    expect(lists[1]).toEqual(lists[0]);
  });
});

describe('per-server policy', () => {
  it('methods ["read"] lists only list/get tools and refuses a create on every route; nothing is written', async () => {
    const before = await proxyAll(t, accountId, 'companies');
    const read = await createServer(t, accountId, { methods: ['read'] });
    const client = await connect(read.url);
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names.length).toBeGreaterThan(20);
    expect(names).toEqual(toolsForConfig({ methods: ['read'] }).map((x) => x.name));
    for (const n of names)
      expect(n).toMatch(
        /^(list_all_|get_single_|resolve$|account_360$|upcoming_renewals$|churn_summary$|nps_summary$|overdue_invoices$)/,
      );

    const direct = await call(client, 'create_a_planhat_company', { name: 'Policy Probe Direct' });
    expect(direct.isError).toBe(true);
    expect(textOf(direct)).toMatch(/not allowed on this server/);

    const disc = await createServer(t, accountId, { methods: ['read'], tool_exposure: 'discovery' });
    const dc = await connect(disc.url, { sse: true });
    expect((await dc.listTools()).tools.map((x) => x.name)).toEqual(['search_tools', 'get_tool_schema', 'call_tool']);
    const viaCall = await call(dc, 'call_tool', {
      name: 'create_a_planhat_company',
      arguments: { name: 'Policy Probe Discovery' },
    });
    expect(viaCall.isError).toBe(true);
    expect(textOf(viaCall)).toMatch(/not allowed on this server/);
    const schema = await call(dc, 'get_tool_schema', { name: 'create_a_planhat_company' });
    expect(schema.isError).toBe(true);
    expect(textOf(schema)).toMatch(/not found/);
    const found = await ok(dc, 'search_tools', { query: 'create company' });
    expect(found.tools.map((x: Json) => x.name)).not.toContain('create_a_planhat_company');
    // A direct call of a native tool is refused too: only the meta-tools exist on this server.
    expect((await call(dc, 'list_all_planhat_companies', {})).isError).toBe(true);

    const ma = await createServer(t, accountId, { methods: ['read'], tool_exposure: 'model_actions' });
    const mc = await connect(ma.url);
    expect((await mc.listTools()).tools.map((x) => x.name)).toEqual([
      'get_model_actions',
      'get_model_action_parameters',
      'perform_model_action',
    ]);
    const viaAction = await call(mc, 'perform_model_action', {
      MODEL_ROUTE: 'Companies',
      OPERATION: 'create',
      PARAMETERS: JSON.stringify({ name: 'Policy Probe Actions' }),
    });
    expect(viaAction.isError).toBe(true);
    expect(textOf(viaAction)).toMatch(/not allowed on this server/);
    const actions = await ok(mc, 'get_model_actions');
    const companies = actions.models.find((m: Json) => m.MODEL_ROUTE === 'companies');
    expect(companies.operations).toEqual(['list', 'view']);

    const after = await proxyAll(t, accountId, 'companies');
    expect(after.length).toBe(before.length);
    expect(after.some((c) => String(c.name).startsWith('Policy Probe'))).toBe(false);
  });

  it('tags ["support"] lists only ticket and issue tools', async () => {
    const s = await createServer(t, accountId, { tags: ['support'] });
    const client = await connect(s.url);
    const tools = (await client.listTools()).tools;
    expect(tools.length).toBeGreaterThan(0);
    for (const x of tools) expect(x.name).toMatch(/_planhat_(tickets?|issues?)(_by_id)?$/);
    expect(tools.map((x) => x.name)).toEqual(
      expect.arrayContaining(['list_all_planhat_tickets', 'list_all_planhat_issues']),
    );
  });

  it('discovery: search, describe and call allowed tools', async () => {
    const s = await createServer(t, accountId, { tool_exposure: 'discovery', tags: ['finance'] });
    const client = await connect(s.url);
    const found = await ok(client, 'search_tools', { query: 'overdue invoices' });
    expect(found.tools[0].name).toMatch(/invoice/);
    const onlyRead = await ok(client, 'search_tools', { query: 'invoice', methods: ['read'] });
    for (const x of onlyRead.tools) expect(x.method).toBe('read');
    const schema = await ok(client, 'get_tool_schema', { name: 'list_all_planhat_invoices' });
    expect(schema.inputSchema.properties.limit).toBeDefined();
    const page = await ok(client, 'call_tool', { name: 'list_all_planhat_invoices', arguments: { limit: 3 } });
    expect(page.result).toHaveLength(3);
    expect(typeof page.next_cursor).toBe('string');
    const denied = await call(client, 'call_tool', { name: 'list_all_planhat_tickets', arguments: {} });
    expect(textOf(denied)).toMatch(/not allowed/);
  });

  it('model_actions: routes in any case, view = get, PARAMETERS as JSON', async () => {
    const s = await createServer(t, accountId, { tool_exposure: 'model_actions' });
    const client = await connect(s.url);
    for (const route of ['Companies', 'companies', 'COMPANIES']) {
      const p = await ok(client, 'get_model_action_parameters', { MODEL_ROUTE: route, OPERATION: 'create' });
      expect(p.parameters.required).toEqual(['name']);
      expect(p.parameters.properties.custom.properties.Segment).toBeDefined();
    }
    for (const route of ['time_entries', 'timeentries', 'TimeEntries']) {
      const p = await ok(client, 'get_model_action_parameters', { MODEL_ROUTE: route, OPERATION: 'list' });
      expect(p.tool).toBe('list_all_planhat_time_entries');
    }
    const list = await ok(client, 'perform_model_action', {
      MODEL_ROUTE: 'Companies',
      OPERATION: 'list',
      PARAMETERS: '{"limit": 2}',
    });
    expect(list.result).toHaveLength(2);
    const view = await ok(client, 'perform_model_action', {
      MODEL_ROUTE: 'companies',
      OPERATION: 'view',
      PARAMETERS: JSON.stringify({ id: list.result[0]._id }),
    });
    expect(view._id).toBe(list.result[0]._id);
    const bad = await call(client, 'perform_model_action', {
      MODEL_ROUTE: 'companies',
      OPERATION: 'list',
      PARAMETERS: '{not json',
    });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/PARAMETERS/);
    const badOp = await call(client, 'get_model_action_parameters', { MODEL_ROUTE: 'companies', OPERATION: 'explode' });
    expect(textOf(badOp)).toMatch(/OPERATION/);
  });
});

describe('access', () => {
  async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('unknown token → 404 JSON, on every route', async () => {
    const url = `${t.url}/mcp/phm_doesnotexist`;
    expect(await status(url)).toBe(404);
    const r = await api(t, 'GET', '/mcp/phm_doesnotexist/sse', undefined, null);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
    expect((await api(t, 'POST', '/mcp/phm_doesnotexist/messages?sessionId=x', {}, null)).status).toBe(404);
  });

  it('require_api_token_auth: 401 without a valid API token, works with one', async () => {
    const s = await createServer(t, accountId, { require_api_token_auth: true });
    expect(await status(s.url)).toBe(401);
    expect(await status(s.url, { authorization: 'Bearer phg_wrong' })).toBe(401);
    await expect(connect(s.url)).rejects.toThrow();
    const token = (await api(t, 'POST', '/api-token', { name: 'mcp client' })).body.token as string;
    expect(await status(s.url, { authorization: `Bearer ${token}` })).toBe(200);
    const client = await connect(s.url, { headers: { authorization: `Bearer ${token}` } });
    expect((await client.listTools()).tools.length).toBeGreaterThan(50);
    const sse = await connect(s.url, { sse: true, headers: { authorization: `Bearer ${token}` } });
    expect((await sse.listTools()).tools.length).toBeGreaterThan(50);
  });

  it('expired server → 404 (Clock), deleted server → 404 at once', async () => {
    const s = await createServer(t, accountId, {}, { expires_at: new Date(Date.now() + 3600_000).toISOString() });
    expect(await status(s.url)).toBe(200);
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 2 * 3600_000);
    try {
      expect(await status(s.url)).toBe(404);
    } finally {
      clock.now = realNow;
    }
    const d = await createServer(t, accountId, {});
    expect(await status(d.url)).toBe(200);
    expect((await api(t, 'DELETE', `/integrated-account/${accountId}/mcp/${d.id}`)).status).toBeLessThan(300);
    expect(await status(d.url)).toBe(404);
  });

  it('SSE sessions are bound to their token; GET/DELETE on the stateless endpoint → 405', async () => {
    const a = await createServer(t, accountId, {});
    const b = await createServer(t, accountId, {});
    const res = await fetch(`${a.url}/sse`);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('sessionId=')) text += new TextDecoder().decode((await reader.read()).value);
    const sessionId = /sessionId=([\w-]+)/.exec(text)![1];
    const msg = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    expect((await api(t, 'POST', `/mcp/${b.token}/messages?sessionId=${sessionId}`, msg, null)).status).toBe(404);
    expect((await api(t, 'POST', `/mcp/${a.token}/messages?sessionId=${sessionId}`, msg, null)).status).toBe(202);
    await reader.cancel();
    expect((await api(t, 'GET', `/mcp/${a.token}`, undefined, null)).status).toBe(405);
    expect((await api(t, 'DELETE', `/mcp/${a.token}`, undefined, null)).status).toBe(405);
  });
});

describe('results and errors', () => {
  let client: Client;
  beforeEach(async () => {
    client = await connect(full.url);
  });

  it('lists return {result, next_cursor}; the cursor continues', async () => {
    const p1 = await ok(client, 'list_all_planhat_companies', { limit: 5, sort: 'name', select: 'name' });
    expect(p1.result).toHaveLength(5);
    const p2 = await ok(client, 'list_all_planhat_companies', {
      limit: 5,
      sort: 'name',
      select: 'name',
      next_cursor: p1.next_cursor,
    });
    expect(p2.result[0]._id).not.toBe(p1.result[4]._id);
    expect(new Set([...p1.result, ...p2.result].map((c: Json) => c._id)).size).toBe(10);
  });

  it('cuts lists under the size budget at whole records with a cursor', async () => {
    const r = await call(client, 'list_all_planhat_conversations', { limit: 2000 });
    expect(r.isError).toBeFalsy();
    expect(Buffer.byteLength(textOf(r))).toBeLessThan(110_000);
    const all = await proxyAll(t, accountId, 'conversations');
    if (Buffer.byteLength(JSON.stringify(all)) > 100_000)
      expect(r.structuredContent!.next_cursor).toEqual(expect.any(String));
  });

  it('404 for an unknown id names the list tool', async () => {
    const r = await call(client, 'get_single_planhat_company_by_id', { id: '0123456789abcdef01234567' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/404/);
    expect(textOf(r)).toMatch(/list_all_planhat_companies/);
    expect(r.structuredContent!.error).toMatchObject({ status: 404 });
  });

  it('400s name the field, and nothing reaches Planhat', async () => {
    const before = (await proxyAll(t, accountId, 'companies')).length;
    const missing = await call(client, 'create_a_planhat_company', { status: 'customer' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/400/);
    expect(textOf(missing)).toMatch(/name/);
    const wrongType = await call(client, 'create_a_planhat_company', { name: 'Bad Score Inc', csmScore: 'high' });
    expect(textOf(wrongType)).toMatch(/csmScore/);
    expect(wrongType.structuredContent!.error.field).toBe('csmScore');
    const unknownArg = await call(client, 'list_all_planhat_companies', { colour: 'red' });
    expect(textOf(unknownArg)).toMatch(/colour/);
    expect((await proxyAll(t, accountId, 'companies')).length).toBe(before);
  });

  it('unified tools run through the unified API', async () => {
    const accounts = await ok(client, 'list_all_crm_accounts', { limit: 2 });
    expect(accounts.result).toHaveLength(2);
    const one = await ok(client, 'get_single_crm_account_by_id', { id: accounts.result[0].id });
    expect(one.id).toBe(accounts.result[0].id);
  });

  it('a tools/call answers the same over Streamable HTTP (with and without _meta) and legacy SSE', async () => {
    const sse = await connect(full.url, { sse: true });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const post = async (params: Json) => {
      const res = await fetch(full.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 'x-1', method: 'tools/call', params }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const text = await res.text();
      if (res.headers.get('content-length') !== null)
        expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
      const body = JSON.parse(text) as Json;
      expect(body).toMatchObject({ jsonrpc: '2.0', id: 'x-1' });
      return body.result as Json;
    };
    const company = (await ok(client, 'list_all_planhat_companies', { limit: 1 })).result[0]._id;
    const cases: [string, Json | undefined][] = [
      ['list_all_planhat_companies', { limit: 3 }],
      ['list_all_planhat_companies', undefined],
      ['list_all_planhat_conversations', { limit: 2000 }], // cut at the size budget, several chunks
      ['list_all_crm_accounts', { limit: 1000 }],
      ['get_single_planhat_company_by_id', { id: company }],
      ['get_single_planhat_company_by_id', { id: '0123456789abcdef01234567' }],
      ['list_all_planhat_companies', { limit: 'x' }],
      ['list_all_planhat_companies', { colour: 'red' }],
      ['no_such_tool', {}],
    ];
    for (const [name, args] of cases) {
      const params = args === undefined ? { name } : { name, arguments: args };
      const direct = await post(params);
      const viaTransport = await post({ ...params, _meta: { note: 'with _meta' } });
      const viaSse = await sse.callTool(params);
      expect(direct).toEqual(viaTransport);
      expect(direct).toEqual(viaSse);
      if (!direct.isError) expect(JSON.parse(direct.content[0].text)).toEqual(direct.structuredContent);
    }
  });
});
