#!/usr/bin/env node
// `npm run openapi`: writes openapi.json at the repo root from the built app (dist/), so the
// committed document is reviewed like code. test/admin-openapi.e2e-spec.ts fails when it drifts.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function main() {
  const root = path.resolve(__dirname, '..');
  const { createApp } = require(path.join(root, 'dist', 'app.factory.js'));
  const { openApiJson } = require(path.join(root, 'dist', 'admin', 'swagger.js'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phg-openapi-'));
  const { app } = await createApp(
    { DATA_DIR: dataDir, ADMIN_API_KEY: 'openapi-generation-key', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' },
    { listen: false },
  );
  try {
    fs.writeFileSync(path.join(root, 'openapi.json'), openApiJson(app));
    process.stdout.write(`wrote ${path.join(root, 'openapi.json')}\n`);
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
