/**
 * completion/complete (issue 26, item 3) with the real MCP SDK client: company names from the
 * sandbox tenant for a prompt's `company`, day counts for `days`, the models the policy reaches for
 * planhat://models/{model}; nothing for a prompt the server's policy hides.
 */
import type { TestApp } from './support/test-app';
import { closeClients, connect, createServer, ok, startMcpApp, type Json } from './mcp-helpers';

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

describe.each([
  ['Streamable HTTP', false],
  ['legacy SSE', true],
])('completion over %s', (_label, sse) => {
  it('completes company names from the tenant for a prompt argument', async () => {
    const c = await connect(allTools, { sse });
    expect(c.getServerCapabilities()?.completions).toBeDefined();
    const companies = (await ok(c, 'list_all_planhat_companies', { limit: 2000, select: 'name' })).result as Json[];
    const name = String(companies[0].name);
    const prefix = name.slice(0, 2);
    const expected = [
      ...new Set(companies.map((x) => String(x.name)).filter((n) => n.toLowerCase().startsWith(prefix.toLowerCase()))),
    ].sort();
    const r = await c.complete({
      ref: { type: 'ref/prompt', name: 'prepare_qbr' },
      argument: { name: 'company', value: prefix },
    });
    expect(r.completion.values).toEqual(expected.slice(0, 100));
    expect(r.completion.values).toContain(name);
    expect(r.completion.total).toBe(expected.length);
  });

  it('completes days and model names; a model the policy does not reach is not offered', async () => {
    const c = await connect(allTools, { sse });
    const days = await c.complete({
      ref: { type: 'ref/prompt', name: 'renewal_risk_review' },
      argument: { name: 'days', value: '3' },
    });
    expect(days.completion.values).toEqual(['30', '365']);
    const models = await c.complete({
      ref: { type: 'ref/resource', uri: 'planhat://models/{model}' },
      argument: { name: 'model', value: 'comp' },
    });
    expect(models.completion.values).toEqual(['companies']);
    const insights = await connect(insightsOnly, { sse });
    const none = await insights.complete({
      ref: { type: 'ref/resource', uri: 'planhat://models/{model}' },
      argument: { name: 'model', value: '' },
    });
    expect(none.completion.values).toEqual([]);
  });
});

it('a prompt the policy hides completes to nothing', async () => {
  const c = await connect(readOnly);
  const r = await c.complete({
    ref: { type: 'ref/prompt', name: 'triage_open_tickets' },
    argument: { name: 'company', value: '' },
  });
  expect(r.completion).toEqual({ values: [], total: 0, hasMore: false });
  const shown = await c.complete({
    ref: { type: 'ref/prompt', name: 'prepare_qbr' },
    argument: { name: 'company', value: '' },
  });
  expect(shown.completion.values.length).toBeGreaterThan(0);
});
