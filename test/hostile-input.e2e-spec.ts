/**
 * Hostile input (issue #20, items 4, 5 and 9): "." ids, deeply nested JSON, and Fastify's own errors
 * answered in the project's error shape. Every request goes over real HTTP with raw paths (undici,
 * no URL normalisation) to the real gateway and its embedded sandbox; the gateway's HTTP server is
 * watched to prove that a rejected request never reached the sandbox (Planhat).
 */
import type { IncomingMessage } from 'node:http';
import { connect as netConnect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { call, closeClients, connect, textOf } from './mcp-helpers';
import { ADMIN_KEY, startGateway, type TestGateway } from './helpers';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** `n` levels of nested arrays around nothing: `[[[...]]]`. */
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);
/** `n` levels of nested objects around a number: `{"a":{"a":...1}}`. */
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
/** A JS value nested `n` levels deep (for MCP tool arguments). */
const deepValue = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
};

describe('hostile input: "." ids, deep JSON, and one error shape for Fastify errors', () => {
  let gw: TestGateway;
  let pool: Pool;
  let acct: string;
  let mcpUrl: string;
  /** Every request the sandbox (the stand-in for Planhat) received, as "METHOD url". */
  const upstream: string[] = [];

  beforeAll(async () => {
    gw = await startGateway({ SANDBOX_SEED_COMPANIES: '3' });
    pool = new Pool(gw.url, { connections: 4 });
    acct = gw.sandboxAccountId;
    gw.app.getHttpServer().on('request', (req: IncomingMessage) => {
      if (req.url?.startsWith('/sandbox/planhat/')) upstream.push(`${req.method} ${req.url}`);
    });
    const server = await gw.call('POST', `/integrated-account/${acct}/mcp`, { name: 'hostile input', config: {} });
    expect(server.status).toBe(201);
    mcpUrl = `${gw.url}/mcp/${server.body.token}`;
    // The embedded sandbox serves only the tokens of the gateway's sandbox accounts.
    const tenant = await gw.call('POST', '/integrated-account', {
      name: 'hostile input tenant',
      environment: 'sandbox',
      api_token: 'hostile-input-tenant-0123456789',
    });
    expect(tenant.status).toBe(201);
  });

  afterAll(async () => {
    await closeClients();
    await pool?.close();
    await gw?.close();
  });

  const raw = async (
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await pool.request({
      method: method as 'GET',
      path,
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body,
    });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  };

  /** The project's error shape: status, code, a message, and the request id of the answer. */
  const expectError = (a: Answer, status: number, code: string, message?: RegExp) => {
    const what = `${a.status} ${a.text.slice(0, 300)}`;
    expect({ what, status: a.status }).toEqual({ what, status });
    expect(a.json).toEqual(
      expect.objectContaining({
        statusCode: status,
        error: code,
        message: expect.any(String),
        request_id: expect.any(String),
      }),
    );
    if (message) expect({ what, ok: message.test(a.json.message) }).toEqual({ what, ok: true });
    if (a.headers['x-request-id'] !== undefined) expect(a.json.request_id).toBe(a.headers['x-request-id']);
  };

  // ------------------------------------------------------------------ item 4: "." ids

  /** "." and ".." as raw URL segments: plain, percent-encoded in any case, and encoded twice or more. */
  const DOT_IDS = [
    '.',
    '%2e',
    '%2E',
    '..',
    '%2e%2E',
    '.%2e',
    '%2E.',
    '%252e',
    '%252E%252e',
    '%25252E',
    '%2e%20',
    '%252e.',
  ];

  it('answers "." and ".." ids in any encoding with a 400 on every proxy method, before anything reaches Planhat', async () => {
    const before = upstream.length;
    for (const id of DOT_IDS) {
      const path = `/proxy/companies/${id}?integrated_account_id=${acct}`;
      expectError(await raw('GET', path), 400, 'INVALID_INPUT', /id/);
      expectError(await raw('PATCH', path, '{"name":"renamed"}'), 400, 'INVALID_INPUT', /id/);
      expectError(await raw('PUT', path, '{"name":"renamed"}'), 400, 'INVALID_INPUT', /id/);
      expectError(await raw('DELETE', path), 400, 'INVALID_INPUT', /id/);
    }
    expect(upstream.slice(before)).toEqual([]);
  });

  it('answers "." ids with a 400 on the unified API (get, update, delete), before anything reaches Planhat', async () => {
    const before = upstream.length;
    for (const id of DOT_IDS) {
      const path = `/unified/crm/accounts/${id}?integrated_account_id=${acct}`;
      expectError(await raw('GET', path), 400, 'INVALID_INPUT', /id/);
      expectError(await raw('PATCH', path, '{"name":"renamed"}'), 400, 'INVALID_INPUT', /id/);
      expectError(await raw('DELETE', path), 400, 'INVALID_INPUT', /id/);
    }
    expect(upstream.slice(before)).toEqual([]);
  });

  it('answers "." ids in MCP tool arguments with an INVALID_INPUT error result, before anything reaches Planhat', async () => {
    const client = await connect(mcpUrl);
    const before = upstream.length;
    for (const id of ['.', '..', '%2e', '%2E%2e', '%252E', ' . ']) {
      for (const [tool, args] of [
        ['get_single_planhat_company_by_id', { id }],
        ['update_a_planhat_company_by_id', { id, name: 'renamed' }],
        ['delete_a_planhat_company_by_id', { id }],
        ['get_single_crm_account_by_id', { id }],
        ['update_a_crm_account_by_id', { id, name: 'renamed' }],
      ] as const) {
        const r = await call(client, tool, args);
        expect({ tool, id, isError: r.isError }).toEqual({ tool, id, isError: true });
        expect(textOf(r)).toMatch(/INVALID_INPUT|400/);
        expect(textOf(r)).toMatch(/id/);
      }
    }
    expect(upstream.slice(before)).toEqual([]);
  });

  it('still serves ordinary ids that merely contain dots or percent signs', async () => {
    const created = await raw(
      'POST',
      `/proxy/companies?integrated_account_id=${acct}`,
      JSON.stringify({ name: 'Dots Inc', externalId: 'a.b.c%x' }),
    );
    expect(created.status).toBe(201);
    const got = await raw(
      'GET',
      `/proxy/companies/${encodeURIComponent('extid-a.b.c%x')}?integrated_account_id=${acct}`,
    );
    expect(got.status).toBe(200);
    expect(got.json.name).toBe('Dots Inc');
  });

  // ------------------------------------------------------------------ item 5: deep JSON

  it('answers JSON nested deeper than 64 levels with a 400 INVALID_INPUT on every route family, and nothing reaches Planhat', async () => {
    const targets: [string, string][] = [
      ['POST', `/proxy/companies?integrated_account_id=${acct}`],
      ['PATCH', `/proxy/companies/x1?integrated_account_id=${acct}`],
      ['POST', `/proxy/companies/bulk_upsert?integrated_account_id=${acct}`],
      ['POST', `/unified/crm/accounts?integrated_account_id=${acct}`],
      ['PATCH', `/unified/crm/accounts/x1?integrated_account_id=${acct}`],
      ['POST', '/integrated-account'],
      ['POST', `/integrated-account/${acct}/mcp`],
      ['POST', '/api-token'],
    ];
    const before = upstream.length;
    for (const [method, path] of targets) {
      // On main, a 5,000-level value inside an object body was a 500 on /proxy, /unified and the admin API.
      for (const body of [
        `{"name":"x","custom":{"v":${deepObject(5000)}}}`,
        deepArray(5000),
        deepObject(5000),
        deepArray(65),
        `{"name":"x","custom":{"v":${deepArray(63)}}}`,
      ]) {
        expectError(await raw(method, path, body), 400, 'INVALID_INPUT', /nested deeper than 64/);
      }
    }
    expect(upstream.slice(before)).toEqual([]);
  });

  it('accepts nesting of exactly 64 levels (the limit is not off by one)', async () => {
    // depth 64: the body object (1), custom (2) and 62 arrays in v.
    const a = await raw(
      'POST',
      `/proxy/companies?integrated_account_id=${acct}`,
      `{"name":"Deep Co","custom":{"v":${deepArray(62)}}}`,
    );
    expect(a.status).toBe(201);
  });

  it('answers a deeply nested MCP request with a 400 or a JSON-RPC error, never a 500, and MCP arguments deeper than the limit fail', async () => {
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_all_planhat_companies","arguments":${deepObject(5000)}}}`;
    const r = await raw('POST', new URL(mcpUrl).pathname, body, { accept: 'application/json, text/event-stream' });
    expect(r.status).toBeLessThan(500);
    expect(r.text).toMatch(/nested deeper than 64/);

    const client = await connect(mcpUrl);
    const before = upstream.length;
    const outcome = await call(client, 'create_a_planhat_company', { name: 'x', custom: { v: deepValue(100) } }).then(
      (res) => textOf(res),
      (err: Error) => err.message,
    );
    expect(outcome).toMatch(/nested deeper than 64/);
    expect(upstream.slice(before)).toEqual([]);
    // The session is still usable after the refusal.
    const ok = await call(client, 'list_all_planhat_companies', { limit: 1 });
    expect(ok.isError).toBeFalsy();
  });

  it('refuses deeply nested values that reach a tool as a JSON string (perform_model_action PARAMETERS), before anything reaches Planhat', async () => {
    const server = await gw.call('POST', `/integrated-account/${acct}/mcp`, {
      name: 'hostile input model actions',
      config: { tool_exposure: 'model_actions' },
    });
    expect(server.status).toBe(201);
    const client = await connect(`${gw.url}/mcp/${server.body.token}`);
    const before = upstream.length;
    for (const [OPERATION, depth] of [
      ['create', 65],
      ['create', 5000],
      ['create', 200_000],
      ['update', 5000],
    ] as const) {
      const params =
        OPERATION === 'create'
          ? `{"name":"Deep","custom":{"v":${deepArray(depth - 2)}}}`
          : `{"id":"x1","custom":{"v":${deepArray(depth - 2)}}}`;
      const r = await call(client, 'perform_model_action', { MODEL_ROUTE: 'companies', OPERATION, PARAMETERS: params });
      expect({ OPERATION, depth, isError: r.isError }).toEqual({ OPERATION, depth, isError: true });
      expect(textOf(r)).toMatch(/INVALID_INPUT.*nested deeper than 64/);
    }
    expect(upstream.slice(before)).toEqual([]);
    const ok = await call(client, 'perform_model_action', {
      MODEL_ROUTE: 'companies',
      OPERATION: 'create',
      PARAMETERS: `{"name":"Deep enough","custom":{"v":${deepArray(62)}}}`,
    });
    expect(ok.isError).toBeFalsy();
  });

  // ------------------------------------------------------------------ item 9: Fastify's own errors

  it('answers a malformed URL in the project shape with a request id', async () => {
    const a = await raw('GET', '/proxy/%E0%A4%A');
    expectError(a, 400, 'INVALID_INPUT', /URL/);
    expect(a.headers['x-request-id']).toBe(a.json.request_id);
  });

  it('answers an unknown route, and a body over the limit in the project shape with a request id', async () => {
    expectError(await raw('GET', '/no/such/route'), 404, 'NOT_FOUND');
    expectError(
      await raw(
        'POST',
        `/proxy/companies?integrated_account_id=${acct}`,
        JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
      ),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  /** Raw bytes to the gateway's socket; resolves with everything it answered before closing. */
  const rawSocket = (bytes: string) =>
    new Promise<{ head: string; json: any }>((resolve, reject) => {
      const socket = netConnect(Number(new URL(gw.url).port), '127.0.0.1');
      let data = '';
      const done = () => {
        const [head, body] = data.split('\r\n\r\n');
        resolve({ head, json: JSON.parse(body) });
      };
      socket.on('data', (c) => (data += c.toString('utf8')));
      socket.on('close', done);
      socket.on('error', (e) => (data ? undefined : reject(e)));
      socket.write(bytes);
    });

  it('answers request headers that are too large with a 431 in the project shape', async () => {
    const { head, json } = await rawSocket(
      `GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toMatch(/content-type: application\/json/);
    expect(json).toEqual(
      expect.objectContaining({
        statusCode: 431,
        error: 'HEADERS_TOO_LARGE',
        message: expect.stringMatching(/header/i),
        request_id: expect.any(String),
      }),
    );
    expect(head.toLowerCase()).toContain(`x-request-id: ${json.request_id}`.toLowerCase());
  });

  it('answers a request that is not valid HTTP with a 400 in the project shape', async () => {
    const { head, json } = await rawSocket('GET /health HTTP/1.1\r\nhost x\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(json).toEqual(
      expect.objectContaining({
        statusCode: 400,
        error: 'INVALID_INPUT',
        message: expect.stringMatching(/HTTP/),
        request_id: expect.any(String),
      }),
    );
  });

  it('answers a content type it does not parse with a 415 in the project shape', async () => {
    for (const ct of [
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ]) {
      expectError(
        await raw('POST', `/proxy/companies?integrated_account_id=${acct}`, '{"name":"x"}', { 'content-type': ct }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /application\/json/,
      );
    }
  });

  it('answers application/x-www-form-urlencoded bodies with a 415 instead of forwarding them', async () => {
    const before = upstream.length;
    for (const path of [
      `/proxy/companies?integrated_account_id=${acct}`,
      `/unified/crm/accounts?integrated_account_id=${acct}`,
      '/api-token',
    ]) {
      expectError(
        await raw('POST', path, 'name=Form+Co', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /application\/json/,
      );
      expectError(
        await raw('POST', path, '{"name":"Form Co"}', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    expect(upstream.slice(before)).toEqual([]);
  });

  it('answers a Content-Encoding it does not decode with a 415, and accepts identity', async () => {
    const path = `/proxy/companies?integrated_account_id=${acct}`;
    const before = upstream.length;
    for (const enc of ['gzip', 'br', 'deflate', 'GZIP', 'identity, gzip', 'x-unknown']) {
      expectError(
        await raw('POST', path, gzipSync('{"name":"Zipped"}'), { 'content-encoding': enc }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /Content-Encoding/i,
      );
    }
    expect(upstream.slice(before)).toEqual([]);
    const plain = await raw('POST', path, '{"name":"Plain Co"}', { 'content-encoding': 'identity' });
    expect(plain.status).toBe(201);
  });

  it('answers invalid UTF-8 in a JSON body with a 400 instead of replacing the bytes', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"Bad '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(' Co"}')]);
    const before = upstream.length;
    expectError(
      await raw('POST', `/proxy/companies?integrated_account_id=${acct}`, body),
      400,
      'INVALID_INPUT',
      /UTF-8/,
    );
    expectError(await raw('POST', '/api-token', body), 400, 'INVALID_INPUT', /UTF-8/);
    expect(upstream.slice(before)).toEqual([]);
    const good = await raw(
      'POST',
      `/proxy/companies?integrated_account_id=${acct}`,
      Buffer.from('{"name":"Café Ünïcode Co"}', 'utf8'),
    );
    expect(good.status).toBe(201);
    expect(good.json.name).toBe('Café Ünïcode Co');
  });

  it('answers a __proto__ key in a body with a 400 that names the key, not "not valid JSON"', async () => {
    for (const [body, field] of [
      ['{"name":"x","__proto__":{"isAdmin":true}}', '__proto__'],
      ['{"name":"x","custom":{"__proto__":{"p":1}}}', 'custom.__proto__'],
      ['{"name":"x","custom":{"\\u005f_proto__":{"p":1}}}', 'custom.__proto__'],
    ]) {
      for (const path of [`/proxy/companies?integrated_account_id=${acct}`, '/api-token']) {
        const a = await raw('POST', path, body);
        expectError(a, 400, 'INVALID_INPUT', new RegExp(`not allowed: ${field.replace(/\./g, '\\.')}`));
        expect(a.json.message).not.toMatch(/valid JSON/);
        expect(a.json.details).toEqual({ field });
      }
    }
  });

  it('answers bracketed query parameter names with a 400', async () => {
    for (const q of ['limit[]=1', '__proto__[x]=1', 'a[b]=c', 'limit%5B%5D=1', 'x]=1']) {
      for (const base of [
        `/proxy/companies?integrated_account_id=${acct}&`,
        `/unified/crm/accounts?integrated_account_id=${acct}&`,
        '/integrated-account?',
      ]) {
        expectError(await raw('GET', `${base}${q}`), 400, 'INVALID_INPUT', /bracket/);
      }
    }
  });

  it('says what is wrong with limit=1.5 and limit=-1', async () => {
    for (const base of [
      `/proxy/companies?integrated_account_id=${acct}`,
      `/unified/crm/accounts?integrated_account_id=${acct}`,
    ]) {
      expectError(
        await raw('GET', `${base}&limit=1.5`),
        400,
        'INVALID_INPUT',
        /limit:? must be a whole number, got "?1\.5/,
      );
      expectError(await raw('GET', `${base}&limit=-1`), 400, 'INVALID_INPUT', /limit:? must be at least 1, got "?-1/);
      expectError(await raw('GET', `${base}&limit=abc`), 400, 'INVALID_INPUT', /limit:? must be a whole number/);
    }
    const client = await connect(mcpUrl);
    for (const tool of ['list_all_planhat_companies', 'list_all_crm_accounts']) {
      expect(textOf(await call(client, tool, { limit: 1.5 }))).toMatch(
        /INVALID_INPUT.*limit.*must be a whole number, got 1\.5/,
      );
      expect(textOf(await call(client, tool, { limit: -1 }))).toMatch(
        /INVALID_INPUT.*limit.*must be at least 1, got -1/,
      );
    }
  });

  it('keeps serving ordinary JSON, Swagger and the sandbox after all of this', async () => {
    expect((await raw('GET', `/proxy/companies?integrated_account_id=${acct}&limit=2`)).status).toBe(200);
    expect((await raw('GET', '/docs')).status).toBeLessThan(400);
    expect((await raw('GET', '/docs-json')).status).toBe(200);
    const sandbox = await raw('GET', '/sandbox/planhat/companies?limit=1', undefined, {
      authorization: 'Bearer hostile-input-tenant-0123456789',
    });
    expect(sandbox.status).toBe(200);
    // The sandbox answers the same refusals in its own (Planhat-like) shape, not with a 500.
    const sandboxAuth = { authorization: 'Bearer hostile-input-tenant-0123456789' };
    const zipped = await raw('POST', '/sandbox/planhat/companies', gzipSync('{"name":"x"}'), {
      ...sandboxAuth,
      'content-encoding': 'gzip',
    });
    expect([zipped.status, zipped.json]).toEqual([415, { error: expect.stringMatching(/Content-Encoding gzip/) }]);
    const bracketed = await raw('GET', '/sandbox/planhat/companies?limit[]=1', undefined, sandboxAuth);
    expect([bracketed.status, bracketed.json]).toEqual([400, { error: expect.stringMatching(/brackets/) }]);
  });
});
