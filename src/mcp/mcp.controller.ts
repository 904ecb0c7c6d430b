import { createHash } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Controller,
  Delete,
  Get,
  Logger,
  OnApplicationShutdown,
  Param,
  Post,
  Query,
  Req,
  Res,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ContextIdFactory, ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  createMcpServer,
  McpExecutorService,
  McpRegistryDiscoveryService,
  McpStreamableHttpService,
  type HttpRequest,
  type McpOptions,
} from './mcp-nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator';
import { ErrorCode, GatewayError } from '../common/errors';
import { THROTTLED_BY_HANDLER } from '../common/throttle/throttle';
import { attachContext, mcpRequest } from './context';
import { McpAccessService } from './mcp-access.service';
import { McpLogLevels, needsStream, streamedResponse } from './notifications';
import { McpThrottleGuard } from './mcp-throttle.guard';

interface SseSession {
  transport: SSEServerTransport;
  server: McpServer;
  /** SHA-256 of the URL token that opened the session: messages must come with the same token. */
  tokenHash: string;
  /** The request mcp-nest's handlers of this session see (its context is refreshed by each message). */
  request: HttpRequest;
}

/** Open legacy SSE sessions per process (each holds a stream); more are refused. */
export const MAX_SSE_SESSIONS = 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The request as mcp-nest's handlers read it (its Fastify adapter builds the same shape). */
function adapted(req: FastifyRequest): HttpRequest {
  return {
    url: req.url,
    method: req.method,
    headers: req.headers,
    query: req.query as Record<string, unknown>,
    body: req.body,
    params: req.params as Record<string, string>,
    get: (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    raw: req.raw,
  };
}

/**
 * The MCP endpoint (docs/contract.md §5): the gateway's own routes in front of mcp-nest. Each route resolves
 * the URL token (404 when unknown, 401 when the server needs an API token), attaches the resolved
 * server context to the raw request, and hands the request to mcp-nest: Streamable HTTP through
 * its McpStreamableHttpService (stateless: any instance can serve any request), legacy SSE through
 * an mcp-nest server per session whose messages path carries the token (mcp-nest's own SSE
 * controller announces one fixed path). Both run the same registry, tools and policy guard. The URL
 * token is the credential, so the routes are @Public() for the global API-token guard, and are
 * throttled per MCP server (or per address when the token does not resolve) by McpThrottleGuard.
 */
@ApiExcludeController()
@Public()
@SetMetadata(THROTTLED_BY_HANDLER, true)
@UseGuards(McpThrottleGuard)
@Controller('mcp')
export class McpController implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Mcp');
  private readonly sessions = new Map<string, SseSession>();

  constructor(
    private readonly access: McpAccessService,
    private readonly streamable: McpStreamableHttpService,
    private readonly registry: McpRegistryDiscoveryService,
    private readonly moduleRef: ModuleRef,
    private readonly levels: McpLogLevels,
  ) {}

  @Post(':token')
  async post(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = await this.access.resolve(token, req.headers.authorization);
    if (Array.isArray(req.body) && req.body.length === 0) {
      // JSON-RPC 2.0: an empty batch is an Invalid Request (the SDK transport would answer 202).
      void reply
        .status(400)
        .send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: empty batch' } });
      return;
    }
    attachContext(req.raw, ctx);
    reply.hijack();
    try {
      const handle = () => this.streamable.handlePostRequest(req, reply, req.body);
      // An answer that may carry progress or log notifications is an SSE stream (notifications.ts).
      await mcpRequest.run(
        ctx,
        needsStream(req.body, this.levels, ctx.serverId) ? () => streamedResponse.run(true, handle) : handle,
      );
    } catch (err) {
      this.fail(reply, err);
    }
  }

  /** Stateless Streamable HTTP has no server-initiated stream and no session to delete. */
  @Get(':token')
  async get(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.access.resolve(token, req.headers.authorization);
    this.methodNotAllowed(reply);
  }

  @Delete(':token')
  async delete(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.access.resolve(token, req.headers.authorization);
    this.methodNotAllowed(reply);
  }

  @Get(':token/sse')
  async sse(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = await this.access.resolve(token, req.headers.authorization);
    if (this.sessions.size >= MAX_SSE_SESSIONS) {
      throw new GatewayError(ErrorCode.RATE_LIMITED, 'Too many open SSE sessions', {
        hint: 'Use Streamable HTTP (POST to the MCP URL) or retry later.',
        headers: { 'retry-after': '30' },
      });
    }
    attachContext(req.raw, ctx);
    reply.hijack();
    const transport = new SSEServerTransport(`/mcp/${encodeURIComponent(token)}/messages`, reply.raw);
    const request = adapted(req);
    const server = await this.sseServer(request);
    const session: SseSession = { transport, server, tokenHash: sha256(token), request };
    this.sessions.set(transport.sessionId, session);
    reply.raw.on('close', () => {
      this.sessions.delete(transport.sessionId);
      this.levels.forget(transport.sessionId);
      void server.close();
    });
    try {
      await server.connect(transport);
    } catch (err) {
      this.sessions.delete(transport.sessionId);
      this.fail(reply, err);
    }
  }

  @Post(':token/messages')
  async messages(
    @Param('token') token: string,
    @Query('sessionId') sessionId: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const ctx = await this.access.resolve(token, req.headers.authorization);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!session || session.tokenHash !== sha256(token)) {
      throw GatewayError.notFound(
        'Unknown SSE session',
        'Open a session with GET /mcp/<token>/sse and post to the endpoint it announces.',
      );
    }
    // The session's handlers read the server's current policy (it may have changed since the stream opened).
    attachContext(session.request.raw, ctx);
    // The SDK's SSE transport answers these mistakes in plain text; they get JSON-RPC errors in JSON,
    // as the Streamable HTTP transport gives them.
    const mediaType = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (mediaType !== 'application/json') {
      void reply.status(415).send({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' },
      });
      return;
    }
    if (!JSONRPCMessageSchema.safeParse(req.body).success) {
      void reply.status(400).send({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request: the body is not one JSON-RPC 2.0 message' },
      });
      return;
    }
    reply.hijack();
    try {
      await mcpRequest.run(ctx, () => session.transport.handlePostMessage(req.raw, reply.raw, req.body));
    } catch (err) {
      this.fail(reply, err);
    }
  }

  /**
   * SSE streams never end by themselves: they are closed before the HTTP server drains (Nest runs
   * this hook before it stops listening), otherwise one open session holds the shutdown forever.
   */
  beforeApplicationShutdown(): void {
    this.onApplicationShutdown();
  }

  onApplicationShutdown(): void {
    for (const s of this.sessions.values()) void s.transport.close();
    this.sessions.clear();
  }

  /**
   * An mcp-nest server for one SSE session, built as mcp-nest's own SSE service builds it (its
   * options, serverMutator and registry, its request-scoped executor registering the handlers), so
   * SSE runs exactly the tools and guards of Streamable HTTP.
   */
  private async sseServer(request: HttpRequest): Promise<McpServer> {
    const options = this.moduleRef.get<McpOptions>('MCP_OPTIONS', { strict: false });
    const moduleId = this.moduleRef.get<string>('MCP_MODULE_ID', { strict: false });
    const server = createMcpServer(moduleId, this.registry, options, this.log);
    const executor = await this.moduleRef.resolve(McpExecutorService, ContextIdFactory.getByRequest(request), {
      strict: false,
    });
    executor.registerRequestHandlers(server, request);
    return server;
  }

  private methodNotAllowed(reply: FastifyReply): void {
    const err = new GatewayError(ErrorCode.METHOD_NOT_ALLOWED, 'This MCP endpoint is stateless: use POST', {
      hint: 'Streamable HTTP clients POST JSON-RPC to this URL; legacy SSE clients use /sse.',
    });
    void reply.status(405).header('allow', 'POST').send(err.toBody(reply.request.id));
  }

  private fail(reply: FastifyReply, err: unknown): void {
    this.log.error(`MCP request failed: ${err instanceof Error ? err.message : String(err)}`);
    const raw = reply.raw;
    if (!raw.headersSent) {
      raw.writeHead(500, { 'content-type': 'application/json' });
      raw.end(JSON.stringify(new GatewayError(ErrorCode.INTERNAL, 'Internal error').toBody()));
    } else if (!raw.writableEnded) {
      raw.end();
    }
  }
}
