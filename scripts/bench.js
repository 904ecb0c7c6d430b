#!/usr/bin/env node
// `npm run bench`: the gateway against baselines in one run, on loopback (docs/contract.md §9).
// Starts, each in its own process: the standalone Planhat sandbox (rate limit off), the gateway
// (production build, pointed at that sandbox) and a bare pass-through proxy (Fastify + undici).
// Prints a table and one JSON line per scenario. Ratios, not absolute times, are what to compare.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { request } = require('undici');

const { freePort, processGroup, rssMb, waitFor } = require('./lib/processes');

const root = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION_S ?? 8);
// Throughput scenarios run as BENCH_ROUNDS rounds of DURATION / 2 s each, baseline beside candidate.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_DURATION = Math.max(1, Math.round(DURATION / 2));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PAGING_COMPANIES = Number(process.env.BENCH_PAGING_COMPANIES ?? 100_000);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const MEMORY_LIMIT = Number(process.env.BENCH_MEMORY_LIMIT ?? 100);
// Extra fresh gateways for the memory scenario, `;`-separated, each node flags and/or NAME=value
// environment, e.g. `--max-semi-space-size=8;MALLOC_ARENA_MAX=2`.
const MEMORY_CANDIDATES = (process.env.BENCH_MEMORY_CANDIDATES ?? '')
  .split(';')
  .map((c) => c.trim())
  .filter(Boolean);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
// BENCH_ONLY=size,proxy,unified,call,call1,callp,list,oauth,memory,mixed,paging,cold runs a subset (default: all).
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : null;
const runs = (name) => !ONLY || ONLY.has(name);
const ADMIN_KEY = 'bench-admin-key-0123456789';
const GATEWAY_FLAGS = (process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
const { start, stop, stopAll } = processGroup(root);

/** CPU time (user + system) a process has used, in ms (Linux clock ticks are 10 ms). */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** The kernel's peak RSS of a process since its start or the last resetPeakRss, in MB (Linux). */
function hwmMb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
}

function resetPeakRss(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    /* not Linux, or not allowed: hwm_mb then covers the process's whole life */
  }
}

/**
 * `n` requests (autocannon options `opts`) against the server process `child`, in two halves: its
 * RSS before, its peak RSS sampled every 50 ms over the first half and over all `n` (growth_pct: how
 * much the second half raised the peak), the kernel's high-water mark over the `n` as a check on
 * the sampling, and CPU ms per request.
 */
async function memoryRun(child, opts, n) {
  const mb = (v) => +v.toFixed(1);
  const idle = rssMb(child.pid);
  let peak = idle;
  const sample = () => (peak = Math.max(peak, rssMb(child.pid)));
  const sampler = setInterval(sample, 50);
  resetPeakRss(child.pid);
  const cpu0 = cpuMs(child.pid);
  const half = Math.floor(n / 2);
  await load({ ...opts, amount: half });
  const peakHalf = sample();
  const res = await load({ ...opts, amount: n - half });
  const peakAll = sample();
  clearInterval(sampler);
  return {
    ...summary(res),
    cpu_ms_per_req: +((cpuMs(child.pid) - cpu0) / n).toFixed(3),
    rss_idle_mb: mb(idle),
    peak_rss_half_mb: mb(peakHalf),
    peak_rss_mb: mb(peakAll),
    growth_pct: +((100 * (peakAll - peakHalf)) / peakHalf).toFixed(1),
    hwm_mb: mb(hwmMb(child.pid)),
    rss_end_mb: mb(rssMb(child.pid)),
  };
}

/**
 * An OAuth access token for an MCP server path, the way a client gets one: register, authorize with
 * PKCE (the consent form's POST, approved with an API token), exchange the code.
 */
