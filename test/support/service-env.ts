import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Test support for the scale-out run: when TEST_POSTGRES_URL / TEST_REDIS_URL are set (by
 * scripts/ci/services.sh), each test gateway gets its own fresh PostgreSQL database and its own Redis
 * key prefix, so suites stay isolated; otherwise nothing changes (SQLite file, in-memory state).
 */
export async function serviceEnv(dataDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const pgUrl = process.env.TEST_POSTGRES_URL;
  if (pgUrl) {
    // One database per data dir: a restart on the same data dir finds its data again.
    const db = `phg_test_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
    const admin = new Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${db}`);
    } finally {
      await admin.end();
    }
    const url = new URL(pgUrl);
    url.pathname = `/${db}`;
    env.DATABASE_URL = url.toString();
  }
  if (process.env.TEST_REDIS_URL) {
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_KEY_PREFIX = `phg-test-${randomBytes(4).toString('hex')}:`;
  }
  return env;
}
