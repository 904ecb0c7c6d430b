/**
 * Issue 19 items 2-4: what an MCP client pays for and accepts. A real MCP SDK client (and raw
 * JSON-RPC for byte counts) against the gateway and its embedded sandbox over real HTTP.
 *
 * - Tool-list budget: tools/list of the all-tools server stays under 100 KB (bytes of the JSON
 *   result are deterministic for a tenant: no timing here; `npm run bench` prints them per mode).
 * - Compact results: unified tools leave `remote_data` out unless asked; native lists honour select.
 * - Portable schemas: no `{}`, no `additionalProperties: {}`, no untyped property in any tool's
 *   input (or output) schema, for every exposure, with custom fields of every Planhat type.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { TestApp } from './support/test-app';
import { schemaProblems } from '../src/mcp/schema-compact';
import { CUSTOM_FIELD_TYPES } from '../src/planhat/catalog/models';
import { api, call, closeClients, connect, createServer, ok, rpc, startMcpApp, textOf, type Json } from './mcp-helpers';

/** Every custom field type the catalog knows, one field each on companies. */
const CUSTOM_TYPES = CUSTOM_FIELD_TYPES;
const ALL_TOOLS_BUDGET_BYTES = 100_000;

let t: TestApp;
let accountId: string;
let all: { url: string };

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  // Before any tools/list: the account's custom field schemas are cached for a minute.
  for (const type of CUSTOM_TYPES) {
    const body: Json = { name: `Budget ${type}`, type, parent: 'Company' };
    if (type === 'list' || type === 'multipicklist') body.listValues = ['Gold', 'Silver'];
    const r = await api(t, 'POST', `/proxy/custom_fields?integrated_account_id=${accountId}`, body);
    expect(r.status).toBe(201);
  }
  // Another model's fields too, one with an unlisted type Planhat may add later.
  expect(
    (
      await api(t, 'POST', `/proxy/custom_fields?integrated_account_id=${accountId}`, {
        name: 'Budget later',
        type: 'text',
        parent: 'License',
      })
    ).status,
  ).toBe(201);
  all = await createServer(t, accountId, {});
});

