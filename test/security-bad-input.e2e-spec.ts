/**
 * Bad-input suite (issue 7, item 1): well over 1,000 generated malformed requests across every REST
 * route and every MCP tool. Every answer must be a 4xx with a message (MCP: an `isError` result or a
 * JSON-RPC error), never a 5xx; the gateway stays up and nothing reaches the sandbox as a write.
 *
 * Requests are generated with fast-check (fixed seed, so a failure is reproducible) from the catalog,
 * the unified resource list, the route table and the tool index, then replayed over real HTTP with
 * raw paths (undici Pool, no URL normalisation) so `../`, `%2F`, `%00` and `%0D%0A` reach the server.
 */
import * as fc from 'fast-check';
import { Pool } from 'undici';
import type { z } from 'zod';
import { allModels, type ModelDef } from '../src/planhat/catalog';
import { toolIndex, type IndexedTool } from '../src/mcp-servers/policy';
import { UNIFIED_RESOURCES } from '../src/unified/unified-resources';
import { ADMIN_KEY, startGateway, type TestGateway } from './helpers';

const BODY_LIMIT = 16_384;
const SEED = 7_2026;
const TENANT_TOKEN = 'bad-input-tenant-token-0123456789';

interface Req {
  kind: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  mcp?: boolean;
}

interface Answer {
  req: Req;
  status: number;
  text: string;
  json: any;
}

// ------------------------------------------------------------------ generators of bad pieces

/** Ids no record can have: traversal, encoded slashes, control characters, oversize, empty-ish. */
const badId = fc.oneof(
  fc.constantFrom(
    '..',
    '..%2F..%2Fetc%2Fpasswd',
    '%2E%2E',
    'a%2Fb',
    '%2F',
    'x%5Cy',
    'abc%00def',
    '%00',
    'id%0D%0AX-Injected:%201',
    '%0A',
    'extid-',
    'srcid-',
    '%20%20',
    'a%7F',
  ),
  fc.string({ minLength: 1, maxLength: 6 }).map((s) => `${encodeURIComponent(s)}%2F..%2F${encodeURIComponent(s)}`),
  fc.integer({ min: 513, max: 900 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('\u0001', '\u001f', '\r\n', '\u0000').map((c) => `ab${encodeURIComponent(c)}cd`),
);

/** Values that are wrong for any typed field (string, number, boolean, enum, array). */
const wrongValue = fc.oneof(
  fc.constant({ nested: { deep: [1, 2, { x: null }] } }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { minKeys: 1, maxKeys: 3 }),
);

const forgedCursor = fc.oneof(
  fc.constantFrom(
    'eyJvIjoxMDAwMDAwMCwibCI6MX0',
    'eyJvIjowLCJsIjoxfQ.AAAA',
    'not-a-cursor',
    '%00',
    '../../',
    'a'.repeat(5000),
  ),
  fc.base64String({ minLength: 4, maxLength: 120 }).map((s) => encodeURIComponent(s)),
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(`${s}.${s}`)),
);

const absurdLimit = fc.oneof(
  fc.constantFrom('-1', '0', '1e309', 'NaN', 'Infinity', '99999999999999999999', '1.5', 'abc', '%00', '0x10', '[]', ''),
  fc.integer({ min: 100_001, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.integer({ min: -1_000_000, max: 0 }).map(String),
);

const invalidJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    '{"name": "x",}',
    "{'name': 'x'}",
    '[1,2',
    'undefined',
    'NaN',
    '{"a":1}{"b":2}',
    '\u0000',
    '{"name":"\\u0000\\x"}',
    '{"a" 1}',
    '{{}}',
  ),
  fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return s.trim().length > 0;
    }
  }),
);

/** JSON texts carrying prototype-pollution keys (sent raw: JSON.stringify would drop `__proto__`). */
const pollutedJson = fc.oneof(
  fc.constantFrom(
    '{"name":"x","__proto__":{"isAdmin":true}}',
    '{"name":"x","constructor":{"prototype":{"isAdmin":true}}}',
    '{"name":"x","custom":{"__proto__":{"polluted":1}}}',
    '{"__proto__":{"toString":1}}',
    '{"name":"x","prototype":{"a":1}}',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `{"name":${JSON.stringify(s)},"nested":{"__proto__":{"p":1}}}`),
);

/** Bodies that are JSON but not the object a write needs. */
const nonObjectJson = fc.oneof(
  fc.constantFrom('null', '"a string"', '42', 'true', '[]', '[{"name":"x"}]', '[[[]]]'),
  fc.array(fc.integer(), { maxLength: 4 }).map((a) => JSON.stringify(a)),
);

const oversized = fc
  .integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 4 })
  .map((n) => JSON.stringify({ name: 'x'.repeat(n) }));

const unknownName = fc.oneof(
  fc.constantFrom(
    'companyz',
    'Companies',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '..',
    '%2E%2E',
    'companies%2F..',
    'companies%00',
    'hasOwnProperty',
  ),
  fc.stringMatching(/^[a-z_]{3,20}$/).filter((s) => !allModels().some((m) => m.key === s || m.path === `/${s}`)),
);

// ------------------------------------------------------------------ field helpers

function fieldType(schema: z.ZodType): string {
  return (schema as unknown as { def: { type: string } }).def.type;
}

