/**
 * Secrets hygiene (issue 7, item 4). The built gateway runs as a child process with LOG_LEVEL=info
 * and every byte it prints is captured while it serves admin, proxy, unified and MCP traffic
 * (including errors, upstream faults, 401s and 404s). No admin key, API token, MCP URL token or
 * Planhat token may appear in that output (the one-time start banner may show the ready-made MCP
 * URL, by design, and nothing else). In the SQLite file, API and MCP tokens exist only as SHA-256
 * digests and Planhat tokens only sealed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeClients, connect } from './mcp-helpers';
import { ensureBuilt, freePort, json, spawnGateway, tmpDir, type Child } from './reliability-helpers';

const ADMIN = 'phg_admin_secret_hygiene_0123456789abcdef';
const PLANHAT_BOOT = 'ph-boot-secret-AAAA1111BBBB2222CCCC3333';
const PLANHAT_SANDBOX = 'ph-sandbox-secret-DDDD4444EEEE5555FFFF';
const PLANHAT_ROTATED = 'ph-rotated-secret-GGGG6666HHHH7777IIII';
const PLANHAT_CUSTOM = 'ph-custom-secret-JJJJ8888KKKK9999LLLL';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The forms a leaked secret could take in a log or a file. */
function forms(secret: string): string[] {
  return [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(secret).toString('hex'),
    encodeURIComponent(secret),
  ];
}

