import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';

export interface GracefulShutdownOptions {
  /** How long requests in flight may take once a signal arrived; then their connections are cut. */
  timeoutMs: number;
  log: (message: string) => void;
  /** process.exit, replaceable in tests. */
  exit?: (code: number) => void;
}

/** Time given to the closing hooks (database, Redis, Planhat pool) after connections were cut. */
const HOOKS_GRACE_MS = 5_000;

/**
 * SIGTERM or SIGINT → a graceful stop, then exit code 0: the server stops accepting connections,
 * `/health/ready` turns down, legacy SSE streams are ended, requests in flight complete (keep-alive
 * connections are closed after their answer), and the database, Redis and the Planhat pool are
 * closed. Whatever is still open after `timeoutMs` is cut; if closing still does not finish within
 * 5 s more, the process exits with 1. A second signal exits at once with 1.
 */
export function installGracefulShutdown(app: INestApplication, opts: GracefulShutdownOptions): () => Promise<void> {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;

  const stop = (signal: NodeJS.Signals): Promise<void> => {
    if (running) {
      opts.log(`${signal} again during shutdown: exiting now`);
      exit(1);
      return running;
    }
    opts.log(`${signal} received: draining requests in flight (at most ${opts.timeoutMs} ms), then exiting`);
    running = close();
    return running;
  };

  const close = async (): Promise<void> => {
    const server = app.getHttpServer() as Server;
    const cut = setTimeout(() => {
      opts.log(`requests still open after ${opts.timeoutMs} ms: closing their connections`);
      server.closeAllConnections();
    }, opts.timeoutMs).unref();
    const hard = setTimeout(() => {
      opts.log('shutdown did not finish in time: exiting with 1');
      exit(1);
    }, opts.timeoutMs + HOOKS_GRACE_MS).unref();
    try {
      await app.close();
      opts.log('stopped');
      exit(0);
    } catch (err) {
      opts.log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
      exit(1);
    } finally {
      clearTimeout(cut);
      clearTimeout(hard);
    }
  };

  const onSigterm = () => void stop('SIGTERM');
  const onSigint = () => void stop('SIGINT');
  process.on('SIGTERM', onSigterm);
  process.on('SIGINT', onSigint);
  return () => stop('SIGTERM');
}
