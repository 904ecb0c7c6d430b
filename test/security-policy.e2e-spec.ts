/**
 * Policy-bypass suite (issue 7, item 3). For every tool_exposure and a matrix of method/tag filters,
 * a tool the policy hides is neither listed, described, found nor callable, through any route: a
 * direct tools/call, the discovery meta-tools (search_tools, get_tool_schema, call_tool) or the
 * model_actions ones (get_model_actions, get_model_action_parameters, perform_model_action). The
 * admin preview equals tools/list. Deleted and expired servers stop at once; require_api_token_auth
 * cannot be skipped; an SSE session only works under the URL that opened it.
 */
import { Clock } from '../src/common/clock';
import { TEST_ADMIN_KEY, type TestApp } from './support/test-app';
import {
  allowedTools,
  modelActionModels,
  toolIndex,
  toolsForConfig,
  TOOL_EXPOSURES,
  type McpServerConfig,
} from '../src/mcp-servers/policy';
import { toolName, type Operation } from '../src/planhat/catalog';
import { api, closeClients, connect, proxyAll, rpc, startMcpApp, type Json } from './mcp-helpers';

const FILTERS: McpServerConfig[] = [
  {},
  { methods: ['read'] },
  { methods: ['write'] },
  { methods: ['custom'] },
  { methods: ['get', 'delete'] },
  { tags: ['finance'] },
  { tags: ['unified'] },
  { methods: ['read'], tags: ['support'] },
  { methods: ['write'], tags: ['projects', 'crm'] },
  { methods: ['create'], tags: ['ticketing'] },
];
const MATRIX: McpServerConfig[] = TOOL_EXPOSURES.flatMap((tool_exposure) =>
  FILTERS.map((f) => ({ ...f, tool_exposure })),
);
const OPS: Operation[] = ['list', 'get', 'create', 'update', 'delete'];
const VIEW: Record<string, string> = {
  list: 'list',
  get: 'view',
  create: 'create',
  update: 'update',
  delete: 'delete',
};
const OBJECT_ID = '5f1c0ffee0c0ffee0c0ffee0';

let t: TestApp;
let accountId: string;

async function callTool(url: string, name: string, args: Json): Promise<Json> {
  const r = await rpc(url, 'tools/call', { name, arguments: args });
  expect(r.status).toBe(200);
  return r.body.result ?? { rpcError: r.body.error };
}

/** Plausible arguments, so a refusal can only come from the policy (not from validation). */
function argsFor(op: string): Json {
  switch (op) {
    case 'list':
      return { limit: 1 };
    case 'get':
    case 'delete':
      return { id: OBJECT_ID };
    case 'update':
      return { id: OBJECT_ID, name: 'policy bypass' };
    case 'bulk_upsert':
      return { items: [{ name: 'policy bypass', externalId: 'policy-bypass' }] };
    default:
      return { name: 'policy bypass', companyId: OBJECT_ID, email: 'bypass@example.com' };
  }
}

function refusal(r: Json): boolean {
  if (r.rpcError) return true;
  if (r.isError !== true) return false;
  const code = r.structuredContent?.error?.code;
  return code === 'FORBIDDEN' || code === 'NOT_FOUND';
}

async function pool<T>(items: readonly T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});

afterEach(async () => {
  await closeClients();
});

afterAll(async () => {
  await closeClients();
  await t?.close();
});

