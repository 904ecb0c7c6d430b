/**
 * Progress and log notifications of tool calls (issue 26 item 4), with the real MCP SDK client over
 * Streamable HTTP and legacy SSE against the embedded sandbox over real HTTP:
 * - a multi-call insight sends one notifications/progress per Planhat exchange when the call carries a
 *   progressToken (increasing, as many as the result's upstream_calls), none without one;
 * - a 429 from the sandbox (its fault injection) sends a warning log message once the client chose
 *   `warning`, none once it chose `error`, none before it chose any level; no secret in the message;
 * - a Streamable HTTP answer is an SSE stream only when it may carry notifications, JSON otherwise.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { AuditLog } from '../src/audit/audit-log.service';
import type { TestApp } from './support/test-app';
import { api, closeClients, connect, createServer, startMcpApp, textOf, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;
let company: Json;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp({ SANDBOX_FAULTS: 'true' }));
  const r = await api(t, 'GET', `/proxy/companies?integrated_account_id=${accountId}&limit=1&select=_id,name`);
  expect(r.status).toBe(200);
  company = r.body.result[0];
});
afterEach(async () => {
  await closeClients();
  await api(t, 'DELETE', '/sandbox/planhat/__faults', undefined, null);
});
afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function arm(match: string, fault: string): Promise<void> {
  const r = await api(t, 'POST', '/sandbox/planhat/__faults', { match, fault, times: 1 }, null);
  expect(r.status).toBe(200);
}

/** The log messages a client receives. */
function logs(client: Client): Json[] {
  const got: Json[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    got.push(n.params as Json);
  });
  return got;
}

async function account360(client: Client, onprogress?: (p: Progress) => void) {
  return client.callTool(
    { name: 'account_360', arguments: { company: company._id, limit: 3 } },
    CallToolResultSchema,
    onprogress ? { onprogress } : undefined,
  );
}

describe.each([
  ['Streamable HTTP', false],
  ['legacy SSE', true],
])('over %s', (_label, sse) => {
  it('a multi-call insight reports progress per Planhat exchange when the call carries a progressToken', async () => {
    const client = await connect((await createServer(t, accountId, { methods: ['read'] })).url, { sse });
    const seen: Progress[] = [];
    const errors: Error[] = [];
    client.onerror = (e) => errors.push(e);
    const r = await account360(client, (p) => seen.push(p));
    expect(r.isError).toBeFalsy();
    const calls = (r.structuredContent as Json).upstream_calls as number;
    expect(calls).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    expect(seen).toHaveLength(calls);
    expect(seen.map((p) => p.progress)).toEqual(Array.from({ length: calls }, (_, i) => i + 1));
    expect(seen[0].message).toBe('GET companies: 200');
    expect(seen.map((p) => p.message)).toEqual(
      expect.arrayContaining(['GET tickets: 200', 'GET nps: 200', 'GET tasks: 200']),
    );
  });

  it('sends no progress without a progressToken and no log message before a level is chosen', async () => {
    const client = await connect((await createServer(t, accountId, { methods: ['read'] })).url, { sse });
    const got = logs(client);
    await arm('GET /tickets', '429');
    const r = await account360(client);
    expect(r.isError).toBe(true);
    expect(textOf(r as never)).toMatch(/429|rate limit/i);
    expect(got).toEqual([]);
  });

  it('a 429 is a warning log message at level warning, and none at level error', async () => {
    const server = await createServer(t, accountId, { methods: ['read'] });
    const client = await connect(server.url, { sse });
    const got = logs(client);
    await client.setLoggingLevel('warning');
    await arm('GET /tickets', '429');
    const r = await account360(client);
    expect(r.isError).toBe(true);
    expect(got).toHaveLength(1);
    expect(got[0]).toEqual({
      level: 'warning',
      logger: 'planhat',
      data: {
        message: 'Planhat rate limit reached on GET tickets: the call was not retried; retry after 1 s',
        method: 'GET',
        model: 'tickets',
        status: 429,
        retry_after_s: 1,
      },
    });
    // No URL token, company id or other path part in what the client is told.
    expect(JSON.stringify(got)).not.toContain(server.token);
    expect(JSON.stringify(got)).not.toContain(String(company._id));

    await client.setLoggingLevel('error');
    await arm('GET /tickets', '429');
    const again = await account360(client);
    expect(again.isError).toBe(true);
    expect(got).toHaveLength(1);

    // A Planhat failure is an error: it passes the level error.
    await arm('GET /tickets', '500');
    expect((await account360(client)).isError).toBe(true);
    expect(got).toHaveLength(2);
    expect(got[1]).toMatchObject({
      level: 'error',
      data: { message: 'Planhat failed on GET tickets with 500', status: 500 },
    });
  });

  it('at level debug every Planhat exchange of the call is a message', async () => {
    const client = await connect((await createServer(t, accountId, { methods: ['read'] })).url, { sse });
    const got = logs(client);
    await client.setLoggingLevel('debug');
    const r = await account360(client);
    expect(got).toHaveLength((r.structuredContent as Json).upstream_calls);
    expect(got.every((m) => m.level === 'debug' && /^GET \w+: 200 in \d+ ms$/.test(m.data.message))).toBe(true);
  });
});

