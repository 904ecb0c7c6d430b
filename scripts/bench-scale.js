#!/usr/bin/env node
// `npm run bench:scale`: cost as tenants grow (issue 25). Creates N sandbox integrated accounts with
// M MCP servers each (P distinct policies per account, the same P policies for every account), then
// touches every server once with tools/list (twice: a second pass), and reports: the create rate,
// tools/list p50 on the first server (before touching) and on the last (after), a tools/call p50,
// the gateway's RSS after creating / after the first pass / after the second, and the duration of
// the expired-server sweep (the gateway's DELETE, timed on its database, with the plan it uses).
// Memory is read after a full GC (through the gateway's inspector, on loopback): what it keeps.
//
//   npm run bench:scale                                  # 1,000 × 5 on SQLite (~2 min here)
//   npm run bench:scale -- --accounts 10000 --servers 10 # with DATABASE_URL=postgres://… (an empty database)
//
// Flags (or env): --accounts (SCALE_ACCOUNTS, 1000), --servers (SCALE_SERVERS, 5), --policies
// (SCALE_POLICIES, 2), --concurrency (SCALE_CONCURRENCY, 8), --samples (SCALE_SAMPLES, 100),
// --sweep-servers (SCALE_SWEEP_SERVERS: time the sweep over at least this many servers, e.g. 100000).
// The gateway runs with its default cache bounds unless CACHE_* are set in the environment.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const undici = require('undici');
const { request, Agent } = undici;

const { freePort, processGroup, rssMb, waitFor } = require('./lib/processes');

const root = path.resolve(__dirname, '..');
const arg = (name, env, def) => {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i > 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} / ${env} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
};
const ACCOUNTS = arg('accounts', 'SCALE_ACCOUNTS', 1000);
const SERVERS = arg('servers', 'SCALE_SERVERS', 5);
const POLICIES = arg('policies', 'SCALE_POLICIES', 2);
const CONCURRENCY = arg('concurrency', 'SCALE_CONCURRENCY', 8);
const SAMPLES = arg('samples', 'SCALE_SAMPLES', 100);
// The sweep is timed over at least this many servers: when fewer were created, rows are added
// straight into the table first (spread over the accounts created), so the sweep's cost at 100,000
// servers can be measured without creating them all through the API.
const SWEEP_SERVERS = arg('sweep-servers', 'SCALE_SWEEP_SERVERS', 1);
const DATABASE_URL = process.env.DATABASE_URL;
const ADMIN_KEY = 'bench-admin-key-0123456789';
// The same P policies for every account: identical policies share one cached tool list.
const POLICY_SET = [
  {},
  { methods: ['read'] },
  { tags: ['crm', 'success'] },
  { methods: ['create', 'update'] },
  { tool_exposure: 'discovery' },
];
const { start, stop, stopAll } = processGroup(root);
const dispatcher = new Agent({ connections: CONCURRENCY * 2, keepAliveTimeout: 30_000 });

