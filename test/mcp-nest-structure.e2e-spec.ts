/**
 * The MCP module's structure on @rekog/mcp-nest (issue 18): the tools are mcp-nest tools found by
 * its discovery, every one behind the policy guard; its registry is the list the MCP endpoint and
 * the admin preview read; only the gateway's token routes reach mcp-nest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionContext } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { McpRegistryDiscoveryService, type ToolMetadata } from '../src/mcp/mcp-nest';
import type { TestApp } from './support/test-app';
import { McpPolicyGuard } from '../src/mcp/policy.guard';
import { META_TOOLS, toolIndex } from '../src/mcp-servers/policy';
import { McpToolRegistry } from '../src/mcp/tool-registry';
import { InsightTools, NativeTools, SafetyTools, UnifiedTools } from '../src/mcp/tools/catalog.tools';
import { api, createServer, rpc, startMcpApp, type Json } from './mcp-helpers';

let t: TestApp;
let accountId: string;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});

afterAll(async () => {
  await t?.close();
});

const META_NAMES = [...META_TOOLS.discovery, ...META_TOOLS.model_actions].map((m) => m.name);

describe('tools are declared with mcp-nest decorators and found by its discovery', () => {
  let registered: { name: string; provider: unknown; guards: unknown[] }[];
  beforeAll(() => {
    const moduleId = t.app.get(ModuleRef).get<string>('MCP_MODULE_ID', { strict: false });
    registered = t.app
      .get(McpRegistryDiscoveryService)
      .getTools(moduleId)
      .map((c) => ({
        name: (c.metadata as ToolMetadata).name,
        provider: c.providerClass,
        guards: (c.metadata as ToolMetadata).guards ?? [],
      }));
  });

  it('the registry holds every catalog tool (from NativeTools/UnifiedTools/InsightTools/SafetyTools) and the six meta-tools, once each', () => {
    const names = registered.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([...toolIndex().map((x) => x.name), ...META_NAMES].sort());
    for (const tool of toolIndex()) {
      expect(registered.find((r) => r.name === tool.name)!.provider).toBe(
        { native: NativeTools, unified: UnifiedTools, insight: InsightTools, safety: SafetyTools }[tool.kind],
      );
    }
    expect(
      t.app
        .get(McpToolRegistry)
        .catalogTools()
        .map((x) => x.name),
    ).toEqual(toolIndex().map((x) => x.name));
  });

  it('every tool carries the policy guard', () => {
    for (const r of registered) expect(r.guards).toContain(McpPolicyGuard);
  });

  it('the guard refuses a request without a resolved server context (fail closed)', () => {
    const guard = t.app.get(McpPolicyGuard);
    const handler = NativeTools.prototype['list_all_planhat_companies' as keyof NativeTools];
    const context = (request: unknown) =>
      ({
        switchToHttp: () => ({ getRequest: () => request }),
        getHandler: () => handler,
      }) as unknown as ExecutionContext;
    expect(guard.canActivate(context({}))).toBe(false);
    expect(guard.canActivate(context({ mcpContext: { accountId, config: null } }))).toBe(false);
    expect(guard.canActivate(context({ mcpContext: { accountId, config: {} } }))).toBe(true);
    expect(guard.canActivate(context({ mcpContext: { accountId, config: { methods: [] } } }))).toBe(false);
  });
});

describe('one entry to mcp-nest: the gateway token routes', () => {
  it("mcp-nest's own endpoints (/mcp, /sse, /messages) are not mounted; the token routes are", async () => {
    const fastify = t.app.getHttpAdapter().getInstance() as { hasRoute(o: { method: string; url: string }): boolean };
    for (const [method, url] of [
      ['POST', '/mcp'],
      ['GET', '/mcp'],
      ['DELETE', '/mcp'],
      ['GET', '/sse'],
      ['POST', '/messages'],
    ]) {
      expect(fastify.hasRoute({ method, url })).toBe(false);
    }
    for (const [method, url] of [
      ['POST', '/mcp/:token'],
      ['GET', '/mcp/:token/sse'],
      ['POST', '/mcp/:token/messages'],
    ]) {
      expect(fastify.hasRoute({ method, url })).toBe(true);
    }
    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
  });
});

describe('the admin preview reads the same registry as the MCP endpoint', () => {
  it.each([
    {},
    { methods: ['read'] },
    { tags: ['support'] },
    { tool_exposure: 'discovery' },
    { methods: ['write'], tool_exposure: 'model_actions' },
  ] as Json[])('%j', async (config) => {
    const server = await createServer(t, accountId, config);
    const listed = (await rpc(server.url, 'tools/list')).body.result.tools.map((x: Json) => x.name);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(config)) q.set(k, Array.isArray(v) ? v.join(',') : String(v));
    const preview = await api(t, 'GET', `/integrated-account/${accountId}/tools?${q}`);
    expect(preview.status).toBe(200);
    expect(preview.body.result.map((x: Json) => x.name)).toEqual(listed);
    expect(listed.length).toBeGreaterThan(0);
  });
});

describe('mcp-nest is loaded without its OAuth half', () => {
  it('src imports @rekog/mcp-nest only through src/mcp/mcp-nest.ts, which takes dist/mcp (the root also loads passport, jwt, express)', () => {
    const src = path.join(__dirname, '../src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (
          file.endsWith('.ts') &&
          file !== path.join(src, 'mcp/mcp-nest.ts') &&
          /from '@rekog\/mcp-nest[^']*'/.test(fs.readFileSync(file, 'utf8'))
        )
          offenders.push(path.relative(src, file));
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
    const entry = fs.readFileSync(path.join(src, 'mcp/mcp-nest.ts'), 'utf8');
    expect(entry).toMatch(/from '@rekog\/mcp-nest\/dist\/mcp'/);
    expect(entry).not.toMatch(/from '@rekog\/mcp-nest'/);
  });
});
