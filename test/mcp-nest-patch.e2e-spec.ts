/**
 * The performance patch carried for @rekog/mcp-nest 1.9.11 (patches/@rekog+mcp-nest+1.9.11.patch,
 * applied by `postinstall`): each test fails on the unpatched package.
 */
import * as fs from 'node:fs';
import { Logger } from '@nestjs/common';
import * as jsonSchemaCompat from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { createMcpServer, McpRegistryDiscoveryService, type McpOptions } from '../src/mcp/mcp-nest';
import type { TestApp } from './support/test-app';
import { McpPolicyGuard } from '../src/mcp/policy.guard';
import { toolIndex } from '../src/mcp-servers/policy';
import { createServer, rpc, startMcpApp } from './mcp-helpers';

let t: TestApp;
let url: string;

beforeAll(async () => {
  const started = await startMcpApp();
  t = started.t;
  url = (await createServer(t, started.accountId, {})).url;
});

afterAll(async () => {
  await t?.close();
});

describe('mcp-nest patch', () => {
  it('converts each tool schema to JSON Schema once, not on every tools/list', async () => {
    const convert = jest.spyOn(jsonSchemaCompat, 'toJsonSchemaCompat');
    try {
      expect((await rpc(url, 'tools/list')).body.result.tools).toHaveLength(toolIndex().length);
      expect(convert.mock.calls.length).toBeLessThanOrEqual(toolIndex().length);
      convert.mockClear();
      expect((await rpc(url, 'tools/list')).body.result.tools).toHaveLength(toolIndex().length);
      expect(convert).not.toHaveBeenCalled();
    } finally {
      convert.mockRestore();
    }
  });

  it('builds the guard view of the request once per tools/list', async () => {
    const seen = new Set<unknown>();
    const original = McpPolicyGuard.prototype.canActivate;
    const spy = jest.spyOn(McpPolicyGuard.prototype, 'canActivate').mockImplementation(function (
      this: McpPolicyGuard,
      context,
    ) {
      seen.add(context.switchToHttp().getRequest());
      return original.call(this, context);
    });
    try {
      expect((await rpc(url, 'tools/list')).body.result.tools).toHaveLength(toolIndex().length);
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(toolIndex().length);
      expect(seen.size).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('shares one JSON Schema validator between the servers it builds', () => {
    const registry = t.app.get(McpRegistryDiscoveryService);
    const options = { name: 'x', version: '1' } as McpOptions;
    const validatorOf = () =>
      (
        createMcpServer('none', registry, options, new Logger('test')).server as unknown as {
          _jsonSchemaValidator: unknown;
        }
      )._jsonSchemaValidator;
    const first = validatorOf();
    expect(first).toBeDefined();
    expect(validatorOf()).toBe(first);
  });

  it('does not serialise every request body for a debug log line', () => {
    const file = require.resolve('@rekog/mcp-nest/dist/mcp/services/mcp-streamable-http.service.js');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('JSON.stringify(body)');
  });
});
