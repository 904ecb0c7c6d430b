import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from './support/test-app';

export type Json = Record<string, any>;

/** A gateway on a fresh data dir with the embedded sandbox, and the sandbox account id. */
export async function startMcpApp(env: Record<string, string> = {}): Promise<{ t: TestApp; accountId: string }> {
  const t = await startTestApp({ SANDBOX_RATE_LIMIT_PER_MIN: '0', THROTTLE_PER_MIN: '0', ...env });
  const list = await api(t, 'GET', '/integrated-account');
  if (!Array.isArray(list.body.result)) throw new Error(`GET /integrated-account: ${list.status} ${list.text}`);
  const accountId = (list.body.result as Json[]).find((a) => a.name === 'sandbox')?.id ?? list.body.result[0].id;
  return { t, accountId };
}

export async function api(
  t: TestApp,
  method: string,
  url: string,
  body?: unknown,
  token: string | null = TEST_ADMIN_KEY,
): Promise<{ status: number; body: Json; text: string }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(t.url + url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    json = text ? (JSON.parse(text) as Json) : {};
  } catch {
    json = {};
  }
  return { status: res.status, body: json, text };
}

/** Creates an MCP server on the account; returns its id and the MCP URL on the test app. */
export async function createServer(
  t: TestApp,
  accountId: string,
  config: Json = {},
  extra: Json = {},
): Promise<{ id: string; token: string; url: string }> {
  const r = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
    name: `test ${JSON.stringify(config)}`.slice(0, 100),
    config,
    ...extra,
  });
  if (r.status !== 201) throw new Error(`creating an MCP server failed: ${r.status} ${r.text}`);
  return { id: r.body.id, token: r.body.token, url: `${t.url}/mcp/${r.body.token}` };
}

const open: Client[] = [];

/** An SDK client connected over Streamable HTTP (default) or legacy SSE. */
export async function connect(
  url: string,
  opts: { sse?: boolean; headers?: Record<string, string> } = {},
): Promise<Client> {
  const client = new Client({ name: 'mcp-e2e', version: '1.0.0' });
  const requestInit = opts.headers ? { headers: opts.headers } : undefined;
  const transport = opts.sse
    ? new SSEClientTransport(new URL(`${url}/sse`), {
        requestInit,
        eventSourceInit: opts.headers
          ? {
              fetch: (u, init) =>
                fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...opts.headers } }),
            }
          : undefined,
      })
    : new StreamableHTTPClientTransport(new URL(url), { requestInit });
  open.push(client);
  await client.connect(transport);
  return client;
}

export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
}

export async function call(
  client: Client,
  name: string,
  args: Json = {},
): Promise<CallToolResult & { structuredContent?: Json }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: Json };
}

export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The structured result of a successful call (fails the test with the error text otherwise). */
export async function ok(client: Client, name: string, args: Json = {}): Promise<Json> {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  expect(JSON.parse(textOf(r))).toEqual(r.structuredContent);
  return r.structuredContent as Json;
}

/** Every record of a native resource through the proxy (for before/after comparisons). */
export async function proxyAll(t: TestApp, accountId: string, resource: string): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/proxy/${resource}?integrated_account_id=${accountId}&limit=2000${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await api(t, 'GET', q);
    if (r.status !== 200) throw new Error(`proxy ${resource}: ${r.status} ${r.text}`);
    out.push(...(r.body.result as Json[]));
    cursor = r.body.next_cursor;
  } while (cursor);
  return out;
}

let rpcId = 0;

/** One JSON-RPC request to an MCP URL (stateless Streamable HTTP); returns HTTP status and the body. */
export async function rpc(
  url: string,
  method: string,
  params: Json = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
  });
  const text = await res.text();
  let body: Json = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}
