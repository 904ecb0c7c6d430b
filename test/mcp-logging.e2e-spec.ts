/**
 * logging/setLevel (issue 26, item 4, its protocol half) with the real MCP SDK client: the server
 * announces the logging capability and accepts every MCP log level over Streamable HTTP and
 * legacy SSE; an unknown level is -32602 (Invalid params) naming the field, not silently accepted.
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { TestApp } from './support/test-app';
import { closeClients, connect, createServer, startMcpApp } from './mcp-helpers';

let t: TestApp;
let url: string;

beforeAll(async () => {
  const started = await startMcpApp();
  t = started.t;
  url = (await createServer(t, started.accountId, { methods: ['read'] })).url;
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe.each([
  ['Streamable HTTP', false],
  ['legacy SSE', true],
])('logging/setLevel over %s', (_label, sse) => {
  it('announces logging and accepts every MCP level', async () => {
    const c = await connect(url, { sse });
    expect(c.getServerCapabilities()?.logging).toBeDefined();
    for (const level of ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const) {
      await expect(c.setLoggingLevel(level)).resolves.toEqual({});
    }
  });

  it('refuses an unknown level with -32602', async () => {
    const c = await connect(url, { sse });
    let err: unknown;
    try {
      await c.setLoggingLevel('loud' as 'info');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32602);
    expect((err as McpError).message).toMatch(/level/);
  });
});
