'use strict';
/** Helpers the load and bench scripts share: a free loopback port, a process's RSS, child processes. */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (Linux /proc; falls back to ps). */
function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) return Math.round(Number(m[1]) / 102.4) / 10;
  } catch {
    /* not Linux */
  }
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
      .toString()
      .trim();
    return Math.round(Number(out) / 102.4) / 10;
  } catch {
    return null;
  }
}

/**
 * Node child processes of one script run: `start` spawns a script (stderr kept for the error report
 * if it exits on its own), `stop` ends one (SIGTERM, SIGKILL after 10 s), `stopAll` every one alive.
 */
function processGroup(cwd) {
  const children = new Set();
  function start(name, script, env, nodeFlags = []) {
    const child = spawn(process.execPath, [...nodeFlags, script], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('exit', (code) => {
      children.delete(child);
      if (code && !child.stopping) console.error(`${name} exited with ${code}\n${stderr}`);
    });
    children.add(child);
    child.benchName = name;
    return child;
  }
  async function stop(child) {
    if (!child || child.exitCode !== null) return;
    child.stopping = true;
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(t);
  }
  return { start, stop, stopAll: () => Promise.all([...children].map(stop)) };
}

/** Polls `url` until it answers below 500; resolves with the ms it took. */
async function waitFor(url, timeoutMs = 60_000) {
  const { request } = require('undici');
  const t0 = performance.now();
  for (;;) {
    try {
      const res = await request(url);
      await res.body.dump();
      if (res.statusCode < 500) return performance.now() - t0;
    } catch {
      /* not up yet */
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

module.exports = { freePort, rssMb, processGroup, waitFor };
