#!/usr/bin/env node
/**
 * `npm run soak`: mixed REST and MCP load against the built gateway in front of the standalone
 * sandbox (rate limit off), in separate processes. Reports errors by status and the RSS of both
 * processes over time (a line every SOAK_INTERVAL_SECONDS), then one JSON summary line.
 *
 * Env: SOAK_SECONDS (600), SOAK_CONCURRENCY (64), SOAK_INTERVAL_SECONDS (30),
 *      SOAK_SEED_COMPANIES (200). Exit code 1 when any 5xx or transport error was seen.
 * Not part of `npm test`.
 */
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto'); // eslint-disable-line no-redeclare -- the module, not the web global
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, rssMb } = require('./lib/processes');
const { Pool } = require('undici');

const ROOT = path.resolve(__dirname, '..');
const SECONDS = intEnv('SOAK_SECONDS', 600);
const CONCURRENCY = intEnv('SOAK_CONCURRENCY', 64);
const INTERVAL = intEnv('SOAK_INTERVAL_SECONDS', 30);
const SEED = intEnv('SOAK_SEED_COMPANIES', 200);

function intEnv(name, def) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`${name} must be a positive integer, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

const children = [];
function start(script, env, ready) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(ROOT, script)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(proc);
    let out = '';
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        proc.stdout.off('data', onData);
        resolve({ proc, url: m[1], output: () => out });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => (out += d.toString()));
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${out}`)));
  });
}

