/**
 * Helpers for the suites that run the built gateway as a child process (secrets, persistence):
 * build if needed, pick a free port, spawn `node dist/main.js` or the standalone sandbox, capture
 * everything they print, stop them with a signal.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

/**
 * `node scripts/build-if-needed.js` (tsc into dist/ when src/ is newer), serialised across jest
 * workers with a lock directory so two suites never rebuild dist/ under each other's feet. A type
 * error elsewhere in the tree does not stop the suites when tsc still emitted dist/main.js.
 */
export function ensureBuilt(): void {
  const lock = path.join(os.tmpdir(), `phg-build-lock-${Buffer.from(ROOT).toString('hex').slice(-16)}`);
  const until = Date.now() + 240_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`build lock ${lock} held for too long`);
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-if-needed.js')], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 240_000,
    });
  } catch (err) {
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js'))) throw err;
    process.stderr.write(
      `build-if-needed reported errors; using the emitted dist/: ${String((err as { stdout?: Buffer }).stdout ?? err).slice(0, 500)}\n`,
    );
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Child {
  proc: ChildProcess;
  url: string;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  /** Sends the signal and resolves with the exit code (or the signal name). */
  stop: (signal?: NodeJS.Signals) => Promise<number | string>;
  exited: Promise<number | string>;
}

/** Spawns a node script, resolving once `ready` matches its output (the URL is taken from it). */
export async function spawnNode(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
  cwd = ROOT,
): Promise<Child> {
  const proc = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    proc,
    url,
    output: () => out,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The built gateway on a data dir and port. */
export function spawnGateway(env: Record<string, string>): Promise<Child> {
  return spawnNode(path.join(ROOT, 'dist/main.js'), env, /Planhat gateway listening on (http:\/\/\S+)/);
}

/** The standalone sandbox (rate limit off unless given). */
export function spawnSandbox(env: Record<string, string> = {}): Promise<Child> {
  return spawnNode(
    path.join(ROOT, 'dist/sandbox/standalone.js'),
    { PORT: '0', SANDBOX_RATE_LIMIT_PER_MIN: '0', ...env },
    /listening on (http:\/\/\S+)/,
  );
}

export async function json(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}
