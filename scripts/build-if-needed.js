#!/usr/bin/env node
// Builds dist/ (scripts/build.js: tsc, then the bundle) when it is missing or older than any file
// under src/, package.json or the build script (so `npm start` works on a fresh clone).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    const m = ent.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
const sources = Math.max(
  newestMtime(path.join(root, 'src')),
  ...['package.json', 'scripts/build.js', 'scripts/bundle-loader.js'].map(
    (f) => fs.statSync(path.join(root, f)).mtimeMs,
  ),
);
if (built < sources) {
  process.stderr.write('Building the gateway (tsc + bundle)…\n');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'inherit' });
}
