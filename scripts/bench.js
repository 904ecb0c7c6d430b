#!/usr/bin/env node
// `npm run bench`: the gateway against baselines in one run, on loopback (CONTRACT §9, issue 6).
// Starts, each in its own process: the standalone Planhat sandbox (rate limit off), the gateway
// (production build, pointed at that sandbox) and a bare pass-through proxy (Fastify + undici).
// Prints a table and one JSON line per scenario. Ratios, not absolute times, are what to compare.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { request } = require('undici');

const root = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PAGING_COMPANIES = Number(process.env.BENCH_PAGING_COMPANIES ?? 100_000);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
// BENCH_ONLY=proxy,unified,call,list,memory,paging,cold runs a subset (default: all).
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const runs = (name) => !ONLY || ONLY.has(name);
const ADMIN_KEY = 'bench-admin-key-0123456789';
const children = new Set();

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function start(name, script, env) {
  const child = spawn(process.execPath, [script], {
    cwd: root,
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

async function waitFor(url, timeoutMs = 60_000) {
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

async function stop(child) {
  if (!child || child.exitCode !== null) return;
  child.stopping = true;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

/** CPU time (user + system) a process has used, in ms (Linux clock ticks are 10 ms). */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function json(method, url, body, headers = {}) {
  const res = await request(url, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${url} → ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function load(opts) {
  return new Promise((resolve, reject) => {
    const o = { connections: CONNECTIONS, ...(opts.amount ? {} : { duration: DURATION }), ...opts };
    const inst = autocannon(o, (err, res) => (err ? reject(err) : resolve(res)));
    autocannon.track?.(inst, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

function summary(res) {
  const bad = res.non2xx + res.errors + res.timeouts;
  if (bad > 0) console.error(`  warning: ${bad} non-2xx/errors/timeouts out of ${res.requests.total}`);
  return { rps: Math.round(res.requests.average), p50_ms: res.latency.p50, p99_ms: res.latency.p99 };
}

/** A load run against the server process `child`, with that process's CPU ms per request (steadier than rps on a shared machine). */
async function measured(child, opts) {
  const before = cpuMs(child.pid);
  const res = await load(opts);
  return { ...summary(res), cpu_ms_per_req: +((cpuMs(child.pid) - before) / res.requests.total).toFixed(3) };
}

const rows = [];
function report(row) {
  rows.push(row);
  console.log(JSON.stringify(row));
}

const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const rpc = (method, params) => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

async function main() {
  const [sandboxPort, gatewayPort, barePort, coldPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-bench-'));
  const gatewayEnv = {
    NODE_ENV: 'production',
    PORT: String(gatewayPort),
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN_KEY,
    SANDBOX: 'true',
    SANDBOX_BASE_URL: sandboxUrl,
    SANDBOX_RATE_LIMIT_PER_MIN: '0',
    THROTTLE_PER_MIN: '0',
    LOG_LEVEL: 'warn',
  };

  console.log(`bench: ${CONNECTIONS} connections, ${DURATION} s per run, sandbox with ${PAGING_COMPANIES} companies`);
  start('sandbox', 'dist/planhat/sandbox/standalone.js', {
    PORT: String(sandboxPort),
    SANDBOX_SEED_COMPANIES: String(PAGING_COMPANIES),
    SANDBOX_RATE_LIMIT_PER_MIN: '0',
  });
  const gateway = start('gateway', 'dist/main.js', gatewayEnv);
  const bareProxy = start('bare proxy', 'scripts/bench/bare-proxy.js', { PORT: String(barePort), SANDBOX_URL: sandboxUrl });
  await Promise.all([waitFor(`${sandboxUrl}/__stats`), waitFor(`${gatewayUrl}/health`), waitFor(`${bareUrl}/companies?limit=1`)]);

  const accounts = await json('GET', `${gatewayUrl}/integrated-account`);
  const account = accounts.result.find((a) => a.name === 'sandbox').id;
  const mcp = await json('POST', `${gatewayUrl}/integrated-account/${account}/mcp`, { name: 'bench (all tools)' });
  const mcpPath = new URL(mcp.url).pathname;
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };
  // Warm both tenants (lazy seeding) and connections.
  await load({ url: `${bareUrl}/companies?limit=100`, duration: 1 });
  await load({ url: `${gatewayUrl}/proxy/companies?integrated_account_id=${account}&limit=100`, headers: auth, duration: 1 });

  // 1. proxy list vs the bare proxy
  const ratio = (a, b) => (a && b ? +(a.rps / b.rps).toFixed(3) : null);
  const bare = runs('proxy') || runs('unified') ? await measured(bareProxy, { url: `${bareUrl}/companies?limit=100` }) : null;
  const proxy = runs('proxy') || runs('call') ? await measured(gateway, { url: `${gatewayUrl}/proxy/companies?integrated_account_id=${account}&limit=100`, headers: auth }) : null;
  if (runs('proxy')) {
    report({ scenario: 'proxy list', ...proxy, baseline_rps: bare.rps, ratio: ratio(proxy, bare), added_p50_ms: +(proxy.p50_ms - bare.p50_ms).toFixed(2), baseline_cpu_ms_per_req: bare.cpu_ms_per_req });
  }

  // 2. unified list vs the same baseline
  if (runs('unified')) {
    const unified = await measured(gateway, { url: `${gatewayUrl}/unified/crm/accounts?integrated_account_id=${account}&limit=100`, headers: auth });
    report({ scenario: 'unified list', ...unified, baseline_rps: bare.rps, ratio: ratio(unified, bare), baseline_cpu_ms_per_req: bare.cpu_ms_per_req });
  }

  // 3. MCP tools/call list vs the gateway's own proxy list
  if (runs('call')) {
    const call = await measured(gateway, {
      url: `${gatewayUrl}${mcpPath}`,
      method: 'POST',
      headers: mcpHeaders,
      body: rpc('tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 100 } }),
    });
    report({ scenario: 'mcp tools/call list', ...call, baseline_rps: proxy.rps, ratio: ratio(call, proxy), baseline_cpu_ms_per_req: proxy.cpu_ms_per_req });
  }

  // 4. MCP tools/list on an unfiltered server
  if (runs('list')) {
    const list = await measured(gateway, { url: `${gatewayUrl}${mcpPath}`, method: 'POST', headers: mcpHeaders, body: rpc('tools/list', {}), connections: 4 });
    report({ scenario: 'mcp tools/list', ...list, baseline_rps: null, ratio: null });
  }

  // 5. memory: RSS after MEMORY_REQUESTS mixed requests, and growth over the second half
  if (runs('memory')) {
    const mixed = [
      { method: 'GET', path: `/proxy/companies?integrated_account_id=${account}&limit=20`, headers: auth },
      { method: 'GET', path: `/proxy/endusers?integrated_account_id=${account}&limit=20`, headers: auth },
      { method: 'GET', path: `/unified/crm/contacts?integrated_account_id=${account}&limit=20`, headers: auth },
      { method: 'POST', path: mcpPath, headers: mcpHeaders, body: rpc('tools/call', { name: 'list_all_planhat_licenses', arguments: { limit: 20 } }) },
      { method: 'POST', path: mcpPath, headers: mcpHeaders, body: rpc('tools/list', {}) },
    ];
    const half = Math.floor(MEMORY_REQUESTS / 2);
    await load({ url: gatewayUrl, requests: mixed, amount: half });
    const rssHalf = rssMb(gateway.pid);
    await load({ url: gatewayUrl, requests: mixed, amount: MEMORY_REQUESTS - half });
    const rssEnd = rssMb(gateway.pid);
    report({ scenario: 'memory', rss_mb: +rssEnd.toFixed(1), rss_half_mb: +rssHalf.toFixed(1), growth_second_half_mb: +(rssEnd - rssHalf).toFixed(1), requests: MEMORY_REQUESTS });
  }

  // 6. paging 100k companies through the unified API
  if (runs('paging')) {
    let peak = rssMb(gateway.pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(gateway.pid))), 50);
    const t0 = performance.now();
    let cursor = null;
    let records = 0;
    do {
      const q = `integrated_account_id=${account}&limit=5000&include_remote_data=false${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await json('GET', `${gatewayUrl}/unified/crm/accounts?${q}`);
      records += page.result.length;
      cursor = page.next_cursor;
    } while (cursor);
    const secs = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    report({ scenario: 'paging 100k', records, seconds: +secs.toFixed(2), records_per_s: Math.round(records / secs), peak_rss_mb: +peak.toFixed(1) });
  }

  // 7. cold start: process start to healthy, gateway vs a bare Nest + Fastify app (median of 3)
  if (runs('cold')) {
    await stop(gateway);
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const coldRuns = async (script, env, url) => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const child = start('cold', script, env);
        await waitFor(url);
        times.push(performance.now() - t);
        await stop(child);
      }
      return median(times);
    };
    const coldGateway = await coldRuns('dist/main.js', { ...gatewayEnv, PORT: String(coldPort) }, `http://127.0.0.1:${coldPort}/health`);
    const coldBare = await coldRuns('scripts/bench/bare-nest.js', { PORT: String(coldPort) }, `http://127.0.0.1:${coldPort}/health`);
    report({ scenario: 'cold start', start_ms: Math.round(coldGateway), baseline_ms: Math.round(coldBare), ratio: +(coldGateway / coldBare).toFixed(3) });
  }

  console.log('\n| scenario | rps | p50 ms | p99 ms | baseline rps | ratio | other |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const { scenario, rps, p50_ms, p99_ms, baseline_rps, ratio, ...rest } = r;
    const fmt = (v) => (v === undefined || v === null ? '' : v);
    console.log(`| ${scenario} | ${fmt(rps)} | ${fmt(p50_ms)} | ${fmt(p99_ms)} | ${fmt(baseline_rps)} | ${fmt(ratio)} | ${Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(' ')} |`);
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await Promise.all([...children].map(stop));
  });
