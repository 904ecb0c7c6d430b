/**
 * MCP resources (issue 26, item 3, first part) with the real MCP SDK client: planhat://policy and the
 * planhat://models/{model} template, declared with mcp-nest's resource decorators, over Streamable
 * HTTP and legacy SSE, and the server policy on them (a model no allowed tool touches is unknown).
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from './support/test-app';
import { closeClients, connect, createServer, startMcpApp, type Json } from './mcp-helpers';

let t: TestApp;
let allTools: string;
let readOnly: string;
let insightsOnly: string;

beforeAll(async () => {
  const started = await startMcpApp();
  t = started.t;
  allTools = (await createServer(t, started.accountId, {})).url;
  readOnly = (await createServer(t, started.accountId, { methods: ['read'] })).url;
  insightsOnly = (await createServer(t, started.accountId, { tags: ['insights'] })).url;
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function read(url: string, uri: string, sse = false): Promise<Json> {
  const c = await connect(url, { sse });
  const r = await c.readResource({ uri });
  expect(r.contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
  return JSON.parse((r.contents[0] as { text: string }).text) as Json;
}

async function refusal(url: string, uri: string): Promise<McpError> {
  const c = await connect(url);
  try {
    await c.readResource({ uri });
  } catch (err) {
    return err as McpError;
  }
  throw new Error(`expected ${uri} to be refused`);
}

describe.each([
  ['Streamable HTTP', false],
  ['legacy SSE', true],
])('resources over %s', (_label, sse) => {
  it('lists planhat://policy and the planhat://models/{model} template', async () => {
    const c = await connect(allTools, { sse });
    expect(c.getServerCapabilities()?.resources).toBeDefined();
    expect((await c.listResources()).resources.map((r) => r.uri).sort()).toEqual([
      'planhat://custom-fields',
      'planhat://policy',
    ]);
    expect((await c.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate)).toEqual([
      'planhat://models/{model}',
    ]);
  });

  it('the policy says what each server may and may not do', async () => {
    const all = await read(allTools, 'planhat://policy', sse);
    expect(all.may.methods).toEqual(['custom', 'read', 'write']);
    expect(all.may_not.methods).toEqual([]);
    expect(all.may.tools).toContain('create_a_planhat_company');
    const ro = await read(readOnly, 'planhat://policy', sse);
    expect(ro.methods).toEqual(['read']);
    expect(ro.may.methods).toEqual(['read']);
    expect(ro.may_not.methods).toEqual(['write', 'custom']);
    expect(ro.may.tools).toContain('list_all_planhat_companies');
    expect(ro.may.tools).not.toContain('create_a_planhat_company');
  });

  it('a model resource gives fields with types, required flags and descriptions', async () => {
    const doc = await read(allTools, 'planhat://models/companies', sse);
    expect(doc).toMatchObject({ model: 'companies', planhat_model: 'Company' });
    const name = (doc.fields as Json[]).find((f) => f.name === 'name');
    expect(name).toMatchObject({ name: 'name', type: 'string', required: true });
    expect(doc.required).toContain('name');
    expect((doc.fields as Json[]).every((f) => typeof f.type === 'string' && typeof f.required === 'boolean')).toBe(
      true,
    );
  });
});

it("the tenant's custom fields per model, limited to the models the policy reaches", async () => {
  const all = await read(allTools, 'planhat://custom-fields');
  expect(Object.keys(all)).toContain('Company');
  expect(all.Company).toMatchObject({ type: 'object' });
  expect(Object.keys(all.Company.properties).length).toBeGreaterThan(0);
  const c = await connect(allTools);
  const defs = (await c.callTool({ name: 'list_all_planhat_custom_fields', arguments: { limit: 2000 } })) as {
    structuredContent?: Json;
  };
  const companyFields = (defs.structuredContent?.result as Json[])
    .filter((d) => d.parent === 'Company')
    .map((d) => d.name)
    .sort();
  expect(Object.keys(all.Company.properties).sort()).toEqual(companyFields);
  expect(await read(insightsOnly, 'planhat://custom-fields')).toEqual({});
});

it('a model no allowed tool touches, or no model at all, is an unknown resource', async () => {
  const hidden = await refusal(insightsOnly, 'planhat://models/companies');
  const unknown = await refusal(allTools, 'planhat://models/no_such_model');
  expect(hidden.code).toBe(-32602);
  expect(unknown.code).toBe(-32602);
  expect(hidden.message).toMatch(/Unknown resource/);
  expect(unknown.message).toMatch(/Unknown resource/);
  expect((await read(readOnly, 'planhat://models/companies')).model).toBe('companies');
});
