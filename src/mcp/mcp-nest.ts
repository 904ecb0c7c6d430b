/**
 * @rekog/mcp-nest, its MCP half only. The package root also loads its OAuth module (`authz`:
 * passport, @nestjs/jwt, express, TypeORM entities), which this gateway does not use and which
 * cost cold start; everything in src/mcp imports mcp-nest through this file.
 */
export * from '@rekog/mcp-nest/dist/mcp';
export { createMcpServer } from '@rekog/mcp-nest/dist/mcp/utils/mcp-server.factory';
