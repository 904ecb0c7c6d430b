/**
 * Signals (issue #24, item 1): `npm start` as a process manager runs it, stopped with SIGTERM sent to
 * the npm process only. npm runs scripts through `sh -c`, and a shell that does not exec its last
 * command (dash) kept the signal from the gateway: npm ended and node went on serving. With
 * `exec node dist/main.js` npm's child is the gateway itself and npm forwards the signal to it.
 * The gateway then drains: a slow request in flight completes, an SSE stream is ended, the port
 * closes, and node exits 0 (npm exits with its code).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureBuilt, freePort, json, ROOT, tmpDir } from './reliability-helpers';

/** Pids whose parent is `ppid` (from /proc). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const isLinux = process.platform === 'linux';

(isLinux ? describe : describe.skip)('npm start and SIGTERM to the npm process', () => {
  it('hands the signal to the gateway, which drains and exits 0', async () => {
    ensureBuilt();
    const port = await freePort();
    const dir = tmpDir('phg-signals-');
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'development',
        DATA_DIR: path.join(dir, 'data'),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SANDBOX_FAULTS: 'true',
        SANDBOX_RATE_LIMIT_PER_MIN: '0',
        SANDBOX_SEED_COMPANIES: '5',
        THROTTLE_PER_MIN: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const npmExit = new Promise<number | string>((resolve) =>
      npm.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    let nodePid: number | undefined;
    let descendants: number[] = [];
    try {
      const until = Date.now() + 120_000;
      while (!/listening on http/.test(out)) {
        if (Date.now() > until || npm.exitCode !== null) throw new Error(`npm start did not come up:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const url = `http://127.0.0.1:${port}`;
      // The gateway is npm's only child (no shell in between).
      const kids = childrenOf(npm.pid!);
      descendants = [...kids, ...kids.flatMap(childrenOf)];
      expect(kids).toHaveLength(1);
      nodePid = kids[0];
      expect(commandOf(nodePid)).toMatch(/node .*dist\/main\.js/);

      const key = fs.readFileSync(path.join(dir, 'data', 'admin_api_key'), 'utf8').trim();
      const accounts = (await json(`${url}/integrated-account`, { token: key })).body.result;
      const id = accounts.find((a: { name: string }) => a.name === 'sandbox').id;
      const mcpPath = /MCP server with all tools[^:]*: \S+?(\/mcp\/\S+)/.exec(out)![1];
      // An SSE stream that would stay open forever, and a slow Planhat call in flight.
      const sse = await fetch(`${url}${mcpPath}/sse`, { headers: { accept: 'text/event-stream' } });
      expect(sse.status).toBe(200);
      const sseBody = sse.text();
      expect(
        (
          await json(`${url}/sandbox/planhat/__faults`, {
            method: 'POST',
            body: JSON.stringify({ match: 'GET /companies', fault: 'slow', times: 1 }),
          })
        ).status,
      ).toBe(200);
      const slow = json(`${url}/proxy/companies?integrated_account_id=${id}&limit=1`, { token: key });
      await new Promise((r) => setTimeout(r, 300));

      const t0 = Date.now();
      process.kill(npm.pid!, 'SIGTERM');
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(answer.body.result).toHaveLength(1);
      await expect(sseBody).resolves.toContain('event: endpoint');
      expect(await npmExit).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(alive(nodePid)).toBe(false);
      expect(await portOpen(port)).toBe(false);
      expect(out).toContain('Shutdown: SIGTERM received');
      expect(out).toContain('Shutdown: stopped');
    } finally {
      // On failure (e.g. a shell between npm and node), nothing this test started may outlive it.
      for (const pid of descendants) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