describe('hidden tools are neither listed, described, found nor callable', () => {
  const before: Record<string, Json[]> = {};
  const WATCHED = ['companies', 'invoices', 'tickets', 'time_entries', 'endusers'];

  beforeAll(async () => {
    for (const r of WATCHED) before[r] = await proxyAll(t, accountId, r);
  });

  afterAll(async () => {
    // Nothing the policy refused was written to the sandbox.
    for (const r of WATCHED) expect(await proxyAll(t, accountId, r)).toEqual(before[r]);
  });

  for (const config of MATRIX) {
    const label = JSON.stringify(config);
    it(`server ${label}`, async () => {
      const listed = toolsForConfig(config);
      const created = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
        name: `policy ${label}`.slice(0, 100),
        config,
      });
      if (listed.length === 0) {
        // A config that matches nothing cannot become a server.
        expect(created.status).toBe(400);
        return;
      }
      expect(created.status).toBe(201);
      const url = `${t.url}/mcp/${created.body.token}`;
      const exposure = config.tool_exposure ?? 'all';
      const allowed = new Set(allowedTools(config).map((x) => x.name));
      const hidden = toolIndex().filter((x) => !allowed.has(x.name));
      const problems: string[] = [];

      // Listed: tools/list (SDK client) = policy = admin preview.
      const client = await connect(url);
      const names = (await client.listTools()).tools.map((x) => x.name);
      expect(names).toEqual(listed.map((x) => x.name));
      const q = new URLSearchParams();
      if (config.methods) q.set('methods', config.methods.join(','));
      if (config.tags) q.set('tags', config.tags.join(','));
      q.set('tool_exposure', exposure);
      const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools?${q}`);
      expect(preview.status).toBe(200);
      expect(preview.body.result.map((x: Json) => x.name)).toEqual(names);
      if (exposure === 'all')
        for (const h of hidden) if (names.includes(h.name)) problems.push(`listed hidden ${h.name}`);

      // Callable directly: only listed tools. Every hidden tool (and, off `all`, every catalog tool not
      // listed: all of them but undo_change, which model_actions servers list) is refused.
      const direct = exposure === 'all' ? hidden : toolIndex().filter((x) => !names.includes(x.name));
      await pool(direct, 24, async (tool) => {
        const r = await callTool(url, tool.name, argsFor(tool.op));
        if (!refusal(r))
          problems.push(`direct call of ${tool.name} was not refused: ${JSON.stringify(r).slice(0, 200)}`);
      });
      const metaNames = [
        'search_tools',
        'get_tool_schema',
        'call_tool',
        'get_model_actions',
        'get_model_action_parameters',
        'perform_model_action',
      ].filter((n) => !names.includes(n));
      for (const n of metaNames) {
        const r = await callTool(url, n, {
          name: 'list_all_planhat_companies',
          query: '',
          MODEL_ROUTE: 'companies',
          OPERATION: 'list',
        });
        if (!refusal(r)) problems.push(`meta-tool ${n} not on this server but callable`);
      }

      if (exposure === 'discovery') {
        // Found: search_tools never returns a hidden tool, whatever the query or the filters it is given.
        const queries = [
          '',
          ...hidden.slice(0, 40).map((h) => h.name.replace(/_/g, ' ')),
          'delete',
          'create',
          'invoice',
          'ticket',
        ];
        await pool(queries, 16, async (query) => {
          for (const extra of [
            {},
            { methods: ['write', 'custom', 'read'] },
            { tags: ['finance', 'unified', 'support', 'crm'] },
          ]) {
            const r = await callTool(url, 'search_tools', { query, limit: 100, ...extra });
            if (r.isError) {
              problems.push(`search_tools failed: ${JSON.stringify(r).slice(0, 200)}`);
              continue;
            }
            for (const found of r.structuredContent.tools as Json[])
              if (!allowed.has(found.name)) problems.push(`search_tools("${query}") found hidden ${found.name}`);
          }
        });
        const everything = await callTool(url, 'search_tools', { query: '', limit: 100 });
        expect(everything.structuredContent.total_allowed).toBe(allowed.size);
        // Described and callable through the meta-tools: refused for every hidden tool.
        await pool(hidden, 24, async (tool) => {
          const schema = await callTool(url, 'get_tool_schema', { name: tool.name });
          if (!refusal(schema)) problems.push(`get_tool_schema described hidden ${tool.name}`);
          const called = await callTool(url, 'call_tool', { name: tool.name, arguments: argsFor(tool.op) });
          if (!refusal(called))
            problems.push(`call_tool ran hidden ${tool.name}: ${JSON.stringify(called).slice(0, 200)}`);
        });
        // ...and allowed ones are described.
        const one = [...allowed][0];
        expect((await callTool(url, 'get_tool_schema', { name: one })).isError).toBeFalsy();
      }

      if (exposure === 'model_actions') {
        const actions = await callTool(url, 'get_model_actions', {});
        expect(actions.isError).toBeFalsy();
        for (const m of actions.structuredContent.models as Json[]) {
          for (const op of m.operations as string[]) {
            const model = modelActionModels().find((x) => x.path.slice(1) === m.MODEL_ROUTE)!;
            const name = toolName(model, op === 'view' ? 'get' : (op as Operation));
            if (!allowed.has(name)) problems.push(`get_model_actions offers hidden ${name}`);
          }
        }
        const pairs = modelActionModels().flatMap((m) =>
          OPS.filter((op) => m.ops.includes(op)).map((op) => ({ m, op })),
        );
        await pool(pairs, 24, async ({ m, op }) => {
          const name = toolName(m, op);
          if (allowed.has(name)) return;
          for (const route of [m.path.slice(1), m.label.many, m.key.toUpperCase()]) {
            const params = await callTool(url, 'get_model_action_parameters', {
              MODEL_ROUTE: route,
              OPERATION: VIEW[op],
            });
            if (!refusal(params)) problems.push(`get_model_action_parameters described hidden ${name} (${route})`);
            const done = await callTool(url, 'perform_model_action', {
              MODEL_ROUTE: route,
              OPERATION: op === 'get' ? 'get' : VIEW[op],
              PARAMETERS: JSON.stringify(argsFor(op)),
            });
            if (!refusal(done))
              problems.push(
                `perform_model_action ran hidden ${name} (${route}): ${JSON.stringify(done).slice(0, 200)}`,
              );
          }
        });
      }

      expect(problems.slice(0, 20)).toEqual([]);
      await client.close();
      expect((await api(t, 'DELETE', `/integrated-account/${accountId}/mcp/${created.body.id}`)).status).toBe(200);
    }, 60_000);
  }
});

describe('deleted and expired servers stop at once', () => {
  it('a connected Streamable HTTP client and an open SSE session fail right after DELETE', async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, { name: 'to delete', config: {} });
    const url = `${t.url}/mcp/${s.body.token}`;
    const http = await connect(url);
    const sse = await connect(url, { sse: true });
    expect((await http.listTools()).tools.length).toBeGreaterThan(0);
    expect((await sse.listTools()).tools.length).toBeGreaterThan(0);
    expect((await api(t, 'DELETE', `/integrated-account/${accountId}/mcp/${s.body.id}`)).status).toBe(200);
    await expect(http.listTools()).rejects.toThrow(/404/);
    await expect(sse.callTool({ name: 'list_all_planhat_companies', arguments: { limit: 1 } })).rejects.toThrow(/404/);
    expect((await rpc(url, 'tools/list')).status).toBe(404);
    expect((await fetch(`${url}/sse`)).status).toBe(404);
  });

  it('deleting the integrated account stops its servers', async () => {
    const acct = await api(t, 'POST', '/integrated-account', { name: 'short-lived', environment: 'sandbox' });
    const s = await api(t, 'POST', `/integrated-account/${acct.body.id}/mcp`, { name: 'orphan', config: {} });
    const url = `${t.url}/mcp/${s.body.token}`;
    expect((await rpc(url, 'tools/list')).status).toBe(200);
    expect((await api(t, 'DELETE', `/integrated-account/${acct.body.id}`)).status).toBe(200);
    expect((await rpc(url, 'tools/list')).status).toBe(404);
    expect((await rpc(url, 'tools/call', { name: 'list_all_planhat_companies', arguments: {} })).status).toBe(404);
  });

  it('an expired server answers 404 from its expires_at on, on both transports', async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
      name: 'expiring',
      config: {},
      expires_at: new Date(Date.now() + 120_000).toISOString(),
    });
    const url = `${t.url}/mcp/${s.body.token}`;
    const sse = await connect(url, { sse: true });
    expect((await rpc(url, 'tools/list')).status).toBe(200);
    const clock = t.app.get(Clock);
    const realNow = clock.now;
    clock.now = () => new Date(Date.now() + 121_000);
    try {
      expect((await rpc(url, 'tools/list')).status).toBe(404);
      await expect(sse.listTools()).rejects.toThrow(/404/);
      expect((await fetch(`${url}/sse`)).status).toBe(404);
    } finally {
      clock.now = realNow;
    }
  });
});

describe('require_api_token_auth cannot be skipped', () => {
  let url: string;
  let token: { id: string; token: string };

  beforeAll(async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
      name: 'auth required',
      config: { require_api_token_auth: true },
    });
    url = `${t.url}/mcp/${s.body.token}`;
    const tok = await api(t, 'POST', '/api-token', { name: 'mcp client' });
    token = { id: tok.body.id, token: tok.body.token };
  });

  it.each([
    ['no header', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['a wrong token', { authorization: 'Bearer phg_not_a_real_token_000000000' }],
    ['the MCP URL token as bearer', {}],
    ['Basic auth', { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` }],
    ['a token with trailing junk', {}],
  ])('refuses %s with 401 on every method and transport', async (label, headers: Record<string, string>) => {
    if (label === 'the MCP URL token as bearer') headers = { authorization: `Bearer ${url.split('/mcp/')[1]}` };
    if (label === 'a token with trailing junk') headers = { authorization: `Bearer ${token.token}x` };
    for (const [method, params] of [
      ['tools/list', {}],
      ['tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 1 } }],
      ['initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } }],
    ] as const) {
      const r = await rpc(url, method, params, headers);
      expect(r.status).toBe(401);
      expect(r.body.message).toMatch(/API token/);
    }
    expect((await fetch(`${url}/sse`, { headers })).status).toBe(401);
    expect((await fetch(url, { headers })).status).toBe(401);
  });

  it('accepts a valid API token, and refuses it at once after revocation (Streamable HTTP and an open SSE session)', async () => {
    const headers = { authorization: `Bearer ${token.token}` };
    expect((await rpc(url, 'tools/list', {}, headers)).status).toBe(200);
    const client = await connect(url, { headers });
    const sse = await connect(url, { sse: true, headers });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await sse.listTools()).tools.length).toBeGreaterThan(0);
    expect((await api(t, 'DELETE', `/api-token/${token.id}`)).status).toBeLessThan(300);
    expect((await rpc(url, 'tools/list', {}, headers)).status).toBe(401);
    await expect(client.listTools()).rejects.toThrow(/401/);
    await expect(sse.listTools()).rejects.toThrow(/401/);
  });

  it('an open SSE session cannot post messages without the API token', async () => {
    const tok = await api(t, 'POST', '/api-token', { name: 'sse' });
    const headers = { authorization: `Bearer ${tok.body.token}` };
    const controller = new AbortController();
    const res = await fetch(`${url}/sse`, { headers, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let buf = '';
    while (!/sessionId=/.test(buf)) buf += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(buf)![1];
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const post = (h: Record<string, string>) =>
      fetch(new URL(endpoint, t.url), { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong-token-123456' })).status).toBe(401);
    expect((await post(headers)).status).toBe(202);
    controller.abort();
  });

  it('accepts the admin key as bearer (ADMIN_API_KEY is an API token, docs/contract.md §2)', async () => {
    expect((await rpc(url, 'tools/list', {}, { authorization: `Bearer ${TEST_ADMIN_KEY}` })).status).toBe(200);
  });

  it('a server without require_api_token_auth ignores a bad Authorization header (the URL token is the credential)', async () => {
    const s = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, { name: 'open', config: {} });
    expect((await rpc(`${t.url}/mcp/${s.body.token}`, 'tools/list', {}, { authorization: 'Bearer nope' })).status).toBe(
      200,
    );
  });
});

describe('SSE sessions are bound to the server that opened them', () => {
  it("refuses a session id of one server posted under another server's URL (404), and a forged one", async () => {
    const a = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, {
      name: 'sse a',
      config: { methods: ['read'] },
    });
    const b = await api(t, 'POST', `/integrated-account/${accountId}/mcp`, { name: 'sse b', config: {} });
    const controller = new AbortController();
    const res = await fetch(`${t.url}/mcp/${a.body.token}/sse`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let buf = '';
    while (!/sessionId=/.test(buf)) buf += new TextDecoder().decode((await reader.read()).value);
    const sessionId = /sessionId=([^\s&]+)/.exec(buf)![1];
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'create_a_planhat_company', arguments: { name: 'cross-session' } },
    });
    const post = (token: string, sid: string) =>
      fetch(`${t.url}/mcp/${token}/messages?sessionId=${sid}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const cross = await post(b.body.token, sessionId);
    expect(cross.status).toBe(404);
    expect((await post(a.body.token, 'forged-session-id')).status).toBe(404);
    expect((await post(a.body.token, '')).status).toBe(404);
    expect((await post(a.body.token, sessionId)).status).toBe(202);
    // The call made under server A's own URL runs under A's read-only policy: refused on the stream.
    while (!/"id":1/.test(buf)) buf += new TextDecoder().decode((await reader.read()).value);
    expect(buf).toMatch(/not allowed on this server/);
    controller.abort();
  });
});