function stopAll() {
  for (const p of children) if (p.exitCode === null) p.kill('SIGTERM');
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
process.on('exit', stopAll);

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-soak-'));
  const adminKey = `phg_soak_${crypto.randomBytes(16).toString('hex')}`;
  const sandbox = await start(
    'dist/sandbox/standalone.js',
    { PORT: String(await freePort()), SANDBOX_RATE_LIMIT_PER_MIN: '0', SANDBOX_SEED_COMPANIES: String(SEED) },
    /listening on (http:\/\/\S+)/,
  );
  const gateway = await start(
    'dist/main.js',
    {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ADMIN_API_KEY: adminKey,
      SANDBOX_BASE_URL: sandbox.url,
      THROTTLE_PER_MIN: '0',
      LOG_LEVEL: 'warn',
    },
    /Planhat gateway listening on (http:\/\/\S+)/,
  );
  const pool = new Pool(gateway.url, { connections: CONCURRENCY, pipelining: 1 });
  const auth = { authorization: `Bearer ${adminKey}` };

  async function http(method, p, body, headers = {}) {
    const res = await pool.request({
      method,
      path: p,
      headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const text = await res.body.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json };
  }

  // ------------------------------------------------------------------ setup
  const accounts = await http('GET', '/integrated-account');
  const account = accounts.json.result.find((a) => a.environment === 'sandbox');
  const acct = `integrated_account_id=${account.id}`;
  const mk = async (config) =>
    (await http('POST', `/integrated-account/${account.id}/mcp`, { name: `soak ${JSON.stringify(config)}`, config }))
      .json.token;
  const mcpAll = `/mcp/${await mk({})}`;
  const mcpDiscovery = `/mcp/${await mk({ tool_exposure: 'discovery' })}`;
  const mcpModel = `/mcp/${await mk({ tool_exposure: 'model_actions', methods: ['read'] })}`;
  const companies = (await http('GET', `/proxy/companies?${acct}&limit=200`)).json.result.map((c) => c._id);
  const endusers = (await http('GET', `/proxy/endusers?${acct}&limit=200`)).json.result.map((c) => c._id);
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  let rpcId = 0;
  const mcpHeaders = { accept: 'application/json, text/event-stream' };
  const tool = (url, name, args) =>
    http(
      'POST',
      url,
      { jsonrpc: '2.0', id: ++rpcId, method: 'tools/call', params: { name, arguments: args } },
      mcpHeaders,
    );

  /** The mix: [weight, name, fn]. MCP results with isError count as MCP errors. */
  const OPS = [
    [14, 'rest list companies', () => http('GET', `/proxy/companies?${acct}&limit=20`)],
    [10, 'rest get company', () => http('GET', `/proxy/companies/${pick(companies)}?${acct}`)],
    [
      6,
      'rest list endusers (company filter)',
      () => http('GET', `/proxy/endusers?${acct}&companyId=${pick(companies)}&limit=10`),
    ],
    [
      4,
      'rest write task (create+delete)',
      async () => {
        const r = await http('POST', `/proxy/tasks?${acct}`, {
          action: 'soak task',
          mainType: 'task',
          companyId: pick(companies),
        });
        if (r.status !== 201) return r;
        return http('DELETE', `/proxy/tasks/${r.json._id}?${acct}`);
      },
    ],
    [
      4,
      'rest update company',
      () => http('PATCH', `/proxy/companies/${pick(companies)}?${acct}`, { description: `soak ${Date.now()}` }),
    ],
    [10, 'unified list accounts', () => http('GET', `/unified/crm/accounts?${acct}&limit=20`)],
    [6, 'unified get contact', () => http('GET', `/unified/crm/contacts/${pick(endusers)}?${acct}`)],
    [4, 'unified list tickets', () => http('GET', `/unified/ticketing/tickets?${acct}&limit=10`)],
    [12, 'mcp list companies', () => tool(mcpAll, 'list_all_planhat_companies', { limit: 10 })],
    [8, 'mcp get company', () => tool(mcpAll, 'get_single_planhat_company_by_id', { id: pick(companies) })],
    [6, 'mcp unified list accounts', () => tool(mcpAll, 'list_all_crm_accounts', { limit: 10 })],
    [
      3,
      'mcp tools/list',
      () => http('POST', mcpAll, { jsonrpc: '2.0', id: ++rpcId, method: 'tools/list' }, mcpHeaders),
    ],
    [4, 'mcp search_tools', () => tool(mcpDiscovery, 'search_tools', { query: 'invoices', limit: 5 })],
    [
      3,
      'mcp call_tool',
      () => tool(mcpDiscovery, 'call_tool', { name: 'list_all_planhat_endusers', arguments: { limit: 5 } }),
    ],
    [
      3,
      'mcp perform_model_action',
      () =>
        tool(mcpModel, 'perform_model_action', {
          MODEL_ROUTE: 'Companies',
          OPERATION: 'list',
          PARAMETERS: '{"limit": 5}',
        }),
    ],
    [
      3,
      'mcp initialize',
      () =>
        http(
          'POST',
          mcpAll,
          {
            jsonrpc: '2.0',
            id: ++rpcId,
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'soak', version: '1' } },
          },
          mcpHeaders,
        ),
    ],
  ];
  const totalWeight = OPS.reduce((s, o) => s + o[0], 0);
  const choose = () => {
    let r = Math.random() * totalWeight;
    for (const op of OPS) if ((r -= op[0]) < 0) return op;
    return OPS[0];
  };

  // ------------------------------------------------------------------ load
  const byStatus = {};
  const byOp = {};
  const latencies = [];
  let intervalLatencies = [];
  let requests = 0;
  let mcpToolErrors = 0;
  const samples = [];
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const bump = (k) => (byStatus[k] = (byStatus[k] ?? 0) + 1);

  const sample = (final) => {
    const elapsed = (Date.now() - started) / 1000;
    const sorted = intervalLatencies.sort((a, b) => a - b);
    const s = {
      t_s: Math.round(elapsed),
      requests,
      rps_interval: Math.round(sorted.length / (final ? Math.max(1, elapsed - (samples.at(-1)?.t_s ?? 0)) : INTERVAL)),
      p50_ms: percentile(sorted, 50),
      p99_ms: percentile(sorted, 99),
      errors: Object.fromEntries(Object.entries(byStatus).filter(([k]) => !/^2/.test(k))),
      mcp_tool_errors: mcpToolErrors,
      gateway_rss_mb: rssMb(gateway.proc.pid),
      sandbox_rss_mb: rssMb(sandbox.proc.pid),
    };
    intervalLatencies = [];
    samples.push(s);
    process.stdout.write(
      `[soak ${final ? 'final' : `${String(s.t_s).padStart(4)} s`}] requests=${s.requests} rps=${s.rps_interval} p50=${s.p50_ms}ms p99=${s.p99_ms}ms errors=${JSON.stringify(s.errors)} mcp_tool_errors=${s.mcp_tool_errors} gateway_rss=${s.gateway_rss_mb}MB sandbox_rss=${s.sandbox_rss_mb}MB\n`,
    );
  };

  process.stdout.write(
    `soak: ${SECONDS} s, ${CONCURRENCY} concurrent, gateway ${gateway.url} (pid ${gateway.proc.pid}), sandbox ${sandbox.url} (pid ${sandbox.proc.pid})\n`,
  );
  const startRss = { gateway_mb: rssMb(gateway.proc.pid), sandbox_mb: rssMb(sandbox.proc.pid) };
  const timer = setInterval(() => sample(false), INTERVAL * 1000);

  async function worker() {
    while (Date.now() < deadline) {
      const [, name, fn] = choose();
      const t0 = performance.now();
      let key;
      try {
        const r = await fn();
        key = String(r.status);
        if (r.json?.result?.isError) {
          mcpToolErrors++;
          key = `${key} mcp isError`;
        }
      } catch (err) {
        key = `transport ${err.code ?? err.name}`;
      }
      const ms = Math.round(performance.now() - t0);
      latencies.push(ms);
      intervalLatencies.push(ms);
      requests++;
      bump(key);
      const o = (byOp[name] ??= { n: 0, errors: 0 });
      o.n++;
      if (!/^2\d\d$/.test(key)) o.errors++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  clearInterval(timer);
  sample(true);

  const sorted = latencies.sort((a, b) => a - b);
  const gatewayRss = samples.map((s) => s.gateway_rss_mb).filter((x) => x !== null);
  const fiveXx = Object.entries(byStatus)
    .filter(([k]) => /^5/.test(k) || /^transport/.test(k))
    .reduce((s, [, n]) => s + n, 0);
  const summary = {
    soak: true,
    duration_s: Math.round((Date.now() - started) / 1000),
    concurrency: CONCURRENCY,
    requests,
    rps: Math.round(requests / ((Date.now() - started) / 1000)),
    by_status: byStatus,
    errors_5xx_or_transport: fiveXx,
    mcp_tool_errors: mcpToolErrors,
    latency_ms: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    },
    rss_mb: {
      gateway: {
        start: startRss.gateway_mb,
        max: Math.max(...gatewayRss),
        end: gatewayRss.at(-1),
        samples: gatewayRss,
      },
      sandbox: { start: startRss.sandbox_mb, end: samples.at(-1)?.sandbox_rss_mb },
    },
    by_op: byOp,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await pool.close();
  stopAll();
  process.exitCode = fiveXx > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err.stack ?? err}\n`);
  stopAll();
  process.exit(1);
});
