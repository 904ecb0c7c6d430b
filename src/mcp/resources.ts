import { Injectable } from '@nestjs/common';
import { ErrorCode as RpcCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { allModels } from '../planhat/catalog';
import { contextOf, type McpContext } from './context';
import { CustomFieldsCache } from './custom-fields';
import { Resource, ResourceTemplate } from './mcp-nest';
import { allowedTools, configProblem, toolsForConfig } from '../mcp-servers/policy';

/**
 * MCP resources, declared with mcp-nest's `@Resource` / `@ResourceTemplate` on CsResources:
 *
 * - `planhat://policy`: what this server may and may not do (its method and tag filters, tool
 *   exposure, the tools it lists and the operations it refuses);
 * - `planhat://custom-fields`: the tenant's custom fields (JSON Schema per Planhat model name), for
 *   the models the server's policy reaches;
 * - `planhat://models/{model}`: one Planhat model of the catalog (writable fields with their type,
 *   description and whether create requires them), readable only when the server's policy allows
 *   at least one tool of that model; another model answers as an unknown resource.
 *
 * mcp-nest hands resource methods its adapted request; the gateway's context is on its `raw`.
 * No context or an unusable config reads nothing (fail closed).
 */
const JSON_TYPE = 'application/json';

function contextOfResourceRequest(req: unknown): McpContext | undefined {
  return contextOf((req as { raw?: unknown } | undefined)?.raw ?? req);
}

const unknownResource = (uri: string) => new McpError(RpcCode.InvalidParams, `Unknown resource: ${uri}`);

/** A zod field as a short JSON-Schema-like type name. */
function typeOf(schema: z.ZodType): string {
  const def = (
    schema as unknown as {
      def: { type: string; innerType?: z.ZodType; element?: z.ZodType; entries?: Record<string, string> };
    }
  ).def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      return def.innerType ? typeOf(def.innerType) : 'unknown';
    case 'array':
      return `array of ${def.element ? typeOf(def.element) : 'unknown'}`;
    case 'enum':
      return `enum (${Object.values(def.entries ?? {}).join(', ')})`;
    default:
      return def.type;
  }
}

export function modelDocument(key: string): Record<string, unknown> | undefined {
  const model = allModels().find((m) => m.key === key);
  if (!model) return undefined;
  return {
    model: model.key,
    planhat_model: model.modelName,
    path: model.path,
    summary: model.summary,
    operations: [...model.ops],
    fields: Object.entries(model.fields).map(([name, schema]) => ({
      name,
      type: typeOf(schema),
      required: model.required.includes(name),
      ...(schema.description ? { description: schema.description } : {}),
    })),
    required: [...model.required],
    ...(model.requiredOneOf ? { required_one_of: model.requiredOneOf.map((g) => [...g]) } : {}),
  };
}

@Injectable()
export class CsResources {
  constructor(private readonly customFields: CustomFieldsCache) {}

  @Resource({
    uri: 'planhat://custom-fields',
    name: 'custom_fields',
    description:
      "This tenant's custom fields per Planhat model (name, type, allowed values), for the models this server reaches.",
    mimeType: JSON_TYPE,
  })
  async custom_fields(_params: unknown, _c: unknown, req: unknown): Promise<ReadResourceResult> {
    const uri = 'planhat://custom-fields';
    const ctx = contextOfResourceRequest(req);
    if (!ctx) throw unknownResource(uri);
    const reached = new Set(
      allowedTools(ctx.config)
        .filter((t) => t.kind === 'native')
        .map((t) => t.resource),
    );
    const names = new Set(
      allModels()
        .filter((m) => reached.has(m.key))
        .map((m) => m.modelName),
    );
    const byModel = await this.customFields.get(ctx.accountId);
    if (!byModel)
      throw new McpError(RpcCode.InternalError, 'Planhat could not be asked for the custom fields; retry shortly');
    const doc = Object.fromEntries(
      [...byModel].filter(([model]) => names.has(model)).sort(([a], [b]) => a.localeCompare(b)),
    );
    return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(doc, null, 2) }] };
  }

  @Resource({
    uri: 'planhat://policy',
    name: 'policy',
    description: "This MCP server's policy: what it may and may not do.",
    mimeType: JSON_TYPE,
  })
  policy(_params: unknown, _c: unknown, req: unknown): ReadResourceResult {
    const ctx = contextOfResourceRequest(req);
    if (!ctx) throw unknownResource('planhat://policy');
    const problem = configProblem(ctx.config);
    const listed = problem ? [] : toolsForConfig(ctx.config);
    const allowed = problem ? [] : allowedTools(ctx.config);
    const methods = new Set<string>(allowed.map((t) => t.method));
    const doc = {
      methods: ctx.config.methods ?? 'all',
      tags: ctx.config.tags ?? 'all',
      tool_exposure: ctx.config.tool_exposure ?? 'all',
      ...(problem ? { problem: `${problem}: this server allows nothing` } : {}),
      may: { methods: [...methods].sort(), tools: listed.map((t) => t.name) },
      may_not: { methods: ['read', 'write', 'custom'].filter((m) => !methods.has(m)) },
      models: [...new Set(allowed.filter((t) => t.kind === 'native').map((t) => t.resource))].sort(),
    };
    return { contents: [{ uri: 'planhat://policy', mimeType: JSON_TYPE, text: JSON.stringify(doc, null, 2) }] };
  }

  @ResourceTemplate({
    uriTemplate: 'planhat://models/{model}',
    name: 'planhat_model',
    description:
      'A Planhat model of the catalog (e.g. companies, endusers, licenses): fields, types, required fields and descriptions.',
    mimeType: JSON_TYPE,
  })
  model(params: { model?: unknown; uri?: unknown }, _c: unknown, req: unknown): ReadResourceResult {
    const uri = String(params.uri);
    const ctx = contextOfResourceRequest(req);
    const key = typeof params.model === 'string' ? params.model : '';
    const doc = modelDocument(key);
    if (!ctx || !doc || !allowedTools(ctx.config).some((t) => t.kind === 'native' && t.resource === key))
      throw unknownResource(uri);
    return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(doc, null, 2) }] };
  }
}
