/**
 * Insights over a tenant larger than one Planhat page: lists are read page after page at the
 * model's maximum page size, and every page counts as an upstream call.
 */
import { startGateway, type TestGateway } from './helpers';

type Json = Record<string, any>;

let gw: TestGateway;
let acct: string;

beforeAll(async () => {
  // 700 companies: 2,100 endusers, more than one page of 2,000
  gw = await startGateway({ SANDBOX_SEED_COMPANIES: '700' });
  acct = gw.sandboxAccountId;
});
afterAll(async () => gw?.close());

async function countAll(resource: string): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | undefined;
  do {
    const r = await gw.call(
      'GET',
      `/proxy/${resource}?integrated_account_id=${acct}&limit=2000${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(r.status).toBe(200);
    out.push(...r.body.result);
    cursor = r.body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

it('pages through every enduser and reports one upstream call per page', async () => {
  const endusers = await countAll('endusers');
  expect(endusers.length).toBeGreaterThan(2000);
  const last = endusers[endusers.length - 1];
  const r = await gw.call(
    'GET',
    `/insights/resolve?integrated_account_id=${acct}&types=endusers&query=${encodeURIComponent(last.email)}`,
  );
  expect(r.status).toBe(200);
  // the last enduser lives on the last page; a short page ends the list
  expect(r.body.matches[0]).toMatchObject({ _id: last._id, match: 'exact', field: 'email' });
  expect(r.body.upstream_calls).toBe(Math.floor(endusers.length / 2000) + 1);
  expect(r.body.truncated).toBeUndefined();
});

describe('under a Planhat rate limit', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startGateway({ SANDBOX_RATE_LIMIT_PER_MIN: '4' });
  });
  afterAll(async () => small?.close());

  it("stops at Planhat's 429 and passes it on as RATE_LIMITED with retry-after, instead of retrying", async () => {
    const q = `integrated_account_id=${small.sandboxAccountId}`;
    const first = await small.call('GET', `/insights/churn_summary?${q}`);
    expect(first.status).toBe(200);
    expect(first.body.upstream_calls).toBe(1);
    // account_360 needs 7 calls; 3 are left in this minute
    const r = await small.call('GET', `/insights/account_360?${q}&company=extid-ACME-0001`);
    expect(r.status).toBe(429);
    expect(r.body.error).toBe('RATE_LIMITED');
    expect(r.headers['retry-after']).toBeDefined();
  });
});
