/**
 * JSON-RPC error codes and transport errors of the MCP endpoint (issue 20, item 8), on the public
 * protocol only: raw HTTP requests and the real MCP SDK client, over Streamable HTTP and legacy SSE.
 * Wrong params answer -32602 (Invalid params) with a one-line message, never -32603 with a zod issue
 * dump; every transport-level error has a JSON body, never plain text.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from './support/test-app';
import { closeClients, connect, createServer, startMcpApp, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;
let server: { id: string; token: string; url: string };

const ACCEPT = 'application/json, text/event-stream';

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
  server = await createServer(t, accountId, {});
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body,
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The wrong-params requests of the issue, and their siblings. */
const WRONG_PARAMS: { label: string; method: string; params?: unknown; field: RegExp }[] = [
  { label: 'tools/call with name: 123', method: 'tools/call', params: { name: 123 }, field: /name/ },
  { label: 'tools/call without a name', method: 'tools/call', params: { arguments: {} }, field: /name/ },
  { label: 'tools/call without params', method: 'tools/call', field: /params/ },
  {
    label: 'tools/call with arguments: []',
    method: 'tools/call',
    params: { name: 'list_all_planhat_companies', arguments: [1] },
    field: /arguments/,
  },
  {
    label: 'tools/call with arguments: "x"',
    method: 'tools/call',
    params: { name: 'list_all_planhat_companies', arguments: 'x' },
    field: /arguments/,
  },
  { label: 'tools/list with cursor: 5', method: 'tools/list', params: { cursor: 5 }, field: /cursor/ },
  { label: 'tools/list with cursor: {}', method: 'tools/list', params: { cursor: {} }, field: /cursor/ },
  {
    label: 'initialize with protocolVersion: 5',
    method: 'initialize',
    params: { protocolVersion: 5, capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
    field: /protocolVersion/,
  },
  {
    label: 'initialize without clientInfo',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {} },
    field: /clientInfo/,
  },
];

/** -32602 with a short one-line message naming the field, and no zod issue list. */
function expectInvalidParams(error: Json | undefined, field: RegExp): void {
  expect(error).toBeDefined();
  expect(error!.code).toBe(-32602);
  const message = String(error!.message);
  expect(message).not.toMatch(/\n/);
  expect(message).not.toMatch(/"code"\s*:|"path"\s*:|invalid_type|^\s*\[/);
  expect(message).toMatch(/^Invalid params/);
  expect(message).toMatch(field);
  expect(message.length).toBeLessThan(300);
}

/** A raw legacy SSE session: the stream's events and the message endpoint it announced. */
async function openSse(url: string): Promise<{ endpoint: string; events: Json[]; close: () => Promise<void> }> {
  const res = await fetch(`${url}/sse`, { headers: { accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Json[] = [];
  let buf = '';
  let endpoint: string | undefined;
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1] ?? '';
        if (/^event: endpoint$/m.test(event)) endpoint = data;
        else events.push(JSON.parse(data) as Json);
      }
    }
    ended = true;
  })();
  for (let i = 0; !endpoint && !ended && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
  if (!endpoint) throw new Error('the SSE stream announced no endpoint');
  return {
    endpoint: new URL(endpoint, t.url).toString(),
    events,
    close: async () => {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
  };
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for an SSE event');
}

describe('wrong params answer -32602 with a one-line message', () => {
  it.each(WRONG_PARAMS)('Streamable HTTP: $label', async ({ method, params, field }) => {
    const r = await post(
      server.url,
      JSON.stringify({ jsonrpc: '2.0', id: 7, method, ...(params === undefined ? {} : { params }) }),
    );
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(r.text) as Json;
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 7 });
    expectInvalidParams(body.error, field);
  });

  it('Streamable HTTP: each wrong request of a batch gets its own -32602, the valid one its result', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 5 } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 123 } },
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
    ];
    const r = await post(server.url, JSON.stringify(batch));
    expect(r.status).toBe(200);
    const byId = new Map((JSON.parse(r.text) as Json[]).map((m) => [m.id, m]));
    expectInvalidParams(byId.get(1)!.error, /cursor/);
    expectInvalidParams(byId.get(2)!.error, /name/);
    expect(byId.get(3)!.result.tools.length).toBeGreaterThan(50);
  });

  it.each(WRONG_PARAMS)('legacy SSE: $label', async ({ method, params, field }) => {
    const sse = await openSse(server.url);
    try {
      const init = {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
      };
      expect((await post(sse.endpoint, JSON.stringify(init))).status).toBe(202);
      const r = await post(
        sse.endpoint,
        JSON.stringify({ jsonrpc: '2.0', id: 9, method, ...(params === undefined ? {} : { params }) }),
      );
      expect(r.status).toBe(202);
      const answer = await waitFor(() => sse.events.find((e) => e.id === 9));
      expectInvalidParams(answer.error, field);
    } finally {
      await sse.close();
    }
  });

  it.each([false, true])('the MCP SDK client (sse: %s) gets an McpError with code -32602', async (overSse) => {
    const client: Client = await connect(server.url, { sse: overSse });
    for (const [request, schema, field] of [
      [{ method: 'tools/call', params: { name: 123 } }, CallToolResultSchema, /name/],
      [
        { method: 'tools/call', params: { name: 'list_all_planhat_companies', arguments: 'x' } },
        CallToolResultSchema,
        /arguments/,
      ],
      [{ method: 'tools/list', params: { cursor: 5 } }, ListToolsResultSchema, /cursor/],
    ] as const) {
      const err = (await client.request(request as never, schema).then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: number; message?: string } | undefined;
      expect(err).toBeDefined();
      expect(err!.code).toBe(-32602);
      expect(err!.message).not.toMatch(/\n/);
      expect(err!.message).toMatch(field);
    }
    // The session still works afterwards.
    expect((await client.listTools()).tools.length).toBeGreaterThan(50);
    await client.close();
  });

  it('a valid call still succeeds on both paths (the direct answer and the SDK server)', async () => {
    const direct = JSON.parse(
      (
        await post(
          server.url,
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'list_all_planhat_companies', arguments: { limit: 1 } },
          }),
        )
      ).text,
    ) as Json;
    expect(direct.result.isError).toBeFalsy();
    // With a progressToken the answer is an SSE stream: the progress notification, then the result.
    const streamed = await post(
      server.url,
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'list_all_planhat_companies', arguments: { limit: 1 }, _meta: { progressToken: 1 } },
      }),
    );
    expect(streamed.contentType).toMatch(/^text\/event-stream/);
    const events = streamed.text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as Json);
    expect(events[0]).toMatchObject({ method: 'notifications/progress', params: { progressToken: 1, progress: 1 } });
    const viaSdk = events.at(-1)!;
    expect(viaSdk.id).toBe(2);
    expect(viaSdk.result.isError).toBeFalsy();
    expect(viaSdk.result.structuredContent).toEqual(direct.result.structuredContent);
  });
});