async function json(method, url, body) {
  const res = await request(url, {
    method,
    dispatcher,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${method} ${url} → ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

let rpcId = 0;
async function rpc(url, method, params = {}) {
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} → ${res.statusCode} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (body.error || body.result?.isError) throw new Error(`${method} → ${text.slice(0, 300)}`);
  return body.result;
}

/** Runs fn over items with `limit` in flight. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/**
 * The gateway's memory after a full garbage collection, so that what is measured is what it keeps
 * (caches, pools), not garbage a later GC would free: the bench starts the gateway with --inspect on
 * loopback and asks its inspector to collect, then reads the V8 heap in use and the process RSS.
 */
async function retained(inspectPort, pid) {
  const list = await (await request(`http://127.0.0.1:${inspectPort}/json/list`)).body.json();
  const ws = new undici.WebSocket(list[0].webSocketDebuggerUrl);
  let id = 0;
  const pending = new Map();
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(String(ev.data));
    pending.get(msg.id)?.(msg.result);
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  const send = (method) =>
    new Promise((resolve) => pending.set(++id, resolve) && ws.send(JSON.stringify({ id, method })));
  await send('HeapProfiler.enable');
  await send('HeapProfiler.collectGarbage');
  await send('HeapProfiler.collectGarbage');
  const usage = await send('Runtime.getHeapUsage');
  ws.close();
  await new Promise((r) => setTimeout(r, 200));
  return { heap: +(usage.usedSize / 1048576).toFixed(1), rss: rssMb(pid) };
}

const p50 = (xs) => +[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(2);

/** p50 of `n` sequential calls of fn (after `warm` warm-up calls). */
async function latency(n, fn, warm = 1) {
  for (let i = 0; i < warm; i++) await fn();
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return p50(times);
}

/** A database handle for the bench's own statements (SQLite file or PostgreSQL): run(sql, params) → affected rows, all(sql, params) → rows. */
async function openDb(database, dataDir) {
  if (database) {
    const { Client } = require('pg');
    const c = new Client({ connectionString: database });
    await c.connect();
    const pg = (sql) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    return {
      run: async (sql, params = []) => (await c.query(pg(sql), params)).rowCount,
      all: async (sql, params = []) => (await c.query(pg(sql), params)).rows,
      explain: async (sql, params) =>
        (await c.query(`EXPLAIN ${pg(sql)}`, params)).rows.map((r) => r['QUERY PLAN']).join(' / '),
      close: () => c.end(),
    };
  }
  const sqlite3 = require('sqlite3');
  const db = new sqlite3.Database(path.join(dataDir, 'gateway.sqlite'));
  const run = (sql, params = []) =>
    new Promise((res, rej) =>
      db.run(sql, params, function (err) {
        if (err) rej(err);
        else res(this.changes);
      }),
    );
  const all = (sql, params = []) =>
    new Promise((res, rej) => db.all(sql, params, (err, rows) => (err ? rej(err) : res(rows))));
  return {
    run,
    all,
    explain: async (sql, params) => (await all(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join(' / '),
    close: () => new Promise((r) => db.close(r)),
  };
}

/**
 * The sweep the gateway runs (McpServersService.sweepExpired: DELETE … WHERE expires_at <= now), timed
 * on its database after it stopped: the table is padded to SWEEP_SERVERS rows if needed, then the
 * servers whose random UUID starts with 0 (~1/16) are made expired.
 */
async function sweep(database, dataDir) {
  const db = await openDb(database, dataDir);
  try {
    const have = Number((await db.all('SELECT COUNT(*) AS n FROM mcp_server'))[0].n);
    if (SWEEP_SERVERS > have) {
      const accounts = (await db.all('SELECT id FROM integrated_account')).map((r) => r.id);
      const stamp = new Date().toISOString();
      const { randomUUID, randomBytes } = require('node:crypto');
      const batch = 500;
      for (let done = have; done < SWEEP_SERVERS; done += batch) {
        const rows = Math.min(batch, SWEEP_SERVERS - done);
        const params = [];
        for (let k = 0; k < rows; k++) {
          params.push(
            randomUUID(),
            accounts[(done + k) % accounts.length],
            `padding ${done + k}`,
            '{}',
            randomBytes(32).toString('hex'),
            null,
            stamp,
            stamp,
          );
        }
        await db.run(
          `INSERT INTO mcp_server (id, integrated_account_id, name, config, token_hash, expires_at, created_at, updated_at) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          params,
        );
      }
    }
    const total = Number((await db.all('SELECT COUNT(*) AS n FROM mcp_server'))[0].n);
    const padded = Math.max(0, SWEEP_SERVERS - have);
    await db.run("UPDATE mcp_server SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id LIKE '0%'");
    if (database) await db.run('ANALYZE mcp_server');
    else await db.run('ANALYZE');
    const now = new Date().toISOString();
    const sql = 'DELETE FROM mcp_server WHERE expires_at <= ?';
    const plan = await db.explain(sql, [now]);
    let t = performance.now();
    const swept = await db.run(sql, [now]);
    const ms = performance.now() - t;
    t = performance.now();
    await db.run(sql, [now]);
    const emptyMs = performance.now() - t;
    return {
      sweep_ms: +ms.toFixed(1),
      swept,
      sweep_over_servers: total,
      servers_padded: padded,
      empty_sweep_ms: +emptyMs.toFixed(2),
      sweep_plan: plan,
    };
  } finally {
    await db.close();
  }
}

async function main() {
  const [sandboxPort, gatewayPort, inspectPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-scale-'));
  console.log(
    `bench:scale: ${ACCOUNTS} accounts × ${SERVERS} MCP servers (${POLICIES} policies per account), ${CONCURRENCY} in flight, ${DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`,
  );
  const sandbox = start('sandbox', 'dist/sandbox/standalone.js', {
    PORT: String(sandboxPort),
    SANDBOX_SEED_COMPANIES: '20',
    SANDBOX_RATE_LIMIT_PER_MIN: '0',
  });
  const gateway = start(
    'gateway',
    'dist/main.js',
    {
      NODE_ENV: 'production',
      PORT: String(gatewayPort),
      DATA_DIR: dataDir,
      ADMIN_API_KEY: ADMIN_KEY,
      SANDBOX: 'true',
      SANDBOX_BASE_URL: sandboxUrl,
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
      LOG_LEVEL: 'warn',
      ...(DATABASE_URL ? { DATABASE_URL } : {}),
    },
    [`--inspect=127.0.0.1:${inspectPort}`],
  );
  const measure = () => retained(inspectPort, gateway.pid);
  await Promise.all([waitFor(`${sandboxUrl}/__stats`), waitFor(`${gatewayUrl}/health`)]);
  const atStart = await measure();

  // 1. create the accounts and their servers
  const servers = new Array(ACCOUNTS * SERVERS);
  const createTimes = [];
  const t0 = performance.now();
  await pool([...Array(ACCOUNTS).keys()], CONCURRENCY, async (i) => {
    let t = performance.now();
    const account = await json('POST', `${gatewayUrl}/integrated-account`, {
      name: `tenant ${i}`,
      environment: 'sandbox',
    });
    createTimes.push(performance.now() - t);
    for (let j = 0; j < SERVERS; j++) {
      t = performance.now();
      const s = await json('POST', `${gatewayUrl}/integrated-account/${account.id}/mcp`, {
        name: `server ${j}`,
        config: POLICY_SET[(j % POLICIES) % POLICY_SET.length],
      });
      createTimes.push(performance.now() - t);
      servers[i * SERVERS + j] = new URL(s.url).pathname;
    }
  });
  const createS = (performance.now() - t0) / 1000;
  const created = ACCOUNTS * (SERVERS + 1);
  const created1 = await measure();
  console.log(
    `created ${ACCOUNTS} accounts and ${servers.length} servers in ${createS.toFixed(1)} s; after GC: RSS ${created1.rss} MB, heap ${created1.heap} MB`,
  );

  // 2. tools/list on the first server, before anything else was touched
  const listOn = (p) => () => rpc(`${gatewayUrl}${p}`, 'tools/list');
  // (20 warm-up calls: the process's first tools/list calls are not yet optimised by the JIT)
  const listFirst = await latency(SAMPLES, listOn(servers[0]), 20);

  // 3. touch every server once (two passes), RSS after each
  const pass = async () => {
    const t = performance.now();
    await pool(servers, CONCURRENCY, (p) => rpc(`${gatewayUrl}${p}`, 'tools/list'));
    return +((performance.now() - t) / 1000).toFixed(1);
  };
  const pass1S = await pass();
  const touched1 = await measure();
  console.log(
    `pass 1: tools/list on every server in ${pass1S} s; after GC: RSS ${touched1.rss} MB, heap ${touched1.heap} MB`,
  );
  const listLast = await latency(SAMPLES, listOn(servers[servers.length - 1]));
  const pass2S = await pass();
  const touched2 = await measure();
  console.log(`pass 2: ${pass2S} s; after GC: RSS ${touched2.rss} MB, heap ${touched2.heap} MB`);
  const listLast2 = await latency(SAMPLES, listOn(servers[servers.length - 1]));

  // 4. one tools/call (a page of companies of the last account's tenant)
  const callLast = await latency(SAMPLES, () =>
    rpc(`${gatewayUrl}${servers[servers.length - 1]}`, 'tools/call', {
      name: 'list_all_planhat_companies',
      arguments: { limit: 5 },
    }),
  );
  const sandboxRss = rssMb(sandbox.pid);

  // 5. the expiry sweep, on the gateway's database once it has stopped
  await stop(gateway);
  const swept = await sweep(DATABASE_URL, dataDir);

  const result = {
    accounts: ACCOUNTS,
    servers: servers.length,
    policies_per_account: POLICIES,
    database: DATABASE_URL ? 'postgres' : 'sqlite',
    create_per_s: +(created / createS).toFixed(1),
    create_p50_ms: p50(createTimes),
    create_s: +createS.toFixed(1),
    list_p50_first_ms: listFirst,
    list_p50_last_ms: listLast,
    list_p50_last_pass2_ms: listLast2,
    list_ratio_last_first: +(listLast / listFirst).toFixed(2),
    call_p50_ms: callLast,
    pass1_s: pass1S,
    pass2_s: pass2S,
    rss_start_mb: atStart.rss,
    rss_created_mb: created1.rss,
    rss_pass1_mb: touched1.rss,
    rss_pass2_mb: touched2.rss,
    rss_growth_touch_mb: +(touched1.rss - created1.rss).toFixed(1),
    rss_growth_pass2_mb: +(touched2.rss - touched1.rss).toFixed(1),
    heap_start_mb: atStart.heap,
    heap_created_mb: created1.heap,
    heap_pass1_mb: touched1.heap,
    heap_pass2_mb: touched2.heap,
    heap_growth_touch_mb: +(touched1.heap - created1.heap).toFixed(1),
    sandbox_rss_mb: sandboxRss,
    ...swept,
  };
  console.log(JSON.stringify(result));
  console.log('\n| figure | value |\n|---|---|');
  for (const [k, v] of Object.entries(result)) console.log(`| ${k} | ${v} |`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await dispatcher.close();
  });
