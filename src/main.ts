import * as fs from 'node:fs';
import * as path from 'node:path';
import { createApp } from './app.factory';
import { BootstrapInfo, newMcpServerCommand } from './admin/bootstrap-info';
import { ConfigError } from './config/app-config';
import { installGracefulShutdown } from './common/shutdown';
import { McpToolRegistry } from './mcp/tool-registry';

/** `npm start`: loads .env when present, validates config, serves, and tells a newcomer where to go. */
async function main(): Promise<void> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const { app, config, url } = await createApp(process.env);
  installGracefulShutdown(app, {
    timeoutMs: config.shutdownTimeoutMs,
    log: (message) => process.stderr.write(`Shutdown: ${message}\n`),
  });
  const info = app.get(BootstrapInfo);
  const lines = [
    '',
    `Planhat gateway listening on ${url}`,
    `  Swagger UI:   ${config.publicUrl}/docs`,
    `  Health:       ${config.publicUrl}/health`,
  ];
  if (info.adminKeyGenerated && info.adminKey) {
    lines.push(`  Admin API key (generated, stored in ${config.dataDir}/admin_api_key; shown once): ${info.adminKey}`);
  } else {
    lines.push('  Admin API key: from ADMIN_API_KEY or the admin_api_key file in DATA_DIR');
  }
  if (info.sandboxAccountId) lines.push(`  Sandbox integrated account: ${info.sandboxAccountId}`);
  if (info.mcpUrl) lines.push(`  MCP server with all tools (created now, shown once): ${info.mcpUrl}`);
  else if (info.sandboxAccountId) {
    // MCP tokens are stored hashed: an earlier URL cannot be shown again, but a new one is one command away.
    const key = process.env.ADMIN_API_KEY ? '$ADMIN_API_KEY' : `$(cat ${path.join(config.dataDir, 'admin_api_key')})`;
    lines.push(
      '  MCP URLs are shown only when a server is created (tokens are stored hashed). A new one with all tools:',
    );
    lines.push(`    ${newMcpServerCommand(config.publicUrl, info.sandboxAccountId, key)}`);
  }
  if (info.sandboxAccountId) {
    lines.push(
      '',
      `  Try: curl -H "Authorization: Bearer <admin key>" "${config.publicUrl}/proxy/companies?integrated_account_id=${info.sandboxAccountId}&limit=3"`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  // Serving already: a second later the MCP tool schemas are built in the background, not on the
  // first tools/list (a schema that fails to build fails that tools/list, which reports it).
  app
    .get(McpToolRegistry)
    .warmSchemas(1000)
    .catch(() => undefined);
}

/** Settles once the gateway listens (the bundled build's loader then writes its code cache). */
export const started: Promise<void> = main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
