/**
 * The customer-success insights as MCP tools (issue #22): declared from the same definitions table
 * as the REST routes (`GET /insights/<name>`), run by the same InsightsService, guarded by the
 * server policy like every tool (method `read`, tag `insights`). A real MCP SDK client against the
 * embedded sandbox over real HTTP.
 */
import type { TestApp } from './support/test-app';
import { INSIGHT_LIST } from '../src/insights/insights.definitions';
import { api, call, closeClients, connect, createServer, ok, startMcpApp, textOf, type Json } from './mcp-helpers';

const NAMES = INSIGHT_LIST.map((d) => d.name);

let t: TestApp;
let accountId: string;
let company: Json;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  const r = await api(t, 'GET', `/proxy/companies?integrated_account_id=${accountId}&limit=1&select=_id,name`);
  expect(r.status).toBe(200);
  company = r.body.result[0];
});
afterEach(async () => {
  await closeClients();
});
afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('insight tools', () => {
  it('are listed on an all-tools server with their own input schemas, read-only annotations and tag insights', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    const { tools } = await client.listTools();
    const listed = tools.filter((x) => NAMES.includes(x.name));
    expect(listed.map((x) => x.name).sort()).toEqual([...NAMES].sort());
    for (const tool of listed) {
      expect(tool.annotations).toMatchObject({ readOnlyHint: true });
      expect(tool.annotations?.destructiveHint).not.toBe(true);
    }
    // The tag is in the admin preview (tools/list leaves gateway metadata out to save bytes).
    const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools?tags=insights`);
    expect(preview.body.result.map((x: Json) => x.name).sort()).toEqual([...NAMES].sort());
    expect(preview.body.result.every((x: Json) => x.tags.join() === 'insights')).toBe(true);
    // Said once for every insight, in the server's instructions (not in each tool's description).
    expect(client.getInstructions()).toMatch(/upstream_calls/);
    const resolve = listed.find((x) => x.name === 'resolve')!;
    expect(resolve.inputSchema.required).toEqual(['query']);
    expect(Object.keys(resolve.inputSchema.properties ?? {}).sort()).toEqual(['limit', 'query', 'types']);
  });

  it('answer as the REST routes do, with upstream_calls', async () => {
    const client = await connect((await createServer(t, accountId, { methods: ['read'] })).url);
    const found = await ok(client, 'resolve', { query: company.name, types: 'companies' });
    expect(found.upstream_calls).toBe(1);
    expect(found.matches[0]).toMatchObject({ _id: company._id, match: 'exact', field: 'name' });

    const viaMcp = await ok(client, 'account_360', { company: company._id, limit: 3 });
    const viaRest = await api(
      t,
      'GET',
      `/insights/account_360?integrated_account_id=${accountId}&company=${company._id}&limit=3`,
    );
    expect(viaRest.status).toBe(200);
    expect(viaMcp).toEqual(viaRest.body);
    expect(viaMcp.upstream_calls).toBeGreaterThan(1);

    const renewals = await ok(client, 'upcoming_renewals', { days: 365, group_by: 'phase' });
    const restRenewals = await api(
      t,
      'GET',
      `/insights/upcoming_renewals?integrated_account_id=${accountId}&days=365&group_by=phase`,
    );
    expect(restRenewals.status).toBe(200);
    expect(renewals.total.count).toBeGreaterThan(0);
    expect(renewals.total).toEqual(restRenewals.body.total);
    expect(renewals.groups).toEqual(restRenewals.body.groups);
  });

  it('turn bad arguments and unknown companies into LLM-readable errors', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    const missing = await call(client, 'account_360', {});
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/company/);
    const extra = await call(client, 'resolve', { query: 'acme', bogus: 1 });
    expect(extra.isError).toBe(true);
    expect(textOf(extra)).toMatch(/bogus/);
    const unknown = await call(client, 'account_360', { company: 'ffffffffffffffffffffffff' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/NOT_FOUND/);
  });

  it('follow the server policy: hidden and refused where tags or methods exclude them, on every path', async () => {
    // tags without insights
    const support = await connect((await createServer(t, accountId, { tags: ['support'] })).url);
    const supportNames = (await support.listTools()).tools.map((x) => x.name);
    expect(supportNames.length).toBeGreaterThan(0);
    for (const n of NAMES) expect(supportNames).not.toContain(n);
    const refused = await call(support, 'resolve', { query: company.name });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).not.toContain(company._id);

    // methods write only
    const writer = await connect((await createServer(t, accountId, { methods: ['write'] })).url);
    const writerNames = (await writer.listTools()).tools.map((x) => x.name);
    for (const n of NAMES) expect(writerNames).not.toContain(n);

    // only insights: listed, and nothing else is
    const onlyInsights = await connect((await createServer(t, accountId, { tags: ['insights'] })).url);
    expect((await onlyInsights.listTools()).tools.map((x) => x.name).sort()).toEqual([...NAMES].sort());

    // discovery: found, described and callable where allowed; neither where not
    const disc = await connect(
      (await createServer(t, accountId, { tool_exposure: 'discovery', tags: ['insights'] })).url,
    );
    const search = await ok(disc, 'search_tools', { query: 'renewals' });
    expect(search.tools.map((x: Json) => x.name)).toContain('upcoming_renewals');
    const schema = await ok(disc, 'get_tool_schema', { name: 'nps_summary' });
    expect(schema.inputSchema.properties).toHaveProperty('segment_field');
    const viaCall = await ok(disc, 'call_tool', { name: 'resolve', arguments: { query: company.name } });
    expect(viaCall.matches.some((m: Json) => m._id === company._id)).toBe(true);

    const discNone = await connect(
      (await createServer(t, accountId, { tool_exposure: 'discovery', tags: ['support'] })).url,
    );
    const none = await ok(discNone, 'search_tools', { query: 'renewals' });
    expect(none.tools.map((x: Json) => x.name)).not.toContain('upcoming_renewals');
    const hidden = await call(discNone, 'call_tool', { name: 'resolve', arguments: { query: company.name } });
    expect(hidden.isError).toBe(true);
  });
});