describe('secrets never reach the logs or the database in clear', () => {
  let gw: Child;
  let dataDir: string;
  const mcpTokens: string[] = [];
  const apiTokens: string[] = [];
  let bootstrapMcpToken: string;

  beforeAll(async () => {
    ensureBuilt();
    dataDir = tmpDir('phg-secrets-');
    gw = await spawnGateway({
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'info',
      PLANHAT_API_TOKEN: PLANHAT_BOOT,
      SANDBOX_FAULTS: 'true',
      SANDBOX_RATE_LIMIT_PER_MIN: '0',
      THROTTLE_PER_MIN: '0',
      UPSTREAM_TIMEOUT_MS: '1500',
    });
  }, 300_000);

  afterAll(async () => {
    await closeClients();
    await gw?.stop('SIGKILL');
  });

  it('serves a representative mix of traffic, successes and failures', async () => {
    const u = gw.url;
    bootstrapMcpToken = /MCP server with all tools[^:]*: \S+\/mcp\/(\S+)/.exec(gw.output())![1];
    mcpTokens.push(bootstrapMcpToken);
    const accounts = (await json(`${u}/integrated-account`, { token: ADMIN })).body.result;
    const planhat = accounts.find((a: { name: string }) => a.name === 'planhat');
    expect(planhat).toBeDefined();

    const acct = await json(`${u}/integrated-account`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({ name: 'secret sandbox', environment: 'sandbox', api_token: PLANHAT_SANDBOX }),
    });
    expect(acct.status).toBe(201);
    const id = acct.body.id;
    const custom = await json(`${u}/integrated-account`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({
        name: 'custom',
        environment: 'custom',
        api_token: PLANHAT_CUSTOM,
        base_url: 'https://api-eu.planhat.com',
      }),
    });
    expect(custom.status).toBe(201);
    const tok = await json(`${u}/api-token`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({ name: 'hygiene' }),
    });
    apiTokens.push(tok.body.token);
    const revoked = await json(`${u}/api-token`, {
      method: 'POST',
      token: ADMIN,
      body: JSON.stringify({ name: 'revoked' }),
    });
    apiTokens.push(revoked.body.token);
    await json(`${u}/api-token/${revoked.body.id}`, { method: 'DELETE', token: ADMIN });

    for (const config of [{}, { require_api_token_auth: true }, { tool_exposure: 'discovery' }]) {
      const s = await json(`${u}/integrated-account/${id}/mcp`, {
        method: 'POST',
        token: ADMIN,
        body: JSON.stringify({ name: 'hygiene', config }),
      });
      expect(s.status).toBe(201);
      mcpTokens.push(s.body.token);
    }
    const [open, authed] = mcpTokens.slice(1).map((tk) => `${u}/mcp/${tk}`);

    // REST with the admin key and an API token; failures of every kind.
    const api = apiTokens[0];
    expect((await json(`${u}/proxy/companies?integrated_account_id=${id}&limit=2`, { token: api })).status).toBe(200);
    expect((await json(`${u}/unified/crm/accounts?integrated_account_id=${id}&limit=2`, { token: api })).status).toBe(
      200,
    );
    expect((await json(`${u}/proxy/companies?integrated_account_id=${id}`, { token: apiTokens[1] })).status).toBe(401);
    expect(
      (
        await json(`${u}/proxy/companies?integrated_account_id=${id}&token=${api}&api_token=${PLANHAT_SANDBOX}`, {
          token: api,
        })
      ).status,
    ).toBeLessThan(500);
    expect((await json(`${u}/proxy/companies?integrated_account_id=${id}`, { token: `${ADMIN}x` })).status).toBe(401);
    expect((await json(`${u}/proxy/companies/..%2Fx?integrated_account_id=${id}`, { token: ADMIN })).status).toBe(400);
    expect(
      (await json(`${u}/proxy/companies?integrated_account_id=${planhat.id}&limit=1`, { token: ADMIN })).status,
    ).toBeGreaterThanOrEqual(500); // api.planhat.com unreachable offline
    expect(
      (await json(`${u}/proxy/companies?integrated_account_id=${custom.body.id}&limit=1`, { token: ADMIN })).status,
    ).toBeGreaterThanOrEqual(500);
    for (const fault of ['500', 'reset', 'malformed', 'timeout']) {
      await json(`${u}/sandbox/planhat/__faults`, {
        method: 'POST',
        body: JSON.stringify({ match: 'GET /companies', fault, times: 2 }),
      });
      expect(
        (await json(`${u}/proxy/companies?integrated_account_id=${id}`, { token: ADMIN })).status,
      ).toBeGreaterThanOrEqual(500);
      expect(
        (await json(`${u}/unified/crm/accounts?integrated_account_id=${id}`, { token: ADMIN })).status,
      ).toBeGreaterThanOrEqual(500);
    }
    const rotated = await json(`${u}/integrated-account/${id}`, {
      method: 'PATCH',
      token: ADMIN,
      body: JSON.stringify({ api_token: PLANHAT_ROTATED }),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.text).not.toContain(PLANHAT_ROTATED);
    expect(
      (
        await json(`${u}/integrated-account/${id}`, {
          method: 'PATCH',
          token: ADMIN,
          body: JSON.stringify({ api_token: 42 }),
        })
      ).status,
    ).toBe(400);

    // MCP over both transports, success and failure, with and without API tokens.
    const c = await connect(open);
    await c.listTools();
    await c.callTool({ name: 'list_all_planhat_companies', arguments: { limit: 1 } });
    await c.callTool({ name: 'get_single_planhat_company_by_id', arguments: { id: 'nope' } });
    const sse = await connect(authed, { sse: true, headers: { authorization: `Bearer ${api}` } });
    await sse.callTool({ name: 'list_all_crm_accounts', arguments: { limit: 1 } });
    expect(
      (await fetch(authed, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${u}/mcp/${mcpTokens[3]}x`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await fetch(`${open}/messages?sessionId=forged`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);
    expect(
      (await fetch(open, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' }))
        .status,
    ).toBe(400);
    await closeClients();
    // Deleting a server and an account logs their ids, not their secrets.
    await json(`${u}/integrated-account/${custom.body.id}`, { method: 'DELETE', token: ADMIN });
  });

  it('no admin key, API token, MCP token or Planhat token appears in anything the process printed', async () => {
    const code = await gw.stop('SIGTERM');
    expect([0, 'SIGTERM']).toContain(code);
    const out = gw.output();
    const lines = out.split('\n');
    const jsonLines = lines.filter((l) => l.startsWith('{'));
    // It really logged the traffic (request lines with ids, status codes and redacted MCP URLs).
    expect(jsonLines.length).toBeGreaterThan(30);
    expect(out).toMatch(/\/mcp\/\[redacted\]/);
    const leaks: string[] = [];
    const secrets: Record<string, string> = { ADMIN, PLANHAT_BOOT, PLANHAT_SANDBOX, PLANHAT_ROTATED, PLANHAT_CUSTOM };
    apiTokens.forEach((x, i) => (secrets[`api token ${i}`] = x));
    mcpTokens.forEach((x, i) => (secrets[`mcp token ${i}`] = x));
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of forms(secret)) {
        const hits = lines.filter((l) => l.includes(form));
        // The ready-made server's URL is printed once in the start banner, by design (docs/contract.md §1).
        const allowed =
          name === 'mcp token 0'
            ? hits.filter((l) => /MCP server with all tools \(created now, shown once\)/.test(l))
            : [];
        if (hits.length > allowed.length)
          leaks.push(`${name} in: ${hits.find((l) => !allowed.includes(l))!.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
    const auth = lines.filter((l) => /authorization"?\s*[:=]\s*"?Bearer\s+[^<\s]/i.test(l));
    expect(auth.map((l) => l.slice(0, 400))).toEqual([]);
  });

  it('the database holds API and MCP tokens only as SHA-256 digests and Planhat tokens only sealed', () => {
    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('gateway.sqlite'));
    expect(files).toContain('gateway.sqlite');
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f))));
    const text = bytes.toString('latin1');
    const problems: string[] = [];
    for (const secret of [
      ADMIN,
      PLANHAT_BOOT,
      PLANHAT_SANDBOX,
      PLANHAT_ROTATED,
      PLANHAT_CUSTOM,
      ...apiTokens,
      ...mcpTokens,
    ]) {
      for (const form of forms(secret))
        if (text.includes(form)) problems.push(`clear secret in the database: ${secret.slice(0, 12)}…`);
      // Not even a fragment long enough to matter.
      if (text.includes(secret.slice(4, 24))) problems.push(`fragment of ${secret.slice(0, 12)}… in the database`);
    }
    for (const tk of [...apiTokens, ...mcpTokens])
      if (!text.includes(sha256(tk))) problems.push(`no SHA-256 digest for ${tk.slice(0, 8)}…`);
    expect(problems).toEqual([]);
    // The key that seals them is only readable by the owner.
    expect(fs.statSync(path.join(dataDir, 'encryption_key')).mode & 0o077).toBe(0);
  });
});
