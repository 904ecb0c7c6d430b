import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { serviceEnv } from './service-env';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789';

export function freshDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'phg-admin-'));
}

/** Boots the whole gateway on a data dir (fresh unless given), listening on 127.0.0.1 on a free port. */
export async function startTestApp(
  env: Record<string, string | undefined> = {},
  dataDir = env.DATA_DIR ?? freshDataDir(),
): Promise<TestApp> {
  // The scale-out services follow the data dir, so a restart on the same DATA_DIR finds the same PostgreSQL database.
  const fullEnv = {
    DATA_DIR: dataDir,
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    ...(await serviceEnv(dataDir)),
    ...env,
  };
  const { app, config, url } = await createApp(fullEnv);
  return { app, config, url, dataDir, close: () => app.close() };
}
