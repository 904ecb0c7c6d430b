/**
 * First run and later runs (issue #24, item 4): the MCP URL can only be printed when its server is
 * created (tokens are stored hashed), so later starts print the exact command that creates a new
 * server with all tools and prints its URL. The test runs that command in a shell and uses the URL.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ensureBuilt, freePort, spawnGateway, tmpDir, type Child } from './reliability-helpers';

describe('start banner on a second start', () => {
  let gw: Child | undefined;
  afterEach(async () => {
    await gw?.stop('SIGTERM');
    gw = undefined;
  });

  it('prints a command that creates an MCP server and prints its working URL', async () => {
    ensureBuilt();
    const env = {
      DATA_DIR: path.join(tmpDir('phg-firstrun-'), 'data'),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    gw = await spawnGateway(env);
    expect(gw.output()).toMatch(/MCP server with all tools \(created now, shown once\): http/);
    expect(gw.output()).not.toContain('MCP URLs are shown only when');
    await gw.stop('SIGTERM');

    gw = await spawnGateway(env);
    const out = gw.output();
    expect(out).not.toContain('created now, shown once');
    const m = /MCP URLs are shown only when a server is created[^\n]*\n {4}(curl [^\n]+)\n/.exec(out);
    expect(m).not.toBeNull();
    const command = m![1];
    expect(command).toContain(`$(cat ${env.DATA_DIR}/admin_api_key)`);
    const url = execFileSync('bash', ['-e', '-o', 'pipefail', '-c', command], { encoding: 'utf8' }).trim();
    expect(url).toMatch(new RegExp(`^http://localhost:${env.PORT}/mcp/\\S+$`));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(await res.text()) as { result: { tools: Array<{ name: string }> } };
    expect(body.result.tools.length).toBeGreaterThan(90);
  }, 120_000);
});
