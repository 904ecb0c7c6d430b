import { startGateway } from './helpers';

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
      for (const t of [t1, t2, t1, t2, t1]) statuses.push((await gw.call('GET', url, undefined, { authorization: `Bearer ${t}` })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await gw.close();
    }
  });
});