describe('with the audit log', () => {
  it("a call's audit row counts every Planhat exchange also when the call reports progress (nested observers)", async () => {
    const server = await createServer(t, accountId, { methods: ['read'] });
    const client = await connect(server.url);
    const seen: Progress[] = [];
    const r = await account360(client, (p) => seen.push(p));
    const calls = (r.structuredContent as Json).upstream_calls as number;
    expect(seen).toHaveLength(calls);
    await t.app.get(AuditLog).flush();
    const rows = await api(t, 'GET', `/integrated-account/${accountId}/mcp/${server.id}/calls`);
    expect(rows.status).toBe(200);
    expect(rows.body.result).toEqual([
      expect.objectContaining({ tool: 'account_360', outcome: 'ok', upstream_calls: calls }),
    ]);
  });
});

describe('Streamable HTTP answer format', () => {
  async function post(url: string, body: Json): Promise<{ type: string; text: string }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(body),
    });
    return { type: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  const callOf = (meta?: Json) => ({
    jsonrpc: '2.0',
    id: 7,
    method: 'tools/call',
    params: { name: 'resolve', arguments: { query: 'a', types: 'companies' }, ...(meta ? { _meta: meta } : {}) },
  });

  it('is JSON without a progressToken or chosen level, an SSE stream with progress and the result otherwise', async () => {
    const { url } = await createServer(t, accountId, { methods: ['read'] });
    const plain = await post(url, callOf());
    expect(plain.type).toMatch(/^application\/json/);
    expect(JSON.parse(plain.text).result.isError).toBeFalsy();

    const streamed = await post(url, callOf({ progressToken: 'p-1' }));
    expect(streamed.type).toMatch(/^text\/event-stream/);
    const events = streamed.text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as Json);
    expect(events[0]).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'p-1', progress: 1, message: 'GET companies: 200' },
    });
    expect(events.at(-1)).toMatchObject({ id: 7, result: { structuredContent: { upstream_calls: 1 } } });
    expect(events).toHaveLength(2);

    // Other methods stay JSON even with a progressToken in their _meta.
    const list = await post(url, {
      jsonrpc: '2.0',
      id: 8,
      method: 'tools/list',
      params: { _meta: { progressToken: 'x' } },
    });
    expect(list.type).toMatch(/^application\/json/);
  });
});

describe('the conformance progress fixture (MCP_CONFORMANCE_FIXTURE)', () => {
  it('does not exist without the flag', async () => {
    const client = await connect((await createServer(t, accountId)).url);
    expect((await client.listTools()).tools.map((x) => x.name)).not.toContain('test_tool_with_progress');
    const seen: Progress[] = [];
    const r = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => seen.push(p),
    });
    expect(r.isError).toBe(true);
    expect(seen).toEqual([]);
  });

  it('with the flag reports three increasing steps through the tools/call hook, over both transports', async () => {
    const started = await startMcpApp({ MCP_CONFORMANCE_FIXTURE: 'true' });
    try {
      const { url } = await createServer(started.t, started.accountId, { methods: ['read'] });
      for (const sse of [false, true]) {
        const client = await connect(url, { sse });
        expect((await client.listTools()).tools.map((x) => x.name)).toContain('test_tool_with_progress');
        const seen: Progress[] = [];
        const r = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, CallToolResultSchema, {
          onprogress: (p) => seen.push(p),
        });
        expect(r.isError).toBeFalsy();
        expect(seen).toEqual([1, 2, 3].map((progress) => ({ progress, total: 3, message: `step ${progress} of 3` })));
      }
    } finally {
      await closeClients();
      await started.t.close();
    }
  });
});
