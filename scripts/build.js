#!/usr/bin/env node
// `npm run build`: tsc compiles src/ into dist/, then esbuild bundles the compiled entry (tsc's
// dist/main.js) with the packages it requires into one file, dist/gateway.js, and dist/main.js
// becomes a small loader (scripts/bundle-loader.js) that runs it through a V8 code cache, which a
// short warm-up start writes at the end of the build.
//
// Why: ~2,400 CommonJS modules are resolved, read and compiled one by one at start; as one file
// with its compiled code cached the gateway becomes healthy much sooner (issue #6, cold start).
// The bundle is made from tsc's output, not from src/, because esbuild does not emit the decorator
// metadata Nest injects by. The other files in dist/ stay as tsc wrote them (the standalone
// sandbox, scripts/write-openapi.js).
//
// Left outside the bundle (required from node_modules at run time):
//  - packages that are not installed: optional peers Nest and TypeORM require in a try or only
//    when configured (@nestjs/microservices, @fastify/view, mysql, ...);
//  - sqlite3 (native addon), swagger-ui-dist (serves its own files for /docs), ioredis (reads its
//    package.json; loaded only with REDIS_URL) and pg (loaded only for DATABASE_URL=postgres...).
//    Nothing bundled shares state with them, so no package exists twice in the process.
//
// BUILD_BUNDLE=0 skips the bundle (dist/main.js is then tsc's entry, as before). If bundling fails
// the build fails, and dist/main.js is still tsc's entry, which works (slower to start).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const os = require('node:os');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const entry = path.join(dist, 'main.js');
const gateway = path.join(dist, 'gateway.js');

const EXTERNAL = ['sqlite3', 'swagger-ui-dist', 'ioredis', 'pg', 'pg-native'];

function tsc() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** Bare imports that do not resolve from the importing file are optional peers: keep them as require(). */
function externalIfMissing(missing) {
  return {
    name: 'external-if-missing',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'probe' || args.path.startsWith('node:')) return undefined;
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'probe',
        });
        if (found.errors.length === 0) return undefined;
        missing.add(args.path);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * esbuild escapes non-ASCII characters in strings, templates and identifiers but leaves them in
 * regular expression literals and comments (validator's locale tables, libphonenumber's docs).
 * One such character makes Node decode the whole file as UTF-8 and V8 keep it as a two-byte
 * string (~80 ms at start); ASCII-only, the loader reads it as latin1. In a regular expression `\uXXXX` means the same character (a surrogate
 * pair too, with or without the u flag); in a comment it changes nothing. The source map only
 * shifts columns after such a character on its line.
 */
function asciiOnly(file) {
  const code = fs.readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex -- matching everything outside ASCII is the point
  const escaped = code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped !== code) fs.writeFileSync(file, escaped);
}

async function bundle() {
  const esbuild = require('esbuild');
  const missing = new Set();
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: gateway,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: EXTERNAL,
    plugins: [externalIfMissing(missing)],
    // Maps from the bundle back to src/*.ts (through tsc's maps) for `node --enable-source-maps`.
    sourcemap: 'linked',
    logLevel: 'warning',
    // Whitespace and comments only (~30% less to read and decode at every start). Identifiers and
    // syntax stay: Nest and TypeORM go by class names (tokens, entity names), and stack traces keep
    // function names; the source map gives file:line.
    minifyWhitespace: true,
    legalComments: 'none',
    metafile: true,
  });
  asciiOnly(gateway);
  // The loader replaces tsc's entry (its map no longer matches anything).
  fs.copyFileSync(path.join(__dirname, 'bundle-loader.js'), entry);
  fs.rmSync(`${entry}.map`, { force: true });
  const inputs = Object.keys(result.metafile.inputs).length;
  const size = (fs.statSync(gateway).size / 1e6).toFixed(1);
  process.stderr.write(
    `Bundled dist/gateway.js: ${inputs} modules, ${size} MB; left to node_modules: ${[...EXTERNAL, ...missing].sort().join(', ')}\n`,
  );
}

/**
 * Starts the built gateway once, as `node dist/main.js` with no node options, so the loader writes
 * the code cache the next starts use. It runs isolated: a temporary DATA_DIR and working directory
 * (no .env), SQLite, the sandbox, port 0 on 127.0.0.1, and nothing from this environment but PATH
 * (never the DATABASE_URL or REDIS_URL of the machine that builds). Best effort: without a cache
 * the first real start writes one.
 */
async function warmCodeCache() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-build-warmup-'));
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    DATA_DIR: path.join(tmp, 'data'),
    ADMIN_API_KEY: `warmup-${Date.now()}-admin-key`,
    SANDBOX: 'true',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
  const child = spawn(process.execPath, [entry], { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  let ok = false;
  while (Date.now() < deadline && child.exitCode === null) {
    if (fs.readdirSync(dist).some((f) => f.startsWith('gateway.') && f.endsWith('.cache'))) {
      ok = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  fs.rmSync(tmp, { recursive: true, force: true });
  if (!ok)
    process.stderr.write(
      `Warning: no code cache written by the warm-up start (the first start will write it).\n${stderr}\n`,
    );
}

async function main() {
  fs.rmSync(dist, { recursive: true, force: true });
  tsc();
  if (process.env.BUILD_BUNDLE === '0') return;
  await bundle();
  await warmCodeCache();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