describe('every transport-level error has a JSON body', () => {
  const RPC = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

  function expectJson(r: { status: number; contentType: string; text: string }, status: number): Json {
    expect(r.status).toBe(status);
    expect(r.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(r.text) as Json;
    expect(typeof body).toBe('object');
    expect(body).not.toBeNull();
    return body;
  }

  it('Streamable HTTP: bad JSON, wrong content-type, missing Accept, not JSON-RPC, empty batch, 405 and 404', async () => {
    expectJson(await post(server.url, '{bad json'), 400);
    expectJson(await post(server.url, RPC, { 'content-type': 'text/plain' }), 415);
    expectJson(await post(server.url, 'x', { 'content-type': 'application/xml' }), 415);
    expectJson(await post(server.url, RPC, { accept: 'application/json' }), 406);
    expectJson(await post(server.url, RPC, { accept: '' }), 406);
    expect(expectJson(await post(server.url, '{}'), 400).error.code).toBeLessThan(-32000);
    // params that are not a structured value make the message itself invalid (JSON-RPC 2.0 §4.2).
    expect(
      expectJson(
        await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: 'x' })),
        400,
      ).error.code,
    ).toBeLessThan(-32000);
    expect(expectJson(await post(server.url, '[]'), 400).error.code).toBe(-32600);
    expectJson(await post(`${t.url}/mcp/phm_unknown`, RPC), 404);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(server.url, { method });
      const body = expectJson(
        { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() },
        405,
      );
      expect(body).toMatchObject({
        statusCode: 405,
        error: 'METHOD_NOT_ALLOWED',
        request_id: res.headers.get('x-request-id'),
      });
    }
    const put = await fetch(server.url, { method: 'PUT' });
    expectJson({ status: put.status, contentType: put.headers.get('content-type') ?? '', text: await put.text() }, 404);
  });

  it('SSE message route: unknown or missing session, bad JSON, wrong content-type, not a JSON-RPC message', async () => {
    expectJson(await post(`${server.url}/messages?sessionId=forged`, RPC), 404);
    expectJson(await post(`${server.url}/messages`, RPC), 404);
    expectJson(await post(`${t.url}/mcp/phm_unknown/sse`, RPC), 404);
    const unknownSse = await fetch(`${t.url}/mcp/phm_unknown/sse`);
    expectJson(
      {
        status: unknownSse.status,
        contentType: unknownSse.headers.get('content-type') ?? '',
        text: await unknownSse.text(),
      },
      404,
    );

    const sse = await openSse(server.url);
    try {
      expectJson(await post(sse.endpoint, '{bad json'), 400);
      expectJson(await post(sse.endpoint, RPC, { 'content-type': 'text/plain' }), 415);
      expectJson(await post(sse.endpoint, '<x/>', { 'content-type': 'application/xml' }), 415);
      expect(expectJson(await post(sse.endpoint, '{}'), 400).error.code).toBe(-32600);
      expect(expectJson(await post(sse.endpoint, '[1,2]'), 400).error.code).toBe(-32600);
      expect(expectJson(await post(sse.endpoint, '"x"'), 400).error.code).toBe(-32600);
      expect(
        expectJson(
          await post(sse.endpoint, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: 'x' })),
          400,
        ).error.code,
      ).toBe(-32600);
      // Nothing of that reached the session: it still answers.
      expect((await post(sse.endpoint, RPC)).status).toBe(202);
      const answer = await waitFor(() => sse.events.find((e) => e.id === 1));
      expect(answer.result.tools.length).toBeGreaterThan(50);
    } finally {
      await sse.close();
    }
  });
});
