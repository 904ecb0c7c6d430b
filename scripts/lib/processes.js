'use strict';
/** Helpers the load scripts (soak, hostile) share: a free loopback port, a process's RSS. */
const { execFileSync } = require('node:child_process');
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

module.exports = { freePort, rssMb };
