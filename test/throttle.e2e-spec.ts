import { randomBytes } from 'node:crypto';
import { startGateway, type TestGateway } from './helpers';

describe('gateway throttle', () => {
  it('answers 429 with retry-after per API token, and counts accounts separately from tokens', async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '3' });
    try {
      const token = (await gw.call('POST', '/api-token', { name: 'limited' })).body.token;
      const as = { authorization: `Bearer ${token}` };
      // One budget across routes.
      expect((await gw.call('GET', '/api-token', undefined, as)).status).toBe(200);
      expect((await gw.call('GET', '/integrated-account', undefined, as)).status).toBe(200);
      expect((await gw.call('GET', '/api-token', undefined, as)).status).toBe(200);
      const limited = await gw.call('GET', '/api-token', undefined, as);
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ statusCode: 429, error: 'RATE_LIMITED' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another token has its own budget; public routes without a token are not counted.
      expect((await gw.call('GET', '/api-token')).status).toBe(200);
      expect((await gw.call('GET', '/health', undefined, { authorization: '' })).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('limits per integrated account across tokens', async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '4' });
    try {
      const t1 = (await gw.call('POST', '/api-token', { name: 'one' })).body.token;
      const t2 = (await gw.call('POST', '/api-token', { name: 'two' })).body.token;
      const url = `/proxy/companies?integrated_account_id=${gw.sandboxAccountId}&limit=1`;
      const statuses: number[] = [];
      for (const t of [t1, t2, t1, t2, t1])
        statuses.push((await gw.call('GET', url, undefined, { authorization: `Bearer ${t}` })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await gw.close();
    }
  });
});

/** A JSON-RPC tools/list POST to an MCP URL token. */
async function mcpList(gw: TestGateway, urlToken: string, authorization = ''): Promise<number> {
  const r = await gw.call(
    'POST',
    `/mcp/${urlToken}`,
    { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    { authorization, accept: 'application/json, text/event-stream' },
  );
  return r.status;
}

const forged = () => `Bearer phg_${randomBytes(32).toString('base64url')}`;

describe('unauthenticated traffic is throttled by client address only', () => {
  it("forged or missing credentials naming a real account never spend its budget nor a token's", async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '120' });
    try {
      const token = (await gw.call('POST', '/api-token', { name: 'victim' })).body.token;
      const account = `integrated_account_id=${gw.sandboxAccountId}`;
      const statuses: number[] = [];
      for (let i = 0; i < 130; i++) {
        // A fresh forged bearer per request, a replay of a made-up token, and no bearer at all.
        const auth = i % 3 === 0 ? forged() : i % 3 === 1 ? 'Bearer phg_made-up-token' : '';
        const url = i % 2 === 0 ? `/proxy/companies?${account}&limit=1` : `/health?${account}`;
        statuses.push((await gw.call('GET', url, undefined, { authorization: auth })).status);
      }
      // Counted against this client address: the first 120 pass through to 401 (or /health's 200), then 429.
      expect(statuses.slice(0, 120).every((s) => s === 401 || s === 200)).toBe(true);
      expect(statuses.slice(120)).toEqual(new Array(10).fill(429));
      // The valid client (same address, authenticated) still has its token's and the account's full budget.
      const valid = await gw.call('GET', `/proxy/companies?${account}&limit=1`, undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(valid.status).toBe(200);
      expect((await gw.call('GET', '/api-token', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);

      const limited = await gw.call('GET', '/health', undefined, { authorization: '' });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({
        statusCode: 429,
        error: 'RATE_LIMITED',
        message: expect.stringMatching(/client address/),
      });
    } finally {
      await gw.close();
    }
  });

  it('a valid token is counted once authenticated, on its own budget (not the address)', async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '3' });
    try {
      const token = (await gw.call('POST', '/api-token', { name: 'own budget' })).body.token;
      for (let i = 0; i < 3; i++)
        expect((await gw.call('GET', '/health', undefined, { authorization: '' })).status).toBe(200);
      expect((await gw.call('GET', '/health', undefined, { authorization: '' })).status).toBe(429);
      const as = { authorization: `Bearer ${token}` };
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await gw.call('GET', '/api-token', undefined, as)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await gw.close();
    }
  });
});

describe('MCP throttle: per resolved MCP server, and per caller address when unresolved', () => {
  it("random URL tokens are limited by address and do not spend a real server's budget", async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '5' });
    try {
      const server = (
        await gw.call('POST', `/integrated-account/${gw.sandboxAccountId}/mcp`, { name: 'throttled', config: {} })
      ).body;
      const unknown: number[] = [];
      for (let i = 0; i < 8; i++)
        unknown.push(await mcpList(gw, `phm_${randomBytes(32).toString('base64url')}`, forged()));
      expect(unknown).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
      // The real server still has its whole budget, whatever bearer comes along; then it is spent.
      const real: number[] = [];
      for (let i = 0; i < 7; i++) real.push(await mcpList(gw, server.token, forged()));
      expect(real).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await gw.close();
    }
  });

  it('a bad API token on a server that requires one is counted on the address, not the server', async () => {
    const gw = await startGateway({ THROTTLE_PER_MIN: '4' });
    try {
      const token = (await gw.call('POST', '/api-token', { name: 'mcp client' })).body.token;
      const server = (
        await gw.call('POST', `/integrated-account/${gw.sandboxAccountId}/mcp`, {
          name: 'needs a token',
          config: { require_api_token_auth: true },
        })
      ).body;
      const bad: number[] = [];
      for (let i = 0; i < 6; i++) bad.push(await mcpList(gw, server.token, forged()));
      expect(bad).toEqual([401, 401, 401, 401, 429, 429]);
      const good: number[] = [];
      for (let i = 0; i < 5; i++) good.push(await mcpList(gw, server.token, `Bearer ${token}`));
      expect(good).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await gw.close();
    }
  });
});
