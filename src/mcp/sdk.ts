import type * as ServerModule from '@modelcontextprotocol/sdk/server/index.js';
import type * as SseModule from '@modelcontextprotocol/sdk/server/sse.js';
import type * as StreamableModule from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';
import type * as AjvModule from '@modelcontextprotocol/sdk/validation/ajv-provider.js';

/**
 * The MCP SDK's server side, loaded on first use rather than at start: its modules build their zod
 * schemas when required (~200 ms of a cold start), and the direct tools/list and tools/call answers
 * never need the Server or transports.
 */
export interface McpSdk {
  Server: typeof ServerModule.Server;
  SSEServerTransport: typeof SseModule.SSEServerTransport;
  StreamableHTTPServerTransport: typeof StreamableModule.StreamableHTTPServerTransport;
  AjvJsonSchemaValidator: typeof AjvModule.AjvJsonSchemaValidator;
  CallToolRequestSchema: typeof TypesModule.CallToolRequestSchema;
  ListToolsRequestSchema: typeof TypesModule.ListToolsRequestSchema;
  JSONRPCMessageSchema: typeof TypesModule.JSONRPCMessageSchema;
  SUPPORTED_PROTOCOL_VERSIONS: typeof TypesModule.SUPPORTED_PROTOCOL_VERSIONS;
}

let loaded: McpSdk | undefined;

export function mcpSdk(): McpSdk {
  if (!loaded) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const types = require('@modelcontextprotocol/sdk/types.js') as typeof TypesModule;
    loaded = {
      Server: (require('@modelcontextprotocol/sdk/server/index.js') as typeof ServerModule).Server,
      SSEServerTransport: (require('@modelcontextprotocol/sdk/server/sse.js') as typeof SseModule).SSEServerTransport,
      StreamableHTTPServerTransport: (require('@modelcontextprotocol/sdk/server/streamableHttp.js') as typeof StreamableModule).StreamableHTTPServerTransport,
      AjvJsonSchemaValidator: (require('@modelcontextprotocol/sdk/validation/ajv-provider.js') as typeof AjvModule).AjvJsonSchemaValidator,
      CallToolRequestSchema: types.CallToolRequestSchema,
      ListToolsRequestSchema: types.ListToolsRequestSchema,
      JSONRPCMessageSchema: types.JSONRPCMessageSchema,
      SUPPORTED_PROTOCOL_VERSIONS: types.SUPPORTED_PROTOCOL_VERSIONS,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return loaded;
}
