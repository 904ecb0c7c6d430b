'use strict';
// dist/main.js of a bundled build (scripts/build.js copies this file there): runs dist/gateway.js,
// the whole gateway in one file, with a V8 code cache so that the ~8 MB of JavaScript is not parsed
// and compiled again at every start (Node 20 has no module.enableCompileCache).
//
// The cache is dist/gateway.<key>.cache, made by `npm run build` (a short warm-up start) or, when
// it is missing or V8 rejects it, by the first start that reaches "listening". The key covers what
// V8 checks only partly (Node version, architecture, V8 flags, the bundle's size and mtime), so a
// cache never meets another build of the bundle. Writing is best effort (dist/ may be read-only).
//
// With --enable-source-maps (or GATEWAY_CODE_CACHE=0) the bundle is required as an ordinary module
// instead: Node maps stack traces only for modules it compiles itself.
const crypto = require('node:crypto'); // eslint-disable-line no-redeclare -- the module, not the web global
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, 'gateway.js');

function run() {
  if (process.sourceMapsEnabled || process.env.GATEWAY_CODE_CACHE === '0') {
    require(bundle);
    return;
  }
  const stat = fs.statSync(bundle);
  const key = crypto
    .createHash('sha256')
    .update(
      JSON.stringify([
        process.version,
        process.arch,
        process.execArgv,
        process.env.NODE_OPTIONS ?? '',
        stat.size,
        stat.mtimeMs,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const cacheFile = path.join(__dirname, `gateway.${key}.cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The build leaves the bundle ASCII-only, so latin1 is an exact and cheap decoding.
  const source = fs.readFileSync(bundle, 'latin1');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(__dirname);
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
  mod.loaded = true;

  if (cachedData && !script.cachedDataRejected) return;
  // After start, the cache also holds the functions compiled while booting (most of the benefit).
  Promise.resolve(mod.exports.started).then(
    () =>
      setImmediate(() => {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        try {
          fs.writeFileSync(tmp, script.createCachedData());
          fs.renameSync(tmp, cacheFile);
        } catch {
          fs.rmSync(tmp, { force: true });
        }
      }),
    () => undefined,
  );
}

run();
