/**
 * MCP prompts (issue 26, item 2) with the real MCP SDK client over Streamable HTTP and legacy SSE:
 * the customer-success workflows declared with mcp-nest's @Prompt, listed and rendered on an
 * all-tools server, and filtered by the same server policy as the tools (a prompt that needs write
 * tools is hidden on a read-only server and refused on prompts/get, exactly as an unknown prompt).
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from './support/test-app';
import { PROMPT_DEFS } from '../src/mcp/prompts';
import { closeClients, connect, createServer, startMcpApp } from './mcp-helpers';

let t: TestApp;
let accountId: string;
let allTools: string;
let readOnly: string;
let toolNames: Set<string>;

const ALL = ['prepare_qbr', 'renewal_risk_review', 'triage_open_tickets', 'weekly_churn_digest'];
const READ_ONLY = ['prepare_qbr', 'renewal_risk_review', 'weekly_churn_digest'];

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  allTools = (await createServer(t, accountId, {})).url;
  readOnly = (await createServer(t, accountId, { methods: ['read'] })).url;
  const c = await connect(allTools);
  toolNames = new Set((await c.listTools()).tools.map((x) => x.name));
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function refusal(p: Promise<unknown>): Promise<McpError> {
  try {
    await p;
  } catch (err) {
    return err as McpError;
  }
  throw new Error('expected the request to be refused');
}

describe.each([
  ['Streamable HTTP', false],
  ['legacy SSE', true],
])('prompts over %s', (_label, sse) => {
  it('an all-tools server announces prompts and lists the four workflows with their arguments', async () => {
    const c = await connect(allTools, { sse });
    expect(c.getServerCapabilities()?.prompts).toBeDefined();
    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(ALL);
    expect(prompts.find((p) => p.name === 'prepare_qbr')?.arguments).toEqual([
      expect.objectContaining({ name: 'company', required: true }),
    ]);
    expect(prompts.find((p) => p.name === 'renewal_risk_review')?.arguments).toEqual([
      expect.objectContaining({ name: 'days', required: false }),
    ]);
    expect(prompts.find((p) => p.name === 'weekly_churn_digest')?.arguments).toEqual([]);
  });

  it('prompts/get renders the text with the arguments and names only real, listed tools', async () => {
    const c = await connect(allTools, { sse });
    const qbr = await c.getPrompt({ name: 'prepare_qbr', arguments: { company: 'Acme' } });
    const text = (qbr.messages[0].content as { text: string }).text;
    expect(qbr.messages[0].role).toBe('user');
    expect(text).toContain('"Acme"');
    for (const def of PROMPT_DEFS) {
      const args: Record<string, string> =
        def.name === 'renewal_risk_review'
          ? { days: '30' }
          : def.name === 'weekly_churn_digest'
            ? {}
            : { company: 'Acme' };
      const r = await c.getPrompt({ name: def.name, arguments: args });
      const body = (r.messages[0].content as { text: string }).text;
      for (const tool of def.tools) {
        expect(toolNames.has(tool)).toBe(true);
        expect(body).toContain(tool);
      }
      // Every tool-like name in the text is a real tool of the registry.
      for (const m of body.matchAll(
        /\b(?:list_all|get_single|create_a|update_a|delete_a|bulk_upsert)_[a-z_]+|\b(?:account_360|upcoming_renewals|churn_summary|nps_summary|overdue_invoices)\b/g,
      )) {
        expect(toolNames.has(m[0])).toBe(true);
      }
    }
    const renewals = await c.getPrompt({ name: 'renewal_risk_review', arguments: { days: '30' } });
    expect((renewals.messages[0].content as { text: string }).text).toContain('days 30');
    const defaults = await c.getPrompt({ name: 'renewal_risk_review', arguments: {} });
    expect((defaults.messages[0].content as { text: string }).text).toContain('next 90 days');
  });

  it('bad arguments are Invalid params naming the argument', async () => {
    const c = await connect(allTools, { sse });
    const missing = await refusal(c.getPrompt({ name: 'prepare_qbr', arguments: {} }));
    expect(missing.code).toBe(-32602);
    expect(missing.message).toMatch(/company/);
    const days = await refusal(c.getPrompt({ name: 'renewal_risk_review', arguments: { days: '9999' } }));
    expect(days.code).toBe(-32602);
    expect(days.message).toMatch(/days/);
  });

  it('a read-only server hides the prompt that needs write tools and refuses it like an unknown prompt', async () => {
    const c = await connect(readOnly, { sse });
    const { prompts } = await c.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(READ_ONLY);
    const hidden = await refusal(c.getPrompt({ name: 'triage_open_tickets', arguments: { company: 'Acme' } }));
    const unknown = await refusal(c.getPrompt({ name: 'no_such_prompt', arguments: {} }));
    expect(hidden.code).toBe(unknown.code);
    expect(hidden.message.replace('triage_open_tickets', 'X')).toBe(unknown.message.replace('no_such_prompt', 'X'));
    const qbr = await c.getPrompt({ name: 'prepare_qbr', arguments: { company: 'Acme' } });
    expect(qbr.messages).toHaveLength(1);
  });
});

it('a server whose tags leave out a prompt tool hides that prompt; the insights tag alone offers none needing native tools', async () => {
  const url = (await createServer(t, accountId, { tags: ['insights'] })).url;
  const c = await connect(url);
  const { tools } = await c.listTools();
  const listed = new Set(tools.map((x) => x.name));
  const { prompts } = await c.listPrompts();
  for (const p of prompts) {
    for (const tool of PROMPT_DEFS.find((d) => d.name === p.name)!.tools) expect(listed.has(tool)).toBe(true);
  }
  expect(prompts.map((p) => p.name)).not.toContain('prepare_qbr');
});
