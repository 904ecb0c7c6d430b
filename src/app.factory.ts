import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { IntegratedAccountsService } from './accounts/integrated-accounts.service';
import { setupSwagger } from './admin/swagger';
import { clientErrorHandler, installBodyParsing } from './common/body-parsing';
import { GatewayExceptionFilter, sendError } from './common/http-exception.filter';
import { installOriginGuard, OriginPolicy } from './common/origin-guard';
import { createRootLogger, installRequestLogging, requestIdFor } from './common/logging';
import { SelfAddress } from './common/self-address';
import { createValidationPipe } from './common/validation';
import { AppConfig, loadConfig } from './config/app-config';
import { installCanonicalMcpPaths } from './mcp/canonical-path';
import { OAUTH_FORM_PATHS } from './oauth/oauth.controller';
import { createSandbox } from './sandbox';
import { ShutdownState } from './health/shutdown-state';
import { MetricsService } from './metrics/metrics.service';

export interface CreatedApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> when listening. */
  url: string;
}

/**
 * Builds the gateway: Nest on Fastify, the global error filter and validation, Swagger, and the
 * embedded sandbox mounted as a Fastify plugin at /sandbox/planhat (called over real HTTP).
 * `listen: false` returns an initialised app that is not bound to a port (for scripts).
 */
export async function createApp(
  env: Record<string, string | undefined> = process.env,
  opts: { listen?: boolean } = {},
): Promise<CreatedApp> {
  const config = loadConfig(env);
  const logger = createRootLogger(config);
  const frameworkLogger = new Logger('Errors');
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    genReqId: requestIdFor,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    // Errors Fastify answers itself, before any hook or route (a URL it cannot decode; headers too
    // large or malformed HTTP, raised by Node's parser), in the project's error shape too.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply) => {
      reply.header('x-request-id', req.id);
      sendError(reply, req, err, frameworkLogger);
    },
    clientErrorHandler,
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // The gateway registers its own body parsers (installBodyParsing): JSON only.
    bodyParser: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.useGlobalFilters(new GatewayExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  // Signals are handled by installGracefulShutdown (src/main.ts): Nest's own shutdown hooks would
  // re-raise the signal after closing, so the process would end by SIGTERM instead of exit code 0.

  const fastify = app.getHttpAdapter().getInstance();
  installRequestLogging(fastify, logger);
  // Request count and latency by surface, route template and status class. Measured on the raw
  // response's close (it also fires for replies the MCP transport writes itself and for SSE streams).
  const metrics = app.get(MetricsService);
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const start = process.hrtime.bigint();
    const route = req.routeOptions?.url ?? 'unmatched';
    // Legacy SSE streams stay open until the client leaves: a graceful shutdown ends them.
    if (route.endsWith('/sse') && req.method === 'GET') shutdown.trackStream(reply.raw);
    reply.raw.once('close', () =>
      metrics.recordRequest(route, reply.raw.statusCode, Number(process.hrtime.bigint() - start) / 1e9),
    );
    done();
  });
  // Origin/Host validation (DNS rebinding, cross-site requests) before any route, auth or body.
  const bound: { port?: number } = {}; // set once listening; the guard reads it per request
  installOriginGuard(
    fastify,
    new OriginPolicy({
      listenHost: config.host,
      publicUrl: () => config.publicUrl,
      allowedOrigins: config.allowedOrigins,
      port: () => bound.port,
    }),
  );
  installBodyParsing(fastify, config.bodyLimitBytes, OAUTH_FORM_PATHS);
  installCanonicalMcpPaths(fastify);
  // Errors raised by Fastify itself (body parsing, size limits) reach GatewayExceptionFilter through
  // Nest's own Fastify error handler, so they get the same error shape.
  // Graceful shutdown: requests in flight when close starts still complete, but their keep-alive
  // connections must not hold the process open afterwards (a client that sends nothing more would
  // keep it up until the keep-alive timeout). Answers sent while closing carry `connection: close`.
  // /health/ready reports `shutdown: down` from then on, so a load balancer stops sending work, and
  // SSE streams are ended (the server's close would otherwise wait for them until the timeout).
  fastify.addHook('preClose', (done: () => void) => {
    shutdown.closing = true;
    const ended = shutdown.endStreams();
    if (ended > 0) logger.info(`shutdown: ended ${ended} SSE stream(s)`);
    done();
  });
  fastify.addHook('onSend', async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (shutdown.closing && !reply.raw.headersSent) reply.header('connection', 'close');
    return payload;
  });

  if (config.sandbox.enabled) {
    // Only the tokens of this gateway's `sandbox` accounts are tenants: any other bearer gets 401.
    const accounts = app.get(IntegratedAccountsService);
    const sandbox = createSandbox({
      seedCompanies: config.sandbox.seedCompanies,
      rateLimitPerMin: config.sandbox.rateLimitPerMin,
      faults: config.sandbox.faults,
      maxTenants: config.sandbox.maxTenants,
      authorize: (token) => accounts.acceptsSandboxToken(token),
      persistDir: config.sandbox.persist ? path.join(config.dataDir, 'sandbox') : undefined,
    });
    // Saved last, after requests in flight finished.
    if (sandbox.persistence)
      fastify.addHook('onClose', (_i: unknown, done: () => void) => {
        sandbox.persistence?.stop();
        done();
      });
    await app.register(sandbox.plugin as never, { prefix: '/sandbox/planhat' });
  }
  setupSwagger(app);

  try {
    if (opts.listen === false) {
      await app.init();
      return { app, config, url: '' };
    }
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A failed start (bad bootstrap config, port taken) must not leave pools and timers behind.
    await app.close().catch(() => undefined);
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  bound.port = port;
  app.get(SelfAddress).setListening(port);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return { app, config, url: `http://${host}:${port}` };
}