afterEach(async () => {
  await closeClients();
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function listBytes(url: string): Promise<{ bytes: number; tools: Json[] }> {
  const r = await rpc(url, 'tools/list');
  expect(r.status).toBe(200);
  return { bytes: Buffer.byteLength(JSON.stringify(r.body.result)), tools: r.body.result.tools };
}

function problemsOf(name: string, schemas: Record<string, unknown>): string[] {
  return Object.entries(schemas).flatMap(([which, schema]) =>
    schema === undefined ? [] : schemaProblems(schema, `${name}.${which}`),
  );
}

describe('tool-list budget (item 2)', () => {
  it(`the all-tools list is under ${ALL_TOOLS_BUDGET_BYTES} bytes, every tool listed, with custom fields of every type`, async () => {
    const { bytes, tools } = await listBytes(all.url);
    const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools`);
    expect(tools.map((x) => x.name)).toEqual(preview.body.result.map((x: Json) => x.name));
    expect(tools.length).toBeGreaterThan(185);
    expect(bytes).toBeLessThan(ALL_TOOLS_BUDGET_BYTES);
  });

  it('says the shared conventions once, in the instructions, and keeps descriptions that carry meaning', async () => {
    const client = await connect(all.url);
    const instructions = client.getInstructions() ?? '';
    for (const convention of [
      'extid-<externalId>',
      'next_cursor',
      'select',
      'include_remote_data',
      'dry_run',
      'idempotency_key',
      'isError',
      'integer days since 1970-01-01',
      'cId',
    ]) {
      expect(instructions).toContain(convention);
    }
    const byName = new Map((await client.listTools()).tools.map((x) => [x.name, x as Json]));
    const create = byName.get('create_a_planhat_company')!.inputSchema.properties;
    // Meaning kept: enums, examples, ranges, units, formats that differ from the convention.
    expect(create.status.enum).toEqual(['prospect', 'coming', 'customer', 'canceled', 'lost']);
    expect(create.phase.description).toMatch(/Onboarding/);
    expect(create.csmScore.description).toMatch(/1 to 5/);
    expect(byName.get('create_a_planhat_invoice')!.inputSchema.properties.invoiceDate.description).toMatch(
      /integer days since 1970-01-01/,
    );
    expect(byName.get('create_a_planhat_opportunity')!.inputSchema.properties.contractLength.description).toMatch(
      /months/,
    );
    // Native lists document select (and the instructions say more: _id always comes back).
    for (const [name, tool] of byName)
      if (name.startsWith('list_all_planhat_'))
        expect(tool.inputSchema.properties.select.description).toBe('Comma-separated fields to return');
    // Names repeated as descriptions, and conventions, are gone.
    expect(create.city.description).toBeUndefined();
    expect(create.externalId.description).toBeUndefined();
    expect(create.idempotency_key.description).toBeUndefined();
    // Fields listed once per list: a bulk upsert and an update name the create tool beside them.
    expect(byName.get('bulk_upsert_planhat_companies')!.description).toMatch(/create_a_planhat_company/);
    expect(byName.get('update_a_planhat_company_by_id')!.description).toMatch(/create_a_planhat_company/);
    expect(Object.keys(byName.get('update_a_planhat_company_by_id')!.inputSchema.properties)).toEqual([
      'id',
      'dry_run',
    ]);
  });

  it('an update the create tool does not describe beside it (and get_tool_schema) keeps its whole schema', async () => {
    const { tools } = await listBytes((await createServer(t, accountId, { methods: ['update', 'bulk_upsert'] })).url);
    const update = tools.find((x) => x.name === 'update_a_planhat_company_by_id')!;
    expect(update.description).not.toMatch(/create_a_planhat_company/);
    expect(Object.keys(update.inputSchema.properties)).toEqual(
      expect.arrayContaining(['id', 'name', 'phase', 'custom', 'dry_run']),
    );
    const bulk = tools.find((x) => x.name === 'bulk_upsert_planhat_companies')!;
    expect(bulk.description).toMatch(/Required: name/);
    expect(Object.keys(bulk.inputSchema.properties.items.items.properties)).toEqual(
      expect.arrayContaining(['name', 'phase', 'custom']),
    );
    const discovery = await connect((await createServer(t, accountId, { tool_exposure: 'discovery' })).url);
    const schema = await ok(discovery, 'get_tool_schema', { name: 'update_a_planhat_company_by_id' });
    expect(Object.keys(schema.inputSchema.properties)).toEqual(
      expect.arrayContaining(['id', 'name', 'custom', 'dry_run']),
    );
  });

  it('validates arguments against the whole schema, whatever the list shows', async () => {
    const client = await connect(all.url);
    const bad = await call(client, 'update_a_planhat_company_by_id', { id: 'extid-none', csmScore: 'high' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/csmScore/);
    const tooBig = await call(client, 'list_all_planhat_companies', { limit: 5001 });
    expect(tooBig.isError).toBe(true);
    expect(textOf(tooBig)).toMatch(/limit.*at most 5000/);
  });
});

describe('compact results (item 3)', () => {
  let client: Client;
  beforeEach(async () => {
    client = await connect(all.url);
  });

  it('list_all_crm_accounts with limit 10 leaves remote_data out and answers at most 12 KB', async () => {
    const r = await call(client, 'list_all_crm_accounts', { limit: 10 });
    expect(r.isError).toBeFalsy();
    const records = r.structuredContent!.result as Json[];
    expect(records).toHaveLength(10);
    for (const record of records) expect(record).not.toHaveProperty('remote_data');
    expect(Buffer.byteLength(textOf(r))).toBeLessThanOrEqual(12 * 1024);
    expect(JSON.parse(textOf(r))).toEqual(r.structuredContent);
  });

  it('include_remote_data: true brings remote_data back on lists and gets; the REST unified API is unchanged', async () => {
    const withRemote = await ok(client, 'list_all_crm_accounts', { limit: 2, include_remote_data: true });
    for (const record of withRemote.result as Json[]) expect(record.remote_data._id).toBe(record.id);
    const id = (withRemote.result as Json[])[0].id;
    expect(await ok(client, 'get_single_crm_account_by_id', { id })).not.toHaveProperty('remote_data');
    expect((await ok(client, 'get_single_crm_account_by_id', { id, include_remote_data: true })).remote_data._id).toBe(
      id,
    );
    const rest = await api(t, 'GET', `/unified/crm/accounts?integrated_account_id=${accountId}&limit=2`);
    expect(rest.status).toBe(200);
    for (const record of rest.body.result as Json[]) expect(record.remote_data._id).toBe(record.id);
    // Truto's REST-only switches are not MCP arguments.
    const truto = await call(client, 'list_all_crm_accounts', { limit: 1, truto_response_format: 'raw' });
    expect(truto.isError).toBe(true);
    expect(textOf(truto)).toMatch(/truto_response_format/);
  });

  it('unified writes answer the record without remote_data', async () => {
    const created = await ok(client, 'create_a_crm_account', { name: 'Budget Compact Co' });
    expect(created.name).toBe('Budget Compact Co');
    expect(created).not.toHaveProperty('remote_data');
    const updated = await ok(client, 'update_a_crm_account_by_id', { id: created.id, phase: 'Adoption' });
    expect(updated.phase).toBe('Adoption');
    expect(updated).not.toHaveProperty('remote_data');
  });

  it('native list tools honour select: only the fields asked for, plus _id', async () => {
    const full = await call(client, 'list_all_planhat_companies', { limit: 10 });
    const narrow = await call(client, 'list_all_planhat_companies', { limit: 10, select: 'name,phase' });
    const records = narrow.structuredContent!.result as Json[];
    expect(records).toHaveLength(10);
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(expect.arrayContaining(['_id', 'name']));
      for (const key of Object.keys(record)) expect(['_id', 'name', 'phase']).toContain(key);
    }
    expect(Buffer.byteLength(textOf(narrow)) * 3).toBeLessThan(Buffer.byteLength(textOf(full)));
    // Paging keeps the selection.
    const next = await ok(client, 'list_all_planhat_companies', {
      limit: 10,
      select: 'name,phase',
      next_cursor: narrow.structuredContent!.next_cursor,
    });
    for (const record of next.result as Json[])
      for (const key of Object.keys(record)) expect(['_id', 'name', 'phase']).toContain(key);
  });
});

describe('portable schemas (item 4)', () => {
  const CONFIGS: Json[] = [
    {},
    { tags: ['planhat'] },
    { tags: ['unified'] },
    { tags: ['insights'] },
    { methods: ['read'] },
    { methods: ['write'] },
    { methods: ['custom'] },
    { methods: ['update', 'bulk_upsert'] },
    { tool_exposure: 'discovery' },
    { tool_exposure: 'model_actions' },
  ];

  it.each(CONFIGS.map((c) => [JSON.stringify(c), c]))(
    'tools/list of %s: no {} subschema, no additionalProperties {}, no untyped property',
    async (_label, config) => {
      const { tools } = await listBytes((await createServer(t, accountId, config)).url);
      expect(tools.length).toBeGreaterThan(0);
      expect(
        tools.flatMap((x) => problemsOf(x.name, { inputSchema: x.inputSchema, outputSchema: x.outputSchema })),
      ).toEqual([]);
    },
  );

  it('every custom field type becomes a typed property', async () => {
    const { tools } = await listBytes(all.url);
    const custom = tools.find((x) => x.name === 'create_a_planhat_company')!.inputSchema.properties.custom;
    const props = custom.properties as Record<string, Json>;
    for (const type of CUSTOM_TYPES) expect(props[`Budget ${type}`]).toBeDefined();
    expect(props['Budget number'].type).toBe('number');
    expect(props['Budget checkbox'].type).toBe('boolean');
    expect(props['Budget list']).toMatchObject({ type: 'string', enum: ['Gold', 'Silver'] });
    expect(props['Budget multipicklist']).toMatchObject({
      type: 'array',
      items: { type: 'string', enum: ['Gold', 'Silver'] },
    });
    expect(props['Budget team members']).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(props['Budget date'].description).toMatch(/ISO 8601/);
    expect(
      tools.find((x) => x.name === 'create_a_planhat_license')!.inputSchema.properties.custom.properties['Budget later']
        .type,
    ).toBe('string');
  });

  it('every tool reached through get_tool_schema (discovery) and get_model_action_parameters (model_actions) is portable', async () => {
    const discovery = await connect((await createServer(t, accountId, { tool_exposure: 'discovery' })).url);
    const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools`);
    const names = (preview.body.result as Json[]).map((x) => x.name);
    expect(names.length).toBeGreaterThan(185);
    const problems: string[] = [];
    for (const name of names) {
      const schema = await ok(discovery, 'get_tool_schema', { name });
      problems.push(...problemsOf(name, { inputSchema: schema.inputSchema, outputSchema: schema.outputSchema }));
    }
    const actions = await connect((await createServer(t, accountId, { tool_exposure: 'model_actions' })).url);
    const models = (await ok(actions, 'get_model_actions')) as Json;
    const routes = (models.models ?? models.result ?? []) as Json[];
    expect(routes.length).toBeGreaterThan(10);
    let checked = 0;
    for (const route of routes) {
      for (const op of route.operations as string[]) {
        const p = await ok(actions, 'get_model_action_parameters', {
          MODEL_ROUTE: route.MODEL_ROUTE ?? route.route,
          OPERATION: op,
        });
        problems.push(...problemsOf(`${p.MODEL_ROUTE} ${op}`, { parameters: p.parameters }));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(problems).toEqual([]);
  });
});
