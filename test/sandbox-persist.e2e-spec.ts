/**
 * Sandbox data across restarts (issue #24, item 3): by default the embedded sandbox is in memory and
 * a restart brings back freshly seeded data; with SANDBOX_PERSIST=true its tenants are kept in
 * DATA_DIR/sandbox (one 0600 file per tenant, named by the token's SHA-256) and a demo survives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freshDataDir } from './support/test-app';
import { startGateway, type TestGateway } from './helpers';

async function restartScenario(
  env: Record<string, string>,
): Promise<{ before: number; after: TestGateway; dataDir: string }> {
  const dataDir = freshDataDir();
  const first = await startGateway({ ...env, DATA_DIR: dataDir });
  const acct = `integrated_account_id=${first.sandboxAccountId}`;
  const created = await first.call('POST', `/proxy/companies?${acct}`, {
    name: 'Survivor Inc',
    externalId: 'survivor-1',
  });
  expect(created.status).toBe(201);
  const list = await first.call('GET', `/proxy/companies?${acct}&limit=5000&select=name`);
  const before = list.body.result.length;
  await first.close();
  const after = await startGateway({ ...env, DATA_DIR: dataDir });
  expect(after.sandboxAccountId).toBe(first.sandboxAccountId);
  return { before, after, dataDir };
}

describe('SANDBOX_PERSIST', () => {
  it('off (the default): a restart brings back freshly seeded data', async () => {
    const { after } = await restartScenario({});
    try {
      const got = await after.call(
        'GET',
        `/proxy/companies/extid-survivor-1?integrated_account_id=${after.sandboxAccountId}`,
      );
      expect(got.status).toBe(404);
    } finally {
      await after.close();
    }
  });

  it('on: records written before the restart are served after it, from a private file', async () => {
    const { before, after, dataDir } = await restartScenario({ SANDBOX_PERSIST: 'true' });
    try {
      const acct = `integrated_account_id=${after.sandboxAccountId}`;
      const got = await after.call('GET', `/proxy/companies/extid-survivor-1?${acct}`);
      expect(got.status).toBe(200);
      expect(got.body.name).toBe('Survivor Inc');
      const list = await after.call('GET', `/proxy/companies?${acct}&limit=5000&select=name`);
      expect(list.body.result.length).toBe(before);
      // Ids keep counting from where they were: a new record does not reuse one.
      const next = await after.call('POST', `/proxy/companies?${acct}`, { name: 'After Restart' });
      expect(next.status).toBe(201);
      expect(list.body.result.map((r: { _id: string }) => r._id)).not.toContain(next.body._id);

      const dir = path.join(dataDir, 'sandbox');
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^[0-9a-f]{64}\.json$/);
      expect(fs.statSync(path.join(dir, files[0])).mode & 0o777).toBe(0o600);
    } finally {
      await after.close();
    }
  });
});
