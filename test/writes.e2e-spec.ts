/**
 * Write acknowledgements and idempotency (issue 20, item 6). A unified or MCP create/update that
 * reached Planhat answers with the write's own result when only the read-back fails (it used to be a
 * 502/504, and a retrying client made duplicates); a write whose outcome is unknown names the id the
 * client can check. POSTs with an Idempotency-Key (proxy, unified) or an `idempotency_key` argument
 * (MCP create tools) write once per key: the sandbox's record counts prove it.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { closeClients, connect, call, textOf } from './mcp-helpers';
import { startGateway, type TestGateway } from './helpers';

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
    gw = await startGateway({ SANDBOX_FAULTS: 'true', UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS), SANDBOX_SEED_COMPANIES: '3' });
    const a = await gw.call('POST', '/integrated-account', { name: 'writes target', environment: 'sandbox', api_token: TENANT_TOKEN });
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
        expect(r.body.warnings).toEqual([expect.stringMatching(new RegExp(`was created \\(id ${r.body.id}\\), but reading it back from Planhat failed.*Do not repeat the write`))]);
        expect(r.headers.warning).toMatch(/^199 .*read/);
        expect((await counts()).companies).toBe(before.companies + 1);
        const again = await gw.call('GET', `/unified/crm/accounts/${r.body.id}?${acct()}`);
        expect(again.status).toBe(200);
        expect(again.body.name).toBe(name);
      });
    }

    it('unified update answers 200 with a warning when only the read-back fails', async () => {
      await arm('GET /companies/', '500');
      const r = await gw.call('PATCH', `/unified/crm/accounts/${companyId}?${acct()}`, { description: 'updated while the read failed' });
      expect(r.status).toBe(200);
      expect(r.body.id).toBe(companyId);
      expect(r.body.warnings).toEqual([expect.stringMatching(/was updated .*reading it back from Planhat failed/)]);
      const again = await gw.call('GET', `/unified/crm/accounts/${companyId}?${acct()}`);
      expect(again.body.description).toBe('updated while the read failed');
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
      const contact = await gw.call('POST', `/proxy/endusers?${acct()}`, { companyId, email: `writes.${Date.now()}@example.com`, name: 'Requester' });
      expect(contact.status).toBe(201);
      await arm('PUT /tickets', 'slow');
      const r = await gw.call('POST', `/unified/ticketing/tickets?${acct()}`, { name: 'Slow ticket', contact: { id: contact.body._id } });
      expect(r.status).toBe(504);
      expect(r.body.hint).toMatch(/may or may not have been applied/);
      expect(r.body.details).toMatchObject({ id: expect.stringMatching(/^srcid-unified-/), write_outcome: 'unknown' });
      // The id is one the client can look the ticket up with (the slow fault's request was dropped with the connection: not applied).
      const found = await gw.call('GET', `/proxy/tickets/${encodeURIComponent(r.body.details.id)}?${acct()}`);
      expect(found.status).toBe(404);
      expect(found.body.message).toContain(r.body.details.id);
    });
  });
});
