/**
 * The catalog tools' input schemas are built on first use, not at start (issue 23, cold start and
 * idle memory): mcp-nest holds a lazy schema per tool that validates exactly as the tool's own,
 * and `npm start` builds them all in the background once it serves (McpToolRegistry.warmSchemas),
 * which stops when the app closes.
 */
import { ModuleRef } from '@nestjs/core';
import { McpRegistryDiscoveryService, type ToolMetadata } from '../src/mcp/mcp-nest';
import { toolIndex } from '../src/mcp-servers/policy';
import { McpToolRegistry } from '../src/mcp/tool-registry';
import { toolSpec, toolSpecsBuilt } from '../src/mcp/tool-schemas';
import type { TestApp } from './support/test-app';
import { createServer, rpc, startMcpApp } from './mcp-helpers';

let t: TestApp;
let accountId: string;

beforeAll(async () => {
  ({ t, accountId } = await startMcpApp());
});

afterAll(async () => {
  await t?.close();
});

it('builds no tool schema at start, and one call builds only its own', async () => {
  expect(toolSpecsBuilt()).toBe(0);
  const { url } = await createServer(t, accountId, {});
  const r = await rpc(url, 'tools/call', { name: 'list_all_planhat_companies', arguments: { limit: 1 } });
  expect(r.body.result?.isError).not.toBe(true);
  expect(toolSpecsBuilt()).toBe(1);
});

it('stops the background build when the app closes before it starts', async () => {
  const other = await startMcpApp();
  const before = toolSpecsBuilt();
  try {
    expect(before).toBeLessThan(toolIndex().length);
    void other.t.app.get(McpToolRegistry).warmSchemas(50);
  } finally {
    await other.t.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(toolSpecsBuilt()).toBe(before);
});

it('gives mcp-nest lazy schemas that accept and refuse what the tool schema does', () => {
  const moduleId = t.app.get(ModuleRef).get<string>('MCP_MODULE_ID', { strict: false });
  const byName = new Map(
    t.app
      .get(McpRegistryDiscoveryService)
      .getTools(moduleId)
      .map((c) => [(c.metadata as ToolMetadata).name, c.metadata as ToolMetadata]),
  );
  const samples: unknown[] = [{}, { limit: 5 }, { limit: 0 }, { id: 'x' }, { id: '' }, { nope: 1 }, { name: 'Acme' }];
  for (const tool of toolIndex()) {
    const params = byName.get(tool.name)?.parameters as {
      _zod?: { def: { type: string } };
      safeParse(v: unknown): { success: boolean };
    };
    expect({ tool: tool.name, type: params?._zod?.def.type }).toEqual({ tool: tool.name, type: 'lazy' });
    for (const args of samples) {
      expect({ tool: tool.name, args, ok: params.safeParse(args).success }).toEqual({
        tool: tool.name,
        args,
        ok: toolSpec(tool).zod.safeParse(args).success,
      });
    }
  }
});

it('warmSchemas builds every tool schema in the background, once', async () => {
  const registry = t.app.get(McpToolRegistry);
  const first = registry.warmSchemas();
  expect(registry.warmSchemas()).toBe(first);
  await first;
  expect(toolSpecsBuilt()).toBe(toolIndex().length);
});
