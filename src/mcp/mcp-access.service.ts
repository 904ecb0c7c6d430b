import { Injectable } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AnyObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { z } from 'zod';
import { bearerOf, isApiTokenScope } from '../common/auth/public.decorator';
import { ApiTokensService } from '../admin/api-tokens/api-tokens.service';
import { McpServersService } from '../admin/mcp-servers/mcp-servers.service';
import { ErrorCode, GatewayError } from '../common/errors';
import { McpToolsService, type McpContext } from './mcp-tools.service';
import { requiresApiToken } from './policy';
import { mcpSdk } from './sdk';

export const SERVER_INFO = { name: 'planhat-gateway', version: '0.1.0' };

/** One validator for every per-request Server (the SDK would build a new Ajv instance for each). */
let schemaValidator: jsonSchemaValidator | undefined;
const INSTRUCTIONS =
  'Planhat tools. Never invent ids: resolve a company name to its 24-hex `_id` with list_all_planhat_companies first, then pass it as companyId (cId on invoices and NPS). Lists return {result, next_cursor}; call again with next_cursor for more.';

/** JSON-RPC 2.0 "Invalid params". */
const INVALID_PARAMS = -32602;
const checkedSchemas = new WeakMap<object, AnyObjectSchema>();

/**
 * A request schema whose params are checked first: params that do not match answer -32602 with a
 * one-line message naming the fields. (The SDK parses a request with its handler's schema and
 * answers a failure with -32603 and the raw zod issue list; an error thrown while parsing carries
 * its own code and message into the JSON-RPC error instead.)
 */
function withInvalidParams(schema: AnyObjectSchema): AnyObjectSchema {
  const cached = checkedSchemas.get(schema);
  if (cached) return cached;
  const shape = (schema as { shape?: { method?: { value?: unknown }; params?: z.ZodType } }).shape;
  if (!shape?.method || !shape.params) return schema;
  const { method, params } = shape;
  const checked = z.object({
    method: method as z.ZodType,
    params: z
      .unknown()
      .optional()
      .transform((value) => {
        const parsed = params.safeParse(value);
        if (parsed.success) return parsed.data;
        const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`);
        const message = `Invalid params for ${String(method.value)}: ${issues.join('; ')}`.replace(/\s+/g, ' ');
        throw Object.assign(new Error(message), { code: INVALID_PARAMS });
      }),
  }) as unknown as AnyObjectSchema;
  checkedSchemas.set(schema, checked);
  return checked;
}

type ServerClass = new (...args: ConstructorParameters<typeof Server>) => Server;
let GatewayServer: ServerClass | undefined;

/**
 * The SDK's Server with every request handler registered through withInvalidParams: the ones it
 * registers itself (initialize, ping) and tools/list and tools/call.
 */
function gatewayServer(): ServerClass {
  GatewayServer ??= class extends mcpSdk().Server {
    override setRequestHandler(schema: AnyObjectSchema, handler: Parameters<Server['setRequestHandler']>[1]): void {
      super.setRequestHandler(withInvalidParams(schema), handler);
    }
  };
  return GatewayServer;
}

/**
 * Resolves an MCP URL token to its server (404 when unknown, deleted or expired; 401 when the server
 * requires an API token and none valid is sent) and builds the low-level MCP Server whose handlers
 * serve that server's policy.
 */
@Injectable()
export class McpAccessService {
  constructor(
    private readonly servers: McpServersService,
    private readonly apiTokens: ApiTokensService,
    private readonly tools: McpToolsService,
  ) {}

  async resolve(token: string, authorization: string | string[] | undefined): Promise<McpContext & { serverId: string }> {
    const found = token && token.length <= 200 ? await this.servers.findActiveByToken(token) : null;
    if (!found) {
      throw GatewayError.notFound('Unknown or expired MCP server', 'Check the MCP URL; an admin can list servers with GET /integrated-account/:id/mcp or create one with POST.');
    }
    if (requiresApiToken(found.server.config)) {
      const bearer = bearerOf(authorization);
      const principal = bearer ? await this.apiTokens.verify(bearer) : null;
      if (!principal) {
        throw new GatewayError(ErrorCode.UNAUTHORIZED, bearer ? 'Invalid or revoked API token' : 'This MCP server requires an API token', {
          hint: 'Send `Authorization: Bearer <api token>` (a token from POST /api-token) with every MCP request.',
        });
      }
      // Scope admin or mcp; a stored scope that is neither is refused (fail closed).
      if (!isApiTokenScope(principal.scope)) {
        throw new GatewayError(ErrorCode.FORBIDDEN, 'This API token has no valid scope', {
          hint: 'Create an API token with scope mcp (or admin) with POST /api-token.',
        });
      }
    }
    return { accountId: found.accountId, config: found.server.config, serverId: found.server.id };
  }

  /** The serialized tools/list result for this server (cached). */
  toolsJson(ctx: McpContext): Promise<Buffer> {
    return this.tools.listToolsJson(ctx);
  }

  /** tools/call for this server: the same call (policy, validation, error results) as the Server's handler below. */
  callTool(ctx: McpContext, name: string, args: Record<string, unknown> | undefined): Promise<CallToolResult> {
    return this.tools.callTool(ctx, name, args);
  }

  /** A fresh MCP Server for one request (Streamable HTTP) or one SSE session; `ctx` is read per call. */
  createServer(ctx: () => McpContext): Server {
    const { AjvJsonSchemaValidator, CallToolRequestSchema, ListToolsRequestSchema } = mcpSdk();
    schemaValidator ??= new AjvJsonSchemaValidator();
    const server = new (gatewayServer())(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS, jsonSchemaValidator: schemaValidator });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await this.tools.listTools(ctx()) }));
    server.setRequestHandler(CallToolRequestSchema, async (req) => this.tools.callTool(ctx(), req.params.name, req.params.arguments));
    return server;
  }
}