async function oauthAccessToken(gatewayUrl, mcpPath, apiToken) {
  const crypto = require('node:crypto');
  const token = mcpPath.split('/').pop();
  const { resource } = await json('GET', `${gatewayUrl}/.well-known/oauth-protected-resource/mcp/${token}`);
  const redirect = 'http://127.0.0.1:9/callback';
  const client = await json('POST', `${gatewayUrl}/oauth/register`, {
    client_name: 'bench',
    redirect_uris: [redirect],
    token_endpoint_auth_method: 'none',
  });
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const form = (fields) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const approved = await request(
    `${gatewayUrl}/oauth/authorize`,
    form({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirect,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource,
      api_token: apiToken,
      decision: 'approve',
    }),
  );
  await approved.body.dump();
  const code = new URL(approved.headers.location).searchParams.get('code');
  const res = await request(
    `${gatewayUrl}/oauth/token`,
    form({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: client.client_id,
      redirect_uri: redirect,
      resource,
    }),
  );
  const body = await res.body.json();
  if (!body.access_token) throw new Error(`OAuth token exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
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
  if (bad > 0) {
    const codes = Object.entries(res.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, s]) => `${code}: ${s.count}`);
    console.error(
      `  warning: ${bad} non-2xx/errors/timeouts out of ${res.requests.total} (non-2xx ${res.non2xx}${codes.length ? ` [${codes.join(', ')}]` : ''}, errors ${res.errors}, timeouts ${res.timeouts})`,
    );
  }
  return { rps: Math.round(res.requests.average), p50_ms: res.latency.p50, p99_ms: res.latency.p99 };
}

const withDuration = ([child, opts], duration) => [child, { ...opts, duration }];

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
  const [sandboxPort, gatewayPort, barePort, coldPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
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
  start('sandbox', 'dist/sandbox/standalone.js', {
    PORT: String(sandboxPort),
    SANDBOX_SEED_COMPANIES: String(PAGING_COMPANIES),
    SANDBOX_RATE_LIMIT_PER_MIN: '0',
  });
  const gateway = start('gateway', 'dist/main.js', gatewayEnv, GATEWAY_FLAGS);
  const bareProxy = start('bare proxy', 'scripts/bench/bare-proxy.js', {
    PORT: String(barePort),
    SANDBOX_URL: sandboxUrl,
  });
  await Promise.all([
    waitFor(`${sandboxUrl}/__stats`),
    waitFor(`${gatewayUrl}/health`),
    waitFor(`${bareUrl}/companies?limit=1`),
  ]);

  const accounts = await json('GET', `${gatewayUrl}/integrated-account`);
  const account = accounts.result.find((a) => a.name === 'sandbox').id;
  const mcp = await json('POST', `${gatewayUrl}/integrated-account/${account}/mcp`, { name: 'bench (all tools)' });
  const mcpPath = new URL(mcp.url).pathname;
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };

  // 0. What an MCP client pays for (issue 19): bytes of tools/list per exposure, with a token
  // estimate (bytes / 4), and of a 10-record result. Deterministic for a tenant: sizes, not times.
  if (runs('size')) {
    const modes = [
      ['all tools', {}],
      ['native', { tags: ['planhat'] }],
      ['unified', { tags: ['unified'] }],
      ['insights', { tags: ['insights'] }],
      ['discovery', { tool_exposure: 'discovery' }],
      ['model_actions', { tool_exposure: 'model_actions' }],
    ];
    const post = async (url, method, params) => {
      const res = await request(url, { method: 'POST', headers: mcpHeaders, body: rpc(method, params) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${method} → ${res.statusCode} ${text.slice(0, 300)}`);
      return JSON.parse(text).result;
    };
    for (const [mode, config] of modes) {
      const server = await json('POST', `${gatewayUrl}/integrated-account/${account}/mcp`, {
        name: `bench size ${mode}`,
        config,
      });
      const result = await post(server.url.replace(/^https?:\/\/[^/]+/, gatewayUrl), 'tools/list', {});
      const bytes = Buffer.byteLength(JSON.stringify(result));
      report({
        scenario: `mcp tools/list bytes, ${mode}`,
        rps: null,
        p50_ms: null,
        p99_ms: null,
        baseline_rps: null,
        ratio: null,
        tools: result.tools.length,
        bytes,
        tokens_est: Math.round(bytes / 4),
      });
    }
    const calls = [
      ['list_all_crm_accounts limit 10', 'list_all_crm_accounts', { limit: 10 }],
      [
        'list_all_crm_accounts limit 10, include_remote_data',
        'list_all_crm_accounts',
        { limit: 10, include_remote_data: true },
      ],
      ['list_all_planhat_companies limit 10', 'list_all_planhat_companies', { limit: 10 }],
      [
        'list_all_planhat_companies limit 10, select name,phase',
        'list_all_planhat_companies',
        { limit: 10, select: 'name,phase' },
      ],
    ];
    for (const [label, name, args] of calls) {
      const result = await post(`${gatewayUrl}${mcpPath}`, 'tools/call', { name, arguments: args });
      if (result.isError) throw new Error(`${name}: ${result.content[0].text}`);
      const bytes = Buffer.byteLength(result.content[0].text);
      report({
        scenario: `mcp result bytes, ${label}`,
        rps: null,
        p50_ms: null,
        p99_ms: null,
        baseline_rps: null,
        ratio: null,
        records: result.structuredContent.result.length,
        bytes,
        tokens_est: Math.round(bytes / 4),
      });
    }
  }

  // 1-3. Throughput against a baseline. The machine is shared (load generator, sandbox and servers
  // on two cores, and whatever else runs), so each baseline is measured right beside what it is
  // compared with, in ROUNDS rounds of shorter runs; each row is the round with the median ratio.
  const ratio = (a, b) => (a && b ? +(a.rps / b.rps).toFixed(3) : null);
  const targets = {
    bare: [bareProxy, { url: `${bareUrl}/companies?limit=100` }],
    proxy: [
      gateway,
      { url: `${gatewayUrl}/proxy/companies?integrated_account_id=${account}&limit=100`, headers: auth },
    ],
    unified: [
      gateway,
      { url: `${gatewayUrl}/unified/crm/accounts?integrated_account_id=${account}&limit=100`, headers: auth },
    ],
    call: [
      gateway,
      {
        url: `${gatewayUrl}${mcpPath}`,
        method: 'POST',
        headers: mcpHeaders,
        body: rpc('tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 100 } }),
      },
    ],
  };
  // The same MCP call and proxy list at one connection: the latency one client sees (issue 18:
  // the MCP call adds at most 5 ms p50 over the proxy's same list).
  targets.call1 = [targets.call[0], { ...targets.call[1], connections: 1 }];
  targets.proxy1 = [targets.proxy[0], { ...targets.proxy[1], connections: 1 }];
  // The same call asking for progress: answered as an SSE stream (one progress notification, then the result).
  targets.callp = [
    gateway,
    {
      ...targets.call[1],
      body: rpc('tools/call', {
        name: 'list_all_planhat_companies',
        arguments: { limit: 100 },
        _meta: { progressToken: 1 },
      }),
    },
  ];
  const pairs = [
    ['proxy', 'proxy list', 'bare'],
    ['unified', 'unified list', 'bare'],
    ['call', 'mcp tools/call list', 'proxy'],
    ['call1', 'mcp tools/call list, 1 connection', 'proxy1'],
    ['callp', 'mcp tools/call list with progressToken (SSE answer)', 'call'],
  ].filter(([name]) => runs(name));
  // Warm-up: both tenants (lazy seeding), connections, and each measured path until its code is
  // optimised (JIT), so that the first round measures the steady state too.
  for (const name of new Set(['bare', 'proxy', ...pairs.flatMap(([n, , base]) => [base, n])]))
    await load({ ...targets[name][1], duration: WARMUP_S });
  const rounds = pairs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < pairs.length; k++) {
      const [name, , base] = pairs[k];
      const baseline = await measured(...withDuration(targets[base], ROUND_DURATION));
      const result = await measured(...withDuration(targets[name], ROUND_DURATION));
      rounds[k].push({ result, baseline, ratio: ratio(result, baseline) });
    }
  }
  pairs.forEach(([, scenario], k) => {
    const {
      result,
      baseline,
      ratio: rat,
    } = [...rounds[k]].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds[k].length / 2)];
    report({
      scenario,
      ...result,
      baseline_rps: baseline.rps,
      ratio: rat,
      added_p50_ms: +(result.p50_ms - baseline.p50_ms).toFixed(2),
      baseline_cpu_ms_per_req: baseline.cpu_ms_per_req,
      ratios: rounds[k].map((x) => x.ratio),
    });
  });

  // 4. MCP tools/list on an unfiltered server
  if (runs('list')) {
    const list = await measured(gateway, {
      url: `${gatewayUrl}${mcpPath}`,
      method: 'POST',
      headers: mcpHeaders,
      body: rpc('tools/list', {}),
      connections: 4,
    });
    report({ scenario: 'mcp tools/list', ...list, baseline_rps: null, ratio: null });
    // One client's view: the latency of listing every tool (issue 18 target: p50 <= 10 ms).
    const one = await measured(gateway, {
      url: `${gatewayUrl}${mcpPath}`,
      method: 'POST',
      headers: mcpHeaders,
      body: rpc('tools/list', {}),
      connections: 1,
    });
    report({ scenario: 'mcp tools/list, 1 connection', ...one, baseline_rps: null, ratio: null });
  }

  // 4b. OAuth: the same MCP call on a require_api_token_auth server with an OAuth access token (an
  // indexed database lookup per request, bound to the server) against a static API token (cached 5 s).
  if (runs('oauth')) {
    const prot = await json('POST', `${gatewayUrl}/integrated-account/${account}/mcp`, {
      name: 'bench (oauth)',
      config: { require_api_token_auth: true },
    });
    const protPath = new URL(prot.url).pathname;
    const apiToken = (await json('POST', `${gatewayUrl}/api-token`, { name: 'bench oauth', scope: 'mcp' })).token;
    const accessToken = await oauthAccessToken(gatewayUrl, protPath, apiToken);
    const callWith = (bearer) => [
      gateway,
      {
        url: `${gatewayUrl}${protPath}`,
        method: 'POST',
        headers: { ...mcpHeaders, authorization: `Bearer ${bearer}` },
        body: rpc('tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 100 } }),
      },
    ];
    for (const bearer of [apiToken, accessToken]) await load({ ...callWith(bearer)[1], duration: WARMUP_S });
    const oauthRounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const baseline = await measured(...withDuration(callWith(apiToken), ROUND_DURATION));
      const result = await measured(...withDuration(callWith(accessToken), ROUND_DURATION));
      oauthRounds.push({ result, baseline, ratio: ratio(result, baseline) });
    }
    const {
      result,
      baseline,
      ratio: rat,
    } = [...oauthRounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(oauthRounds.length / 2)];
    report({
      scenario: 'mcp tools/call list, OAuth bearer vs API token',
      ...result,
      baseline_rps: baseline.rps,
      ratio: rat,
      added_p50_ms: +(result.p50_ms - baseline.p50_ms).toFixed(2),
      baseline_cpu_ms_per_req: baseline.cpu_ms_per_req,
      ratios: oauthRounds.map((x) => x.ratio),
    });
  }

  // 5. memory (issue 23: the gateway's peak RSS ≤ 1.6× the bare proxy's under the same load, and flat:
  // ≤ +5% between the first half and the whole of MEMORY_REQUESTS). A fresh bare proxy and a fresh
  // gateway (own DATA_DIR and port, same env and flags as the gateway above) each serve the same
  // MEMORY_REQUESTS proxy lists of MEMORY_LIMIT records at CONNECTIONS connections, one after the
  // other, their RSS sampled every 50 ms. BENCH_MEMORY_CANDIDATES adds fresh gateways with other
  // node flags or environment (A/B in one session).
  if (runs('memory')) {
    const sameLoad = async (child, url, headers) => {
      // One request first: the sandbox seeds a new tenant's companies on first use (seconds).
      await (await request(url, { headers })).body.dump();
      return memoryRun(child, { url, headers }, MEMORY_REQUESTS);
    };
    const barePort2 = await freePort();
    const bare2 = start('bare proxy (memory)', 'scripts/bench/bare-proxy.js', {
      PORT: String(barePort2),
      SANDBOX_URL: sandboxUrl,
    });
    await waitFor(`http://127.0.0.1:${barePort2}/companies?limit=1`);
    const bareRun = await sameLoad(bare2, `http://127.0.0.1:${barePort2}/companies?limit=${MEMORY_LIMIT}`, {});
    await stop(bare2);
    const candidates = [
      { label: 'default', flags: GATEWAY_FLAGS, env: {} },
      ...MEMORY_CANDIDATES.map((c) => ({
        label: c,
        flags: [...GATEWAY_FLAGS, ...c.split(' ').filter((t) => t.startsWith('-'))],
        env: Object.fromEntries(
          c
            .split(' ')
            .filter((t) => t && !t.startsWith('-'))
            .map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]),
        ),
      })),
    ];
    for (const { label, flags, env } of candidates) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-bench-'));
      const child = start(
        'gateway (memory)',
        'dist/main.js',
        { ...gatewayEnv, PORT: String(port), DATA_DIR: dir, ...env },
        flags,
      );
      await waitFor(`${url}/health`);
      const id = (await json('GET', `${url}/integrated-account`)).result.find((a) => a.name === 'sandbox').id;
      const run = await sameLoad(
        child,
        `${url}/proxy/companies?integrated_account_id=${id}&limit=${MEMORY_LIMIT}`,
        auth,
      );
      await stop(child);
      fs.rmSync(dir, { recursive: true, force: true });
      const ratioPeak = +(run.peak_rss_mb / bareRun.peak_rss_mb).toFixed(3);
      report({
        scenario: `memory, proxy list of ${MEMORY_LIMIT} vs bare proxy${label === 'default' ? '' : ` [${label}]`}`,
        rps: run.rps,
        p50_ms: run.p50_ms,
        p99_ms: run.p99_ms,
        baseline_rps: bareRun.rps,
        // Lower is better here: the gateway's peak RSS over the bare proxy's, under the same load.
        ratio: ratioPeak,
        requests: MEMORY_REQUESTS,
        cpu_ms_per_req: run.cpu_ms_per_req,
        baseline_cpu_ms_per_req: bareRun.cpu_ms_per_req,
        rss_idle_mb: run.rss_idle_mb,
        peak_rss_half_mb: run.peak_rss_half_mb,
        peak_rss_mb: run.peak_rss_mb,
        growth_pct: run.growth_pct,
        hwm_mb: run.hwm_mb,
        baseline_rss_idle_mb: bareRun.rss_idle_mb,
        baseline_peak_rss_half_mb: bareRun.peak_rss_half_mb,
        baseline_peak_rss_mb: bareRun.peak_rss_mb,
        baseline_growth_pct: bareRun.growth_pct,
        pass_ratio: ratioPeak <= 1.6,
        pass_flat: run.growth_pct <= 5,
      });
    }
  }

  // 5b. memory under the mixed load (pages of 20: proxy, unified, MCP call and tools/list) on the
  // gateway that served the scenarios above (its RSS carries their history); no baseline.
  if (runs('mixed')) {
    const mixed = [
      { method: 'GET', path: `/proxy/companies?integrated_account_id=${account}&limit=20`, headers: auth },
      { method: 'GET', path: `/proxy/endusers?integrated_account_id=${account}&limit=20`, headers: auth },
      { method: 'GET', path: `/unified/crm/contacts?integrated_account_id=${account}&limit=20`, headers: auth },
      {
        method: 'POST',
        path: mcpPath,
        headers: mcpHeaders,
        body: rpc('tools/call', { name: 'list_all_planhat_licenses', arguments: { limit: 20 } }),
      },
      { method: 'POST', path: mcpPath, headers: mcpHeaders, body: rpc('tools/list', {}) },
    ];
    // Each path once first: the sandbox builds a tenant's end users and licenses on first use
    // (~10 s for 100k companies), which stalled the first requests of each connection past
    // autocannon's timeout and is not the gateway's to measure.
    for (const r of mixed) {
      const res = await request(`${gatewayUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
      await res.body.dump();
    }
    const run = await memoryRun(gateway, { url: gatewayUrl, requests: mixed }, MEMORY_REQUESTS);
    report({
      scenario: 'memory, mixed load (gateway only)',
      rps: run.rps,
      p50_ms: run.p50_ms,
      p99_ms: run.p99_ms,
      baseline_rps: null,
      ratio: null,
      requests: MEMORY_REQUESTS,
      cpu_ms_per_req: run.cpu_ms_per_req,
      rss_idle_mb: run.rss_idle_mb,
      peak_rss_half_mb: run.peak_rss_half_mb,
      peak_rss_mb: run.peak_rss_mb,
      growth_pct: run.growth_pct,
      rss_end_mb: run.rss_end_mb,
    });
  }

  // 6. paging 100k companies through the unified API: records/s, and peak RSS beside the RSS
  // before the walk (constant memory: the peak is one page's worth above it, whatever the total)
  if (runs('paging')) {
    const rssBefore = rssMb(gateway.pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(gateway.pid))), 50);
    const t0 = performance.now();
    let cursor = null;
    let records = 0;
    const latencies = [];
    do {
      const q = `integrated_account_id=${account}&limit=5000&include_remote_data=false${cursor ? `&next_cursor=${encodeURIComponent(cursor)}` : ''}`;
      const t = performance.now();
      const page = await json('GET', `${gatewayUrl}/unified/crm/accounts?${q}`);
      latencies.push(performance.now() - t);
      records += page.result.length;
      cursor = page.next_cursor;
    } while (cursor);
    const secs = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    latencies.sort((a, b) => a - b);
    const pct = (q) => +latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
    report({
      scenario: 'paging 100k',
      rps: +(latencies.length / secs).toFixed(1),
      p50_ms: pct(0.5),
      p99_ms: pct(0.99),
      baseline_rps: null,
      ratio: null,
      records,
      pages: latencies.length,
      seconds: +secs.toFixed(2),
      records_per_s: Math.round(records / secs),
      rss_before_mb: +rssBefore.toFixed(1),
      peak_rss_mb: +peak.toFixed(1),
    });
  }

  // 7. cold start: process start to healthy, gateway vs a bare Nest + Fastify app (median of 3)
  if (runs('cold')) {
    await stop(gateway);
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const coldRuns = async (script, env, url, flags = []) => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const child = start('cold', script, env, flags);
        await waitFor(url);
        times.push(performance.now() - t);
        await stop(child);
      }
      return median(times);
    };
    const coldGateway = await coldRuns(
      'dist/main.js',
      { ...gatewayEnv, PORT: String(coldPort) },
      `http://127.0.0.1:${coldPort}/health`,
      GATEWAY_FLAGS,
    );
    const coldBare = await coldRuns(
      'scripts/bench/bare-nest.js',
      { PORT: String(coldPort) },
      `http://127.0.0.1:${coldPort}/health`,
    );
    report({
      scenario: 'cold start',
      rps: null,
      p50_ms: Math.round(coldGateway),
      p99_ms: null,
      baseline_rps: null,
      ratio: +(coldGateway / coldBare).toFixed(3),
      start_ms: Math.round(coldGateway),
      baseline_ms: Math.round(coldBare),
    });
  }

  console.log('\n| scenario | rps | p50 ms | p99 ms | baseline rps | ratio | other |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const { scenario, rps, p50_ms, p99_ms, baseline_rps, ratio, ...rest } = r;
    const fmt = (v) => (v === undefined || v === null ? '' : v);
    console.log(
      `| ${scenario} | ${fmt(rps)} | ${fmt(p50_ms)} | ${fmt(p99_ms)} | ${fmt(baseline_rps)} | ${fmt(ratio)} | ${Object.entries(
        rest,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} |`,
    );
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
  });
