'use strict';
// A jest reporter: when suites that need PostgreSQL and Redis (they read TEST_POSTGRES_URL) were
// skipped because those services are not configured, `npm test` says so in one line, with how to
// run them, instead of passing over them silently.
const fs = require('node:fs');
const path = require('node:path');

const HOW = 'npm run test:scale-out';

/**
 * The line to print for one run, or undefined. `results` is jest's aggregated result;
 * `readSource(file)` returns a suite's source (the suites that need the services mention TEST_POSTGRES_URL).
 */
function skippedServicesLine(results, env = process.env, readSource = (f) => fs.readFileSync(f, 'utf8')) {
  if (env.TEST_POSTGRES_URL && env.TEST_REDIS_URL) return undefined;
  const skipped = [];
  for (const suite of results.testResults ?? []) {
    if (!(suite.numPendingTests > 0)) continue;
    let source = '';
    try {
      source = readSource(suite.testFilePath);
    } catch {
      continue;
    }
    if (source.includes('TEST_POSTGRES_URL'))
      skipped.push({ file: path.basename(suite.testFilePath), n: suite.numPendingTests });
  }
  if (skipped.length === 0) return undefined;
  const list = skipped.map((s) => `${s.file} (${s.n})`).join(', ');
  return `Skipped the PostgreSQL/Redis tests (TEST_POSTGRES_URL/TEST_REDIS_URL not set): ${list}. Run them with \`${HOW}\` (as root: starts PostgreSQL and Redis from Debian packages).`;
}

class SkippedServicesReporter {
  onRunComplete(_contexts, results) {
    const line = skippedServicesLine(results);
    if (line) process.stderr.write(`\n${line}\n`);
  }
}

module.exports = SkippedServicesReporter;
module.exports.skippedServicesLine = skippedServicesLine;
