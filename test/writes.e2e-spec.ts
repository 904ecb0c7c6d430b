/**
 * Write acknowledgements and idempotency (issue 20, item 6). A unified or MCP create/update that
 * reached Planhat answers with the write's own result when only the read-back fails (it used to be a
 * 502/504, and a retrying client made duplicates); a write whose outcome is unknown names the id the
 * client can check. POSTs with an Idempotency-Key (proxy, unified) or an `idempotency_key` argument
 * (MCP create tools) write once per key: the sandbox's record counts prove it.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { DataSource } from 'typeorm';
import { IdempotencyService } from '../src/common/idempotency/idempotency.service';
import { closeClients, connect, call, textOf } from './mcp-helpers';
import { startTestApp } from './support/test-app';
import { ADMIN_KEY, startGateway, type TestGateway } from './helpers';

const TIMEOUT_MS = 700; // UPSTREAM_TIMEOUT_MS: below the sandbox's 1.5 s slow fault
const TENANT_TOKEN = 'writes-tenant-token-0123456789';

describe('write acknowledgements and idempotency keys', () => {
  let gw: TestGateway;
  let accountId: string;
  let mcp: Client;
  let companyId: string;

  const acct = () => `integrated_account_id=${accountId}`;
  const arm = async (match: string, fault: string, times = 1) => {
    const r = await gw.call('POST', '/sandbox/planhat/__faults', { match, fault, times });
    expect(r.status).toBe(200);
  };
  const counts = async () => {
    const r = await gw.call('GET', '/sandbox/planhat/__stats', undefined, { authorization: `Bearer ${TENANT_TOKEN}` });
    expect(r.status).toBe(200);
    return r.body.counts as Record<string, number>;
  };

  beforeAll(async () => {
    gw = await startGateway({
      SANDBOX_FAULTS: 'true',
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
      SANDBOX_SEED_COMPANIES: '3',
    });
    const a = await gw.call('POST', '/integrated-account', {
      name: 'writes target',
      environment: 'sandbox',
      api_token: TENANT_TOKEN,
    });
    expect(a.status).toBe(201);
    accountId = a.body.id;
    const server = await gw.call('POST', `/integrated-account/${accountId}/mcp`, { name: 'writes', config: {} });
    expect(server.status).toBe(201);
    mcp = await connect(`${gw.url}/mcp/${server.body.token}`);
    const list = await gw.call('GET', `/proxy/companies?${acct()}&limit=1`);
    companyId = list.body.result[0]._id;
  });

  afterAll(async () => {
    await closeClients();
    await gw?.close();
  });

  afterEach(async () => {
    await gw.call('DELETE', '/sandbox/planhat/__faults');
  });

  const post = (url: string, body: unknown, key?: string, headers: Record<string, string> = {}) =>
    gw.call('POST', url, body, { ...(key !== undefined ? { 'idempotency-key': key } : {}), ...headers });

  describe('a write whose read-back fails is acknowledged, not reported as a failure', () => {
    for (const fault of ['500', 'timeout'] as const) {
      it(`unified create answers 201 with the record and a warning when the read-back gets a "${fault}" fault`, async () => {
        const before = await counts();
        await arm('GET /companies/', fault);
        const name = `read-back ${fault} ${Date.now()}`;
        const r = await gw.call('POST', `/unified/crm/accounts?${acct()}`, { name });
        expect(r.status).toBe(201);
        expect(r.body.name).toBe(name);
        expect(typeof r.body.id).toBe('string');
        expect(r.body.warnings).toEqual([
          expect.stringMatching(
            new RegExp(
              `was created \\(id ${r.body.id}\\), but reading it back from Planhat failed.*Do not repeat the write`,
            ),
          ),
        ]);
        expect(r.headers.warning).toMatch(/^199 .*read/);
        expect((await counts()).companies).toBe(before.companies + 1);
        const again = await gw.call('GET', `/unified/crm/accounts/${r.body.id}?${acct()}`);
        expect(again.status).toBe(200);
        expect(again.body.name).toBe(name);
      });
    }

    it('unified update answers 200 with a warning when only the read-back fails', async () => {
      await arm('GET /companies/', '500');
      const r = await gw.call('PATCH', `/unified/crm/accounts/${companyId}?${acct()}`, {
        description: 'updated while the read failed',
      });
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(companyId);
      expect(r.body.warnings).toEqual([expect.stringMatching(/was updated .*reading it back from Planhat failed/)]);
      const again = await gw.call('GET', `/unified/crm/accounts/${companyId}?${acct()}`);
      expect(again.body.description).toBe('updated while the read failed');
    });

    it('a unified update whose outcome is unknown says so and names the id', async () => {
      await arm('PUT /companies/', 'timeout');
      const r = await gw.call('PATCH', `/unified/crm/accounts/${companyId}?${acct()}`, {
        description: 'maybe applied',
      });
      expect(r.status).toBe(504);
      expect(r.body.hint).toMatch(/may or may not have been applied/);
      expect(r.body.details).toEqual({ id: companyId, write_outcome: 'unknown' });
    });

    it('an MCP unified create tool reports the write and the failed read, not an error', async () => {
      const before = await counts();
      await arm('GET /companies/', '500');
      const r = await call(mcp, 'create_a_crm_account', { name: `mcp read-back ${Date.now()}` });
      expect(r.isError).toBeFalsy();
      expect(typeof r.structuredContent?.id).toBe('string');
      expect(textOf(r)).toMatch(/was created \(id [0-9a-f]{24}\), but reading it back from Planhat failed/);
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('a ticket create whose outcome is unknown names the sourceId to check it by', async () => {
      const contact = await gw.call('POST', `/proxy/endusers?${acct()}`, {
        companyId,
        email: `writes.${Date.now()}@example.com`,
        name: 'Requester',
      });
      expect(contact.status).toBe(201);
      await arm('PUT /tickets', 'slow');
      const r = await gw.call('POST', `/unified/ticketing/tickets?${acct()}`, {
        name: 'Slow ticket',
        contact: { id: contact.body._id },
      });
      expect(r.status).toBe(504);
      expect(r.body.hint).toMatch(/may or may not have been applied/);
      expect(r.body.details).toMatchObject({ id: expect.stringMatching(/^srcid-unified-/), write_outcome: 'unknown' });
      // The id is one the client can look the ticket up with (the slow fault's request was dropped with the connection: not applied).
      const found = await gw.call('GET', `/proxy/tickets/${encodeURIComponent(r.body.details.id)}?${acct()}`);
      expect(found.status).toBe(404);
      expect(found.body.message).toContain(r.body.details.id);
    });
  });

  describe('Idempotency-Key', () => {
    it('proxy create: the same key and body write once and replay the first answer', async () => {
      const before = await counts();
      const key = randomUUID();
      const body = { name: `idem proxy ${key}`, description: 'first' };
      const first = await post(`/proxy/companies?${acct()}`, body, key);
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      // The same request with its fields in another order is the same request.
      const second = await post(`/proxy/companies?${acct()}`, { description: 'first', name: body.name }, key);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect((await counts()).companies).toBe(before.companies + 1);
      // Without a key, the same body is a new write (keys are opt-in).
      expect((await post(`/proxy/companies?${acct()}`, body)).status).toBe(201);
      expect((await counts()).companies).toBe(before.companies + 2);
    });

    it('proxy bulk_upsert: the same key writes once', async () => {
      const before = await counts();
      const key = randomUUID();
      const items = [{ name: `idem bulk ${key}` }];
      const first = await post(`/proxy/companies/bulk_upsert?${acct()}`, items, key);
      expect(first.status).toBe(200);
      expect(first.body.result.created).toBe(1);
      const second = await post(`/proxy/companies/bulk_upsert?${acct()}`, items, key);
      expect(second.status).toBe(200);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('unified create: the same key writes once, also when the read-back of the first failed', async () => {
      const before = await counts();
      const key = randomUUID();
      const body = { name: `idem unified ${key}` };
      await arm('GET /companies/', '500');
      const first = await post(`/unified/crm/accounts?${acct()}`, body, key);
      expect(first.status).toBe(201);
      expect(first.body.warnings).toHaveLength(1);
      const second = await post(`/unified/crm/accounts?${acct()}`, body, key);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.warning).toBe(first.headers.warning);
      expect(second.body).toEqual(first.body);
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('the same key with another body is a 409 and writes nothing', async () => {
      const key = randomUUID();
      expect((await post(`/proxy/companies?${acct()}`, { name: `idem a ${key}` }, key)).status).toBe(201);
      const before = await counts();
      const other = await post(`/proxy/companies?${acct()}`, { name: `idem b ${key}` }, key);
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({
        statusCode: 409,
        error: 'CONFLICT',
        message: expect.stringMatching(/already used with a different request/),
      });
      expect(typeof other.body.request_id).toBe('string');
      // Same key on another route or another account is another key.
      expect((await post(`/unified/crm/accounts?${acct()}`, { name: `idem c ${key}` }, key)).status).toBe(201);
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('rejects an empty, too long or non-printable key with a 400 before writing', async () => {
      const before = await counts();
      for (const bad of ['', 'k'.repeat(256), 'tab\there']) {
        for (const url of [`/proxy/companies?${acct()}`, `/unified/crm/accounts?${acct()}`]) {
          const r = await post(url, { name: 'bad key' }, bad);
          expect({ url, bad, status: r.status }).toEqual({ url, bad, status: 400 });
          expect(r.body).toMatchObject({
            statusCode: 400,
            error: 'INVALID_INPUT',
            message: expect.stringMatching(/Idempotency-Key/),
          });
        }
      }
      expect((await post(`/proxy/companies?${acct()}`, { name: 'longest key' }, 'k'.repeat(255))).status).toBe(201);
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('a first attempt rejected with a 4xx before any write does not use up the key', async () => {
      const before = await counts();
      const key = randomUUID();
      const bad = await post(`/proxy/companies?${acct()}`, { description: 'no name' }, key);
      expect(bad.status).toBe(400);
      const good = await post(`/proxy/companies?${acct()}`, { name: `idem fixed ${key}` }, key);
      expect(good.status).toBe(201);
      expect(good.headers['idempotent-replayed']).toBeUndefined();
      expect((await counts()).companies).toBe(before.companies + 1);
    });

    it('a first attempt whose outcome is unknown (timeout after sending) keeps the key: the retry replays the 504 and does not write', async () => {
      const before = await counts();
      const key = randomUUID();
      const body = { name: `idem timeout ${key}` };
      await arm('POST /companies', 'timeout');
      const first = await post(`/proxy/companies?${acct()}`, body, key);
      expect(first.status).toBe(504);
      await gw.call('DELETE', '/sandbox/planhat/__faults');
      const retry = await post(`/proxy/companies?${acct()}`, body, key);
      expect(retry.status).toBe(504);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toMatchObject({
        error: 'UPSTREAM_TIMEOUT',
        hint: expect.stringMatching(/may or may not have been applied/),
      });
      expect((await counts()).companies).toBe(before.companies);
    });

    it('concurrent requests with the same key write once; the others get the answer or a 409 with retry-after', async () => {
      const before = await counts();
      const key = randomUUID();
      const body = { name: `idem race ${key}` };
      const answers = await Promise.all(Array.from({ length: 8 }, () => post(`/proxy/companies?${acct()}`, body, key)));
      const statuses = answers.map((a) => a.status);
      process.stdout.write(`concurrent same-key statuses: ${JSON.stringify(statuses)}\n`);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const created = answers.filter((a) => a.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((a) => a.body._id)).size).toBe(1);
      for (const busy of answers.filter((a) => a.status === 409)) {
        expect(busy.body.message).toMatch(/still in progress/);
        expect(busy.headers['retry-after']).toBe('1');
      }
      expect((await counts()).companies).toBe(before.companies + 1);
      // Once done, every retry gets the first answer.
      const after = await post(`/proxy/companies?${acct()}`, body, key);
      expect(after.status).toBe(201);
      expect(after.body._id).toBe(created[0].body._id);
    });

    it('keys are scoped to the API token: another token with the same key writes its own record', async () => {
      const token = await gw.call('POST', '/api-token', { name: 'idem other caller' });
      expect(token.status).toBe(201);
      const before = await counts();
      const key = randomUUID();
      const body = { name: `idem scope ${key}` };
      const a = await post(`/proxy/companies?${acct()}`, body, key);
      const b = await post(`/proxy/companies?${acct()}`, body, key, { authorization: `Bearer ${token.body.token}` });
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.headers['idempotent-replayed']).toBeUndefined();
      expect(b.body._id).not.toBe(a.body._id);
      expect((await counts()).companies).toBe(before.companies + 2);
    });

    it('stores hashes, not the key or the body; an expired key is swept and may be used again', async () => {
      const key = `idem-expiry-${randomUUID()}`;
      const body = { name: `idem secret body ${key}` };
      const first = await post(`/proxy/companies?${acct()}`, body, key);
      expect(first.status).toBe(201);
      const db = gw.app.get(DataSource);
      const rows = (await db.query('SELECT * FROM idempotency_key')) as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows.map(({ answer: _answer, ...meta }) => meta));
      expect(dump).not.toContain(key);
      expect(dump).not.toContain('idem secret body');
      for (const r of rows) expect(r.request_hash).toMatch(/^[0-9a-f]{64}$/);

      // Past its 24 h: the key is free again, and the sweep removes expired rows.
      const past = new Date(Date.now() - 1000).toISOString();
      await db.query(`UPDATE idempotency_key SET expires_at = '${past}'`);
      const before = await counts();
      const again = await post(`/proxy/companies?${acct()}`, body, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect((await counts()).companies).toBe(before.companies + 1);
      const swept = await gw.app.get(IdempotencyService).sweepExpired();
      expect(swept).toBeGreaterThan(0);
      const left = (await db.query('SELECT expires_at FROM idempotency_key')) as { expires_at: string }[];
      expect(left.length).toBeGreaterThan(0);
      expect(left.every((r) => r.expires_at > new Date().toISOString())).toBe(true);
    });

    it('holds across gateway instances on the same database, also for concurrent requests', async () => {
      // A second gateway on the same data dir: the same SQLite file (or PostgreSQL database), its own embedded sandbox.
      const other = await startTestApp(
        {
          SANDBOX_RATE_LIMIT_PER_MIN: '0',
          THROTTLE_PER_MIN: '0',
          SANDBOX_FAULTS: 'true',
          UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
        },
        gw.dataDir,
      );
      try {
        const postTo = async (base: string, body: unknown, key: string) => {
          const res = await fetch(`${base}/proxy/companies?${acct()}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${ADMIN_KEY}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body),
          });
          return {
            status: res.status,
            replayed: res.headers.get('idempotent-replayed'),
            body: (await res.json()) as Record<string, unknown>,
          };
        };
        const countsAt = async (base: string) => {
          const res = await fetch(`${base}/sandbox/planhat/__stats`, {
            headers: { authorization: `Bearer ${TENANT_TOKEN}` },
          });
          return ((await res.json()) as { counts: Record<string, number> }).counts.companies;
        };
        const total = async () => (await countsAt(gw.url)) + (await countsAt(other.url));
        const before = await total();

        const key = randomUUID();
        const body = { name: `idem instances ${key}` };
        const a = await postTo(gw.url, body, key);
        const b = await postTo(other.url, body, key);
        expect([a.status, b.status, b.replayed]).toEqual([201, 201, 'true']);
        expect(b.body._id).toBe(a.body._id);
        expect(await total()).toBe(before + 1);

        const raced = randomUUID();
        const answers = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            postTo(i % 2 ? other.url : gw.url, { name: `idem race ${raced}` }, raced),
          ),
        );
        expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
        expect(new Set(answers.filter((r) => r.status === 201).map((r) => r.body._id)).size).toBe(1);
        expect(await total()).toBe(before + 2);
      } finally {
        await other.close();
      }
    });

    it('MCP create tools take idempotency_key: one write per key, the key never reaches Planhat', async () => {
      const listed = await mcp.listTools();
      const create = listed.tools.find((t) => t.name === 'create_a_planhat_company');
      expect(Object.keys(create?.inputSchema.properties ?? {})).toContain('idempotency_key');
      expect(
        Object.keys(listed.tools.find((t) => t.name === 'create_a_crm_account')?.inputSchema.properties ?? {}),
      ).toContain('idempotency_key');

      const before = await counts();
      const key = randomUUID();
      const args = { name: `idem mcp ${key}`, idempotency_key: key };
      const first = await call(mcp, 'create_a_planhat_company', args);
      expect(first.isError).toBeFalsy();
      const second = await call(mcp, 'create_a_planhat_company', args);
      expect(second.isError).toBeFalsy();
      expect(second.structuredContent?._id).toBe(first.structuredContent?._id);
      expect(first.structuredContent).not.toHaveProperty('idempotency_key');
      const mismatch = await call(mcp, 'create_a_planhat_company', { ...args, name: 'another' });
      expect(mismatch.isError).toBe(true);
      expect(textOf(mismatch)).toMatch(/409 CONFLICT.*different request/);

      const u = { name: `idem mcp unified ${key}`, idempotency_key: key };
      const u1 = await call(mcp, 'create_a_crm_account', u);
      const u2 = await call(mcp, 'create_a_crm_account', u);
      expect(u1.isError).toBeFalsy();
      expect(u2.structuredContent?.id).toBe(u1.structuredContent?.id);
      expect((await counts()).companies).toBe(before.companies + 2);

      const bad = await call(mcp, 'create_a_planhat_company', { name: 'bad key', idempotency_key: '' });
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toMatch(/idempotency_key/);
      expect((await counts()).companies).toBe(before.companies + 2);
    });
  });
});
