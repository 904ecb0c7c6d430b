import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { codeForStatus, ErrorCode, GatewayError } from '../../common/errors';
import { SelfAddress } from '../../common/self-address';
import { createValidationPipe } from '../../common/validation';
import { AppConfig, loadConfig } from '../../config/app-config';
import { AppConfigModule } from '../../config/config.module';
import { DatabaseModule } from '../../database/database.module';
import { AdminModule } from '../admin.module';

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

type CreateApp = (env?: Record<string, string | undefined>) => Promise<{ app: NestFastifyApplication; config: AppConfig; url: string }>;

function appFactory(): CreateApp | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../app.factory') as { createApp?: CreateApp }).createApp;
  } catch {
    return undefined;
  }
}

/** Stand-in for the global filter until app.factory exists: GatewayError → contract body. */
@Catch()
class FallbackFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status(n: number): { send(b: unknown): void } }>();
    if (err instanceof GatewayError) return reply.status(err.status).send(err.toBody());
    const status = err instanceof HttpException ? err.getStatus() : 500;
    reply.status(status).send({ statusCode: status, error: status === 500 ? ErrorCode.INTERNAL : codeForStatus(status), message: err instanceof Error ? err.message : 'error' });
  }
}

/**
 * Boots the gateway (createApp when src/app.factory.ts exists, else Config + Database + Admin
 * modules) on a fresh data dir, listening on 127.0.0.1:0.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}, dataDir = freshDataDir()): Promise<TestApp> {
  const fullEnv = { DATA_DIR: dataDir, ADMIN_API_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...env };
  const createApp = appFactory();
  if (createApp) {
    const { app, config, url } = await createApp(fullEnv);
    return { app, config, url, dataDir, close: () => app.close() };
  }
  const config = loadConfig(fullEnv);
  @Module({ imports: [AppConfigModule.forRoot(fullEnv, config), DatabaseModule, AdminModule] })
  class FallbackAppModule {}
  const app = await NestFactory.create<NestFastifyApplication>(FallbackAppModule, new FastifyAdapter(), { logger: false });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new FallbackFilter());
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  app.get(SelfAddress).setListening(port);
  return { app, config, url: `http://127.0.0.1:${port}`, dataDir, close: () => app.close() };
}