/** A field of the model whose type rejects an object (so `wrongValue` is certainly invalid). */
function typedFields(model: ModelDef): string[] {
  return Object.entries(model.fields)
    .filter(([, s]) => ['string', 'number', 'boolean', 'enum', 'array', 'literal'].includes(fieldType(s)))
    .map(([k]) => k);
}

const json = (v: unknown) => JSON.stringify(v);

describe('bad input: generated malformed requests over every REST route and MCP tool', () => {
  let gw: TestGateway;
  let pool: Pool;
  let accountId: string;
  let mcpAll: string;
  let mcpDiscovery: string;
  let mcpModelActions: string;
  let tokenId: string;
  const answers: Answer[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  const stats = async () => {
    const r = await gw.call('GET', '/sandbox/planhat/__stats', undefined, { authorization: `Bearer ${TENANT_TOKEN}` });
    expect(r.status).toBe(200);
    return r.body as { writes: number; counts: Record<string, number> };
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    gw = await startGateway({ BODY_LIMIT_BYTES: String(BODY_LIMIT), SANDBOX_SEED_COMPANIES: '10' });
    pool = new Pool(gw.url, { connections: 16 });
    const acct = await gw.call('POST', '/integrated-account', {
      name: 'bad input target',
      environment: 'sandbox',
      api_token: TENANT_TOKEN,
    });
    expect(acct.status).toBe(201);
    accountId = acct.body.id;
    const mk = async (config: Record<string, unknown>) => {
      const r = await gw.call('POST', `/integrated-account/${accountId}/mcp`, {
        name: `bad input ${JSON.stringify(config)}`,
        config,
      });
      expect(r.status).toBe(201);
      return r.body.token as string;
    };
    mcpAll = await mk({});
    mcpDiscovery = await mk({ tool_exposure: 'discovery' });
    mcpModelActions = await mk({ tool_exposure: 'model_actions' });
    const tok = await gw.call('POST', '/api-token', { name: 'bad input' });
    tokenId = tok.body.id;
  });

  afterAll(async () => {
    await pool?.close();
    await gw?.close();
    process.off('unhandledRejection', onRejection);
  });

  /** Every generated request, by family. */
  function generate(): Req[] {
    const out: Req[] = [];
    const add = (n: number, arb: fc.Arbitrary<Req>, seedOffset: number) =>
      out.push(...fc.sample(arb, { numRuns: n, seed: SEED + seedOffset }));
    const models = allModels();
    const acct = `integrated_account_id=${accountId}`;
    const model = fc.constantFrom(...models);
    const jsonHeaders = { 'content-type': 'application/json' };

    // --- auth: no token, wrong token, malformed header
    add(
      40,
      fc
        .record({
          path: fc.constantFrom(
            '/integrated-account',
            `/proxy/companies?${acct}`,
            `/unified/crm/accounts?${acct}`,
            '/api-token',
            `/integrated-account/${accountId}/mcp`,
          ),
          auth: fc.constantFrom(
            '',
            'Bearer',
            'Bearer ',
            `Bearer ${ADMIN_KEY}x`,
            `Basic ${Buffer.from(`${ADMIN_KEY}:`).toString('base64')}`,
            `bearer  ${'a'.repeat(3000)}`,
            `Bearer ${ADMIN_KEY} extra`,
            'Token abc',
          ),
        })
        .map(({ path, auth }) => ({ kind: 'auth', method: 'GET', path, headers: { authorization: auth } })),
      1,
    );

    // --- admin: integrated accounts
    const badAccountBody = fc.oneof(
      nonObjectJson,
      invalidJson,
      pollutedJson,
      fc.constantFrom(
        json({}),
        json({ name: 'x' }),
        json({ environment: 'sandbox' }),
        json({ name: 12, environment: 'sandbox' }),
        json({ name: 'x', environment: 'staging' }),
        json({ name: 'x', environment: 'custom' }),
        json({ name: 'x', environment: 'custom', api_token: 't', base_url: 'http://127.0.0.1:22' }),
        json({ name: 'x', environment: 'custom', api_token: 't', base_url: 'http://169.254.169.254/latest' }),
        json({ name: 'x', environment: 'custom', api_token: 't', base_url: 'https://api.planhat.com.evil.example' }),
        json({ name: 'x', environment: 'custom', api_token: 't', base_url: 'file:///etc/passwd' }),
        json({ name: 'x', environment: 'production' }),
        json({ name: 'x', environment: 'sandbox', base_url: 'https://api.planhat.com' }),
        json({ name: '', environment: 'sandbox' }),
        json({ name: 'x'.repeat(5000), environment: 'sandbox' }),
      ),
      fc
        .record({
          name: fc.string({ maxLength: 10 }),
          environment: fc.constantFrom('sandbox', 'demo'),
          extra: wrongValue,
        })
        .map((b) => json(b)),
    );
    add(
      80,
      badAccountBody.map((body) => ({
        kind: 'account-create',
        method: 'POST',
        path: '/integrated-account',
        body,
        headers: jsonHeaders,
      })),
      2,
    );
    add(
      60,
      fc
        .record({
          id: badId,
          method: fc.constantFrom('GET', 'PATCH', 'DELETE'),
          sub: fc.constantFrom('', '/mcp', '/tools', '/mcp/x'),
        })
        .map(({ id, method, sub }) => ({
          kind: 'account-id',
          method,
          path: `/integrated-account/${id}${sub}`,
          body: method === 'PATCH' ? json({ name: 'y' }) : undefined,
          headers: jsonHeaders,
        })),
      3,
    );
    add(
      50,
      fc
        .oneof(
          nonObjectJson,
          invalidJson,
          pollutedJson,
          fc.constantFrom(
            json({ name: null }),
            json({ name: 5 }),
            json({ environment: 'production' }),
            json({ api_token: 7 }),
            json({ base_url: 'https://api.planhat.com' }),
            json({ status: 'active' }),
            json({ id: 'x' }),
          ),
          fc.record({ name: fc.string({ maxLength: 5 }), bogus: wrongValue }).map((b) => json(b)),
        )
        .map((body) => ({
          kind: 'account-patch',
          method: 'PATCH',
          path: `/integrated-account/${accountId}`,
          body,
          headers: jsonHeaders,
        })),
      4,
    );
    add(
      40,
      fc
        .record({
          limit: absurdLimit,
          cursor: forgedCursor,
          which: fc.constantFrom('limit', 'cursor', 'both'),
          // GET /api-token is not paged (it reads no query), so only the paged lists are probed.
          base: fc.constantFrom('/integrated-account', `/integrated-account/${accountId}/mcp`),
        })
        .map(({ limit, cursor, which, base }) => ({
          kind: 'admin-list',
          method: 'GET',
          path: `${base}?${which !== 'cursor' ? `limit=${limit}` : ''}${which === 'both' ? '&' : ''}${which !== 'limit' ? `cursor=${cursor}` : ''}`,
        }))
        .filter((r) => !/limit=(&|$)/.test(r.path)),
      5,
    );
    // --- admin: MCP servers and tool previews
    add(
      90,
      fc
        .oneof(
          nonObjectJson,
          invalidJson,
          pollutedJson,
          fc.constantFrom(
            json({}),
            json({ name: 'x', config: { methods: ['readz'] } }),
            json({ name: 'x', config: { methods: 'read' } }),
            json({ name: 'x', config: { tool_exposure: 'everything' } }),
            json({ name: 'x', config: { tags: ['no-such-tag-anywhere'] } }),
            json({ name: 'x', config: { tags: [''] } }),
            json({ name: 'x', config: { require_api_token_auth: 'yes' } }),
            json({ name: 'x', config: { unknown: true } }),
            json({ name: 'x', config: [] }),
            json({ name: 'x', expires_at: '2000-01-01T00:00:00Z' }),
            json({ name: 'x', expires_at: 'tomorrow' }),
            json({ name: 'x', expires_at: new Date(Date.now() + 5_000).toISOString() }),
            json({
              name: 'x',
              config: { methods: ['list'], tags: ['support'], tool_exposure: 'model_actions' },
            }).replace('"support"', '"unified"'),
          ),
          fc
            .record({
              name: fc.string({ maxLength: 5 }),
              config: fc.record({
                methods: fc.array(
                  fc
                    .string({ minLength: 1, maxLength: 8 })
                    .filter(
                      (s) =>
                        ![
                          'read',
                          'write',
                          'custom',
                          'list',
                          'get',
                          'create',
                          'update',
                          'delete',
                          'bulk_upsert',
                        ].includes(s),
                    ),
                  { minLength: 1, maxLength: 3 },
                ),
              }),
            })
            .map((b) => json(b)),
        )
        .map((body) => ({
          kind: 'mcp-create',
          method: 'POST',
          path: `/integrated-account/${accountId}/mcp`,
          body,
          headers: jsonHeaders,
        })),
      6,
    );
    add(
      40,
      fc
        .record({ id: fc.oneof(badId, fc.uuid()), method: fc.constantFrom('GET', 'PATCH', 'DELETE') })
        .map(({ id, method }) => ({
          kind: 'mcp-id',
          method,
          path: `/integrated-account/${accountId}/mcp/${id}`,
          body: method === 'PATCH' ? json({ name: 'z' }) : undefined,
          headers: jsonHeaders,
        })),
      7,
    );
    add(
      40,
      fc
        .record({
          // (a filter matching nothing previews as an empty list, which is correct, so it is not here)
          q: fc.constantFrom(
            'methods=readz',
            'tool_exposure=bogus',
            'methods=read&methods=%00',
            'tool_exposure=ALL',
            'methods=__proto__',
            'tool_exposure=__proto__',
            'methods=read,write,nope',
          ),
        })
        .map(({ q }) => ({
          kind: 'tools-preview',
          method: 'GET',
          path: `/integrated-account/${accountId}/tools?${q}`,
        })),
      8,
    );
    // --- admin: API tokens
    add(
      40,
      fc
        .oneof(
          nonObjectJson,
          invalidJson,
          pollutedJson,
          fc.constantFrom(
            json({}),
            json({ name: 3 }),
            json({ name: '' }),
            json({ name: 'x', token: 'chosen' }),
            json({ name: 'x'.repeat(5000) }),
          ),
        )
        .map((body) => ({ kind: 'token-create', method: 'POST', path: '/api-token', body, headers: jsonHeaders })),
      9,
    );
    add(
      20,
      fc.oneof(badId, fc.uuid()).map((id) => ({ kind: 'token-delete', method: 'DELETE', path: `/api-token/${id}` })),
      10,
    );

    // --- proxy: unknown resources, bad ids, bad queries
    add(
      50,
      fc
        .record({ name: unknownName, method: fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH') })
        .map(({ name, method }) => ({
          kind: 'proxy-unknown',
          method,
          path: `/proxy/${name}${method === 'GET' || method === 'POST' ? '' : '/5f1c0ffee0c0ffee0c0ffee0'}?${acct}`,
          body: method === 'POST' || method === 'PATCH' ? json({ name: 'x' }) : undefined,
          headers: jsonHeaders,
        })),
      11,
    );
    add(
      120,
      fc
        .record({ m: model, id: badId, method: fc.constantFrom('GET', 'PATCH', 'PUT', 'DELETE') })
        .map(({ m, id, method }) => ({
          kind: 'proxy-bad-id',
          method,
          path: `/proxy/${m.key}/${id}?${acct}`,
          body: method === 'PATCH' || method === 'PUT' ? json({ name: 'x' }) : undefined,
          headers: jsonHeaders,
        })),
      12,
    );
    add(
      90,
      fc
        .record({
          m: model,
          limit: absurdLimit,
          cursor: forgedCursor,
          which: fc.constantFrom('limit', 'cursor', 'account', 'dup', 'offset'),
          account: fc.constantFrom('', 'nope', '00000000-0000-0000-0000-000000000000', '%00', '..%2F..', '__proto__'),
        })
        .map(({ m, limit, cursor, which, account }) => {
          let q: string;
          if (which === 'limit') q = `${acct}&limit=${limit}`;
          else if (which === 'cursor') q = `${acct}&next_cursor=${cursor}`;
          else if (which === 'account') q = `integrated_account_id=${account}`;
          else if (which === 'dup') q = `${acct}&sort=name&sort=-name`;
          else q = `${acct}&offset=${limit.replace(/^(\d{1,7})$/, '-$1')}`;
          return { kind: 'proxy-list', method: 'GET', path: `/proxy/${m.key}?${q}` };
        })
        .filter((r) => !/(limit|offset)=$/.test(r.path) && !/offset=(0|-0|0x10)$/.test(r.path)),
      13,
    );
    // --- repeated and reserved query parameters (proxy and unified): 400 naming the parameter
    add(
      60,
      fc
        .record({
          m: model,
          r: fc.constantFrom(...UNIFIED_RESOURCES),
          surface: fc.constantFrom('proxy', 'unified'),
          q: fc.constantFrom(
            `${acct}&${acct}`,
            `${acct}&integrated_account_id=other`,
            `${acct}&__proto__=1`,
            `${acct}&constructor=x`,
            `${acct}&prototype=1`,
            `${acct}&limit=1&limit=2`,
            `${acct}&next_cursor=a&next_cursor=b`,
          ),
          method: fc.constantFrom('GET', 'GET', 'DELETE'),
        })
        .filter(
          ({ surface, q, method }) =>
            !(surface === 'unified' && /__proto__|constructor|prototype/.test(q) && method === 'DELETE'),
        )
        .map(({ m, r, surface, q, method }) => {
          const base = surface === 'proxy' ? `/proxy/${m.key}` : `/unified/${r.api}/${r.resource}`;
          return {
            kind: /integrated_account_id=.*integrated_account_id=/.test(q) ? 'query-dup' : 'query-other',
            method,
            path: `${base}${method === 'DELETE' ? '/5f1c0ffee0c0ffee0c0ffee0' : ''}?${q}`,
          };
        }),
      30,
    );

    // --- proxy: bad write bodies, per model from the catalog
    const creatable = models.filter((m) => m.ops.includes('create'));
    const createBody = (m: ModelDef) => {
      const typed = typedFields(m);
      const bad: fc.Arbitrary<string>[] = [nonObjectJson, invalidJson, pollutedJson];
      if (typed.length)
        bad.push(fc.record({ f: fc.constantFrom(...typed), v: wrongValue }).map(({ f, v }) => json({ [f]: v })));
      if (m.required.length) bad.push(fc.constant(json({ notAField: 1 })));
      return fc.oneof(...bad);
    };
    add(
      160,
      fc
        .constantFrom(...creatable)
        .chain((m) => createBody(m).map((body) => ({ m, body })))
        .map(({ m, body }) => ({
          kind: 'proxy-create',
          method: 'POST',
          path: `/proxy/${m.key}?${acct}`,
          body,
          headers: jsonHeaders,
        })),
      14,
    );
    const updatable = models.filter((m) => m.ops.includes('update') && typedFields(m).length > 0);
    add(
      80,
      fc
        .constantFrom(...updatable)
        .chain((m) =>
          fc
            .oneof(
              nonObjectJson,
              invalidJson,
              pollutedJson,
              fc.record({ f: fc.constantFrom(...typedFields(m)), v: wrongValue }).map(({ f, v }) => json({ [f]: v })),
            )
            .map((body) => ({ m, body })),
        )
        .map(({ m, body }) => ({
          kind: 'proxy-update',
          method: 'PATCH',
          path: `/proxy/${m.key}/5f1c0ffee0c0ffee0c0ffee0?${acct}`,
          body,
          headers: jsonHeaders,
        })),
      15,
    );
    const upsertable = models.filter((m) => m.ops.includes('bulk_upsert'));
    add(
      50,
      fc
        .constantFrom(...upsertable)
        .chain((m) =>
          fc
            .oneof(
              fc.constantFrom('{}', '[]', '"x"', 'null', json({ items: [] }), json([1, 2]), json([null])),
              invalidJson,
              fc.constant('[{"name":"x","__proto__":{"a":1}}]'),
              typedFields(m).length
                ? fc
                    .record({ f: fc.constantFrom(...typedFields(m)), v: wrongValue })
                    .map(({ f, v }) => json([{ [f]: v }]))
                : fc.constant('7'),
            )
            .map((body) => ({ m, body })),
        )
        .map(({ m, body }) => ({
          kind: 'proxy-bulk',
          method: 'POST',
          path: `/proxy/${m.key}/bulk_upsert?${acct}`,
          body,
          headers: jsonHeaders,
        })),
      16,
    );
    add(
      30,
      fc
        .record({
          m: fc.constantFrom(...creatable),
          ct: fc.constantFrom(
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
          ),
        })
        .map(({ m, ct }) => ({
          kind: 'proxy-content-type',
          method: 'POST',
          path: `/proxy/${m.key}?${acct}`,
          body: 'name=x',
          headers: { 'content-type': ct },
        })),
      17,
    );
    add(
      30,
      fc
        .record({
          m: fc.constantFrom(...creatable),
          body: oversized,
          route: fc.constantFrom('proxy', 'unified', 'admin', 'mcp'),
        })
        .map(({ m, body, route }) => ({
          kind: 'oversized',
          method: 'POST',
          path:
            route === 'proxy'
              ? `/proxy/${m.key}?${acct}`
              : route === 'unified'
                ? `/unified/crm/accounts?${acct}`
                : route === 'admin'
                  ? '/integrated-account'
                  : `/mcp/${mcpAll}`,
          body,
          headers: { ...jsonHeaders, accept: 'application/json, text/event-stream' },
          mcp: route === 'mcp',
        })),
      18,
    );

    // --- unified
    const uni = fc.constantFrom(...UNIFIED_RESOURCES);
    add(
      40,
      fc
        .record({
          api: fc.constantFrom('crm', 'ticketing', 'hris', '__proto__', '..', 'CRM'),
          resource: fc.oneof(unknownName, fc.constantFrom('accounts')),
        })
        .filter(({ api, resource }) => !UNIFIED_RESOURCES.some((r) => r.api === api && r.resource === resource))
        .map(({ api, resource }) => ({
          kind: 'unified-unknown',
          method: 'GET',
          path: `/unified/${api}/${resource}?${acct}`,
        })),
      19,
    );
    add(
      80,
      fc.record({ r: uni, id: badId, method: fc.constantFrom('GET', 'PATCH', 'DELETE') }).map(({ r, id, method }) => ({
        kind: 'unified-bad-id',
        method,
        path: `/unified/${r.api}/${r.resource}/${id}?${acct}`,
        body: method === 'PATCH' ? json({ name: 'x' }) : undefined,
        headers: jsonHeaders,
      })),
      20,
    );
    add(
      80,
      fc
        .record({
          r: uni,
          limit: absurdLimit,
          cursor: forgedCursor,
          which: fc.constantFrom('limit', 'cursor', 'sort', 'remote', 'unknown', 'noaccount'),
        })
        .map(({ r, limit, cursor, which }) => {
          const q =
            which === 'limit'
              ? `${acct}&limit=${limit}`
              : which === 'cursor'
                ? `${acct}&next_cursor=${cursor}`
                : which === 'sort'
                  ? `${acct}&sort=__proto__`
                  : which === 'remote'
                    ? `${acct}&include_remote_data=maybe`
                    : which === 'unknown'
                      ? `${acct}&bogus_filter=1`
                      : 'limit=1';
          return { kind: 'unified-list', method: 'GET', path: `/unified/${r.api}/${r.resource}?${q}` };
        })
        .filter((r) => !/limit=$/.test(r.path)),
      21,
    );
    const writableUni = UNIFIED_RESOURCES.filter((r) => r.ops.includes('create'));
    add(
      90,
      fc
        .record({
          r: fc.constantFrom(...writableUni),
          body: fc.oneof(
            nonObjectJson,
            invalidJson,
            pollutedJson,
            fc.record({ not_a_unified_field: wrongValue }).map(json),
            fc.record({ name: wrongValue }).map(json),
            fc.record({ custom_fields: fc.constant('x') }).map(json),
          ),
          method: fc.constantFrom('POST', 'PATCH'),
        })
        .map(({ r, body, method }) => ({
          kind: 'unified-write',
          method,
          path:
            method === 'POST'
              ? `/unified/${r.api}/${r.resource}?${acct}`
              : `/unified/${r.api}/${r.resource}/5f1c0ffee0c0ffee0c0ffee0?${acct}`,
          body,
          headers: jsonHeaders,
        })),
      22,
    );
    add(
      20,
      fc
        .record({
          r: fc.constantFrom(...UNIFIED_RESOURCES.filter((r) => !r.ops.includes('create'))),
          method: fc.constantFrom('POST', 'PATCH', 'DELETE'),
        })
        .map(({ r, method }) => ({
          kind: 'unified-unsupported',
          method,
          path:
            method === 'POST'
              ? `/unified/${r.api}/${r.resource}?${acct}`
              : `/unified/${r.api}/${r.resource}/5f1c0ffee0c0ffee0c0ffee0?${acct}`,
          body: method === 'DELETE' ? undefined : json({ name: 'x' }),
          headers: jsonHeaders,
        })),
      23,
    );

    // --- MCP: endpoint level (tokens, transports, JSON-RPC framing)
    const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    add(
      40,
      fc
        .record({
          token: fc.oneof(
            fc.constantFrom('nope', '..', '%2E%2E', 'a%2Fb', '%00', 'x'.repeat(300), `${mcpAll}x`, mcpAll.slice(0, -1)),
            fc.stringMatching(/^[0-9a-f]{10,64}$/),
          ),
          sub: fc.constantFrom('', '/sse', '/messages?sessionId=abc'),
          method: fc.constantFrom('GET', 'POST', 'DELETE'),
        })
        .map(({ token, sub, method }) => ({
          kind: 'mcp-token',
          method,
          path: `/mcp/${token}${sub}`,
          body: method === 'POST' ? json({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) : undefined,
          headers: mcpHeaders,
          mcp: true,
        })),
      24,
    );
    add(
      20,
      fc.constantFrom('abc', '00000000-0000-0000-0000-000000000000', '', '%00', '..%2F').map((sid) => ({
        kind: 'mcp-sse-session',
        method: 'POST',
        path: `/mcp/${mcpAll}/messages?sessionId=${sid}`,
        body: json({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        headers: mcpHeaders,
        mcp: true,
      })),
      25,
    );
    const rpc = fc.oneof(
      invalidJson,
      nonObjectJson,
      fc.constantFrom(
        json({}),
        json({ jsonrpc: '1.0', id: 1, method: 'tools/list' }),
        json({ jsonrpc: '2.0', method: 'tools/list', id: { a: 1 } }),
        json({ jsonrpc: '2.0', id: 1 }),
        json({ jsonrpc: '2.0', id: 1, method: 42 }),
        json({ jsonrpc: '2.0', id: 1, method: 'no/such/method' }),
        json({ jsonrpc: '2.0', id: 1, method: 'tools/call' }),
        json({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 42 } }),
        json({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_all_planhat_companies', arguments: 'limit=1' },
        }),
        json({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'list_all_planhat_companies', arguments: [1] },
        }),
        json({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///etc/passwd' } }),
        json({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: { name: 'x' } }),
        json([
          { jsonrpc: '2.0', id: 1, method: 'nope' },
          { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope' } },
        ]),
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_a_crm_account","arguments":{"__proto__":{"x":1}}}}',
      ),
    );
    add(
      80,
      fc
        .record({ body: rpc, token: fc.constantFrom(mcpAll, mcpDiscovery, mcpModelActions) })
        .map(({ body, token }) => ({
          kind: 'mcp-jsonrpc',
          method: 'POST',
          path: `/mcp/${token}`,
          body,
          headers: mcpHeaders,
          mcp: true,
        })),
      26,
    );

    // --- MCP: every tool in the index, called with malformed arguments
    const toolCall = (token: string, name: string, args: unknown) => ({
      kind: 'mcp-tool',
      method: 'POST',
      path: `/mcp/${token}`,
      body: json({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
      headers: mcpHeaders,
      mcp: true,
    });
    const badArgsFor = (t: IndexedTool): fc.Arbitrary<unknown> => {
      const extra = fc.record({ zz_unknown_argument: wrongValue });
      switch (t.op) {
        case 'list':
          return fc.oneof(
            extra,
            absurdLimit
              .filter((l) => l !== '' && l !== '0x10' && (!/^\d+$/.test(l) || Number(l) > 100_000))
              .map((limit) => ({ limit })),
            forgedCursor.map((c) => ({ next_cursor: decodeURIComponent(c) })),
            fc.record({ limit: wrongValue }),
          );
        case 'get':
        case 'delete':
          return fc.oneof(
            fc.constant({}),
            badId.map((id) => ({ id: decodeURIComponent(id) })),
            fc.record({ id: wrongValue }),
            extra.map((e) => ({ id: '5f1c0ffee0c0ffee0c0ffee0', ...e })),
          );
        case 'bulk_upsert':
          return fc.oneof(
            fc.constant({}),
            fc.constant({ items: [] }),
            fc.record({ items: wrongValue }),
            fc.constant({ items: [1, 'x'] }),
          );
        default: {
          if (t.kind === 'unified')
            return fc.oneof(extra, fc.record({ id: wrongValue }), fc.constant({ id: '../x', name: 'x' }));
          if (t.kind === 'safety')
            return fc.oneof(extra, fc.record({ change_id: wrongValue }), fc.constant({ change_id: '../x' }));
          const typed = typedFields(t.model);
          const wrongField = typed.length
            ? fc
                .record({ f: fc.constantFrom(...typed), v: wrongValue })
                .map(({ f, v }) => ({ [f]: v, id: t.op === 'update' ? '5f1c0ffee0c0ffee0c0ffee0' : undefined }))
            : fc.constant({ id: '..' });
          return t.op === 'update'
            ? fc.oneof(
                wrongField,
                badId.map((id) => ({ id: decodeURIComponent(id), name: 'x' })),
              )
            : wrongField;
        }
      }
    };
    for (const [i, t] of toolIndex().entries()) {
      add(
        4,
        badArgsFor(t).map((args) => toolCall(mcpAll, t.name, args)),
        100 + i,
      );
    }
    add(
      40,
      fc
        .oneof(
          unknownName,
          fc.constantFrom(
            '',
            ' ',
            'LIST_ALL_PLANHAT_COMPANIES',
            'list_all_planhat_companies ',
            'search_tools',
            'call_tool',
            'perform_model_action',
          ),
        )
        .map((name) => toolCall(mcpAll, name, {})),
      27,
    );
    // meta-tools with malformed arguments (discovery and model_actions servers)
    add(
      60,
      fc
        .oneof(
          fc.record({ query: wrongValue }).map((a) => ['search_tools', a] as const),
          fc
            .record({ query: fc.constant('x'), limit: fc.constantFrom(0, -1, 101, 1e9, 'ten') })
            .map((a) => ['search_tools', a] as const),
          fc.record({ name: fc.oneof(unknownName, fc.constant('')) }).map((a) => ['get_tool_schema', a] as const),
          fc.record({ name: unknownName, arguments: fc.constant({}) }).map((a) => ['call_tool', a] as const),
          fc
            .record({ name: fc.constant('list_all_planhat_companies'), arguments: fc.constantFrom('x', [1], 5, null) })
            .map((a) => ['call_tool', a] as const),
          fc
            .record({ name: fc.constant('create_a_crm_account'), arguments: fc.constant({ bogus: 1 }) })
            .map((a) => ['call_tool', a] as const),
          fc
            .record({
              name: fc.constant('get_single_planhat_company_by_id'),
              arguments: badId.map((id) => ({ id: decodeURIComponent(id) })),
            })
            .map((a) => ['call_tool', a] as const),
          fc.constant(['get_model_actions', { extra: 1 }] as const),
        )
        .map(([name, args]) => toolCall(mcpDiscovery, name, args)),
      28,
    );
    add(
      60,
      fc
        .oneof(
          fc
            .record({ MODEL_ROUTE: unknownName, OPERATION: fc.constantFrom('list', 'view') })
            .map((a) => ['perform_model_action', a] as const),
          fc
            .record({
              MODEL_ROUTE: fc.constantFrom('Companies', 'endusers'),
              OPERATION: fc.constantFrom('explode', '', 'bulk_upsert', 'DROP'),
            })
            .map((a) => ['perform_model_action', a] as const),
          fc
            .record({
              MODEL_ROUTE: fc.constant('companies'),
              OPERATION: fc.constantFrom('create', 'update', 'view', 'delete'),
              PARAMETERS: fc.oneof(invalidJson, nonObjectJson, pollutedJson, fc.constant('{"id":"../x"}')),
            })
            .map((a) => ['perform_model_action', a] as const),
          fc
            .record({ MODEL_ROUTE: fc.constant('companies'), OPERATION: fc.constant('create'), PARAMETERS: wrongValue })
            .map((a) => ['perform_model_action', a] as const),
          fc
            .record({ MODEL_ROUTE: wrongValue, OPERATION: fc.constant('list') })
            .map((a) => ['get_model_action_parameters', a] as const),
          fc
            .record({ MODEL_ROUTE: unknownName, OPERATION: fc.constant('list') })
            .map((a) => ['get_model_action_parameters', a] as const),
          fc.constant(['search_tools', { query: 'x' }] as const),
        )
        .map(([name, args]) => toolCall(mcpModelActions, name, args)),
      29,
    );
    return out;
  }

  async function send(req: Req): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}`, ...(req.headers ?? {}) };
    if (headers.authorization === '') delete headers.authorization;
    const res = await pool.request({ method: req.method as 'GET', path: req.path, headers, body: req.body });
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { req, status: res.statusCode, text, json: parsed };
  }

  /** The reason an answer breaks the rules, or undefined when it is a proper rejection. */
  function violation(a: Answer): string | undefined {
    if (a.status >= 500) return `5xx (${a.status})`;
    if (a.req.mcp && a.status === 200) {
      const rpcs = Array.isArray(a.json) ? a.json : [a.json];
      for (const r of rpcs) {
        if (!r || typeof r !== 'object') return 'MCP 200 without a JSON-RPC body';
        if (r.error) {
          if (typeof r.error.message !== 'string' || !r.error.message) return 'JSON-RPC error without a message';
          continue;
        }
        if (r.result?.isError !== true) return 'MCP tool call succeeded';
        const text = (r.result.content ?? []).map((c: { text?: string }) => c.text ?? '').join('');
        if (!text.trim()) return 'isError result without text';
        if (/\b5\d\d\b/.test(text.split('\n')[0]) && /Internal error/i.test(text))
          return 'isError result hides an internal error';
      }
      return undefined;
    }
    if (a.req.mcp && a.status === 202) return 'MCP accepted a malformed message';
    if (a.status < 400) return `not rejected (${a.status})`;
    if (a.req.mcp && a.json?.jsonrpc === '2.0') {
      return typeof a.json.error?.message === 'string' && a.json.error.message
        ? undefined
        : 'JSON-RPC error without a message';
    }
    if (!a.json || typeof a.json.message !== 'string' || !a.json.message) return 'error without a message';
    if (a.json.statusCode !== a.status) return `statusCode ${a.json.statusCode} differs from HTTP ${a.status}`;
    if (/\bat .*\.(ts|js):\d+/.test(a.text)) return 'stack trace in the body';
    return undefined;
  }

  it('answers every generated malformed request with a 4xx (or an MCP error) and never a 5xx', async () => {
    const before = await stats();
    const reqs = generate();
    expect(reqs.length).toBeGreaterThanOrEqual(1000);
    if (process.env.BAD_INPUT_REPORT) process.stderr.write(`bad-input: ${reqs.length} requests\n`);
    const queue = [...reqs];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) answers.push(await send(r));
      }),
    );
    expect(answers).toHaveLength(reqs.length);

    const bad = answers.map((a) => ({ a, why: violation(a) })).filter((x) => x.why);
    const byKind: Record<string, number> = {};
    for (const { a, why } of bad) byKind[`${a.req.kind}: ${why}`] = (byKind[`${a.req.kind}: ${why}`] ?? 0) + 1;
    const seen = new Set<string>();
    const samples = bad.filter(({ a, why }) => !seen.has(`${a.req.kind}${why}`) && seen.add(`${a.req.kind}${why}`));
    const report = [...samples, ...bad]
      .slice(0, 15)
      .map(
        ({ a, why }) =>
          `${why}: ${a.req.kind} ${a.req.method} ${a.req.path.slice(0, 160)} body=${(a.req.body ?? '').slice(0, 160)} -> ${a.status} ${a.text.slice(0, 300)}`,
      );
    expect({ byKind, report }).toEqual({ byKind: {}, report: [] });

    // Some families must land on a specific status.
    const statuses = (kind: string) => new Set(answers.filter((a) => a.req.kind === kind).map((a) => a.status));
    expect([...statuses('oversized')].every((s) => s === 413)).toBe(true);
    expect([...statuses('auth')].every((s) => s === 401)).toBe(true);
    expect([...statuses('proxy-unknown')].every((s) => s === 404 || s === 400)).toBe(true);
    expect([...statuses('proxy-content-type')].every((s) => s === 415)).toBe(true);
    expect([...statuses('query-dup')]).toEqual(expect.arrayContaining([400]));
    expect([...statuses('query-dup')].every((s) => s === 400 || s === 405)).toBe(true);
    const dupMessages = answers
      .filter((a) => a.req.kind === 'query-dup' && a.status === 400)
      .map((a) => a.json.message as string);
    expect(dupMessages.every((m) => /more than once/.test(m))).toBe(true);

    // Every family was exercised, every tool of the index was called.
    const called = new Set(
      answers.filter((a) => a.req.kind === 'mcp-tool').map((a) => JSON.parse(a.req.body!).params.name),
    );
    for (const t of toolIndex()) expect(called).toContain(t.name);

    // Nothing reached the sandbox as a write, and the gateway is healthy.
    const after = await stats();
    expect(after.writes).toBe(before.writes);
    expect(after.counts).toEqual(before.counts);
    const health = await gw.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(rejections).toEqual([]);
    // The admin state is unchanged except by what the suite created itself.
    const accounts = await gw.call('GET', '/integrated-account?limit=100');
    expect(accounts.body.result.map((a: { name: string }) => a.name).sort()).toEqual(['bad input target', 'sandbox']);
    const servers = await gw.call('GET', `/integrated-account/${accountId}/mcp?limit=100`);
    expect(servers.body.result).toHaveLength(3);
    const tokens = await gw.call('GET', '/api-token?limit=100');
    expect(tokens.body.result.map((t: { id: string }) => t.id)).toContain(tokenId);
  });

  it('gives the same malformed tool calls over a legacy SSE session only error results', async () => {
    const toolCalls = answers
      .filter((a) => a.req.kind === 'mcp-tool' && a.req.path === `/mcp/${mcpAll}`)
      .map((a) => JSON.parse(a.req.body!));
    expect(toolCalls.length).toBeGreaterThan(300);
    const before = await stats();
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/mcp/${mcpAll}/sse`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const messages = new Map<number, any>();
    let buf = '';
    let endpoint: string | undefined;
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (event === 'endpoint') endpoint = data;
          else if (data) {
            const msg = JSON.parse(data);
            messages.set(msg.id, msg);
          }
        }
      }
    })();
    while (!endpoint) await new Promise((r) => setTimeout(r, 10));
    const problems: string[] = [];
    const queue = toolCalls.map((c, i) => ({ ...c, id: 100_000 + i }));
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          const r = await pool.request({
            method: 'POST',
            path: endpoint!,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(c),
          });
          await r.body.text();
          if (r.statusCode !== 202 && (r.statusCode < 400 || r.statusCode >= 500))
            problems.push(`${c.params.name}: HTTP ${r.statusCode}`);
        }
      }),
    );
    const deadline = Date.now() + 20_000;
    while (messages.size < toolCalls.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(messages.size).toBe(toolCalls.length);
    for (const [id, msg] of messages) {
      if (msg.error) continue;
      if (msg.result?.isError !== true)
        problems.push(`call ${id} (${toolCalls[id - 100_000].params.name}) succeeded over SSE`);
    }
    controller.abort();
    await reading;
    expect(problems.slice(0, 10)).toEqual([]);
    const after = await stats();
    expect(after.writes).toBe(before.writes);
    expect(after.counts).toEqual(before.counts);
  });

  it('does not let prototype-pollution keys reach Object.prototype', () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
