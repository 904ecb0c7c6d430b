import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BeforeApplicationShutdown, Controller, Delete, Get, Logger, OnApplicationShutdown, Param, Post, Query, Req, Res, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/public.decorator';
import { ByteWriter } from '../common/byte-writer';
import { ErrorCode, GatewayError } from '../common/errors';
import { THROTTLED_BY_HANDLER } from '../common/throttle/throttle';
import { McpAccessService } from './mcp-access.service';
import { McpThrottleGuard } from './mcp-throttle.guard';
import type { McpContext } from './mcp-tools.service';
import { callResultSize, writeCallResult } from './results';
import { mcpSdk } from './sdk';

interface SseSession {
  transport: SSEServerTransport;
  server: Server;
  /** SHA-256 of the URL token that opened the session: messages must come with the same token. */
  tokenHash: string;
  ctx: McpContext;
}

/** Open legacy SSE sessions per process (each holds a stream); more are refused. */
export const MAX_SSE_SESSIONS = 1000;

type PlainCall = { id: string | number } & (
  | { method: 'tools/list' }
  | { method: 'tools/call'; name: string; args: Record<string, unknown> | undefined }
);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));

/**
 * A single tools/list or tools/call request that the SDK transport would accept and answer as JSON
 * (no batch, no SSE-only client, no `_meta`/task/cursor, nothing else unusual); undefined otherwise.
 */
function plainCall(req: FastifyRequest): PlainCall | undefined {
  const b = req.body;
  if (!isObject(b) || b.jsonrpc !== '2.0' || !onlyKeys(b, ['jsonrpc', 'id', 'method', 'params'])) return undefined;
  const id = b.id;
  if (typeof id !== 'string' && !Number.isInteger(id)) return undefined;
  const accept = String(req.headers.accept ?? '');
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!String(req.headers['content-type'] ?? '').includes('application/json')) return undefined;
  const version = req.headers['mcp-protocol-version'];
  if (version !== undefined && !(typeof version === 'string' && mcpSdk().SUPPORTED_PROTOCOL_VERSIONS.includes(version))) return undefined;
  const params = b.params;
  if (b.method === 'tools/list') {
    if (params !== undefined && (!isObject(params) || Object.keys(params).length > 0)) return undefined;
    return { id: id as string | number, method: 'tools/list' };
  }
  if (b.method === 'tools/call') {
    if (!isObject(params) || typeof params.name !== 'string' || !onlyKeys(params, ['name', 'arguments'])) return undefined;
    if (params.arguments !== undefined && !isObject(params.arguments)) return undefined;
    return { id: id as string | number, method: 'tools/call', name: params.name, args: params.arguments as Record<string, unknown> | undefined };
  }
  return undefined;
}

const CLOSE = Buffer.from('}');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The MCP endpoint (CONTRACT §5). Streamable HTTP is stateless: every POST gets a fresh low-level
 * Server and transport (tool definitions are cached process-wide), so any instance can serve any
 * request. Legacy SSE keeps per-process sessions bound to the token that opened them. The URL token
 * is the credential, so the routes are @Public() for the global API-token guard, and are throttled
 * per MCP server (or per address when the token does not resolve) by McpThrottleGuard.
 */
@ApiExcludeController()
@Public()
@SetMetadata(THROTTLED_BY_HANDLER, true)
@UseGuards(McpThrottleGuard)
@Controller('mcp')
export class McpController implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly log = new Logger('Mcp');
  private readonly sessions = new Map<string, SseSession>();

  constructor(private readonly access: McpAccessService) {}

  @Post(':token')
  async post(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const ctx = await this.access.resolve(token, req.headers.authorization);
    const plain = plainCall(req);
    if (plain) {
      // Fast path for the hottest requests: the same JSON-RPC answer the SDK transport would give,
      // tools/list from the cached serialized tool list, tools/call through the same service call as
      // the SDK handler with its result serialised once (no SDK Server, transport or re-validation).
      const head = `{"jsonrpc":"2.0","id":${JSON.stringify(plain.id)},"result":`;
      reply.status(200).header('content-type', 'application/json');
      if (plain.method === 'tools/list') {
        // The cached tool list (~240 KB for all tools) is written to the socket as it is, between
        // the envelope's head and tail, instead of being copied into a new buffer for every answer.
        const tools = await this.access.toolsJson(ctx);
        const headBytes = Buffer.from(head);
        reply.header('content-length', headBytes.length + tools.length + CLOSE.length);
        void reply.send(Readable.from([headBytes, tools, CLOSE], { objectMode: false }));
        return;
      }
      const result = await this.access.callTool(ctx, plain.name, plain.args);
      const out = new ByteWriter(head.length + callResultSize(result));
      out.text(head);
      writeCallResult(result, out);
      out.byte(0x7d);
      void reply.send(out.result());
      return;
    }
    if (Array.isArray(req.body) && req.body.length === 0) {
      // JSON-RPC 2.0: an empty batch is an Invalid Request (the SDK transport would answer 202).
      void reply.status(400).send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: empty batch' } });
      return;
    }
    reply.hijack();
    const server = this.access.createServer(() => ctx);
    const transport = new (mcpSdk().StreamableHTTPServerTransport)({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
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
    reply.hijack();
    const transport = new (mcpSdk().SSEServerTransport)(`/mcp/${encodeURIComponent(token)}/messages`, reply.raw);
    const session: SseSession = { transport, server: undefined as unknown as Server, tokenHash: sha256(token), ctx };
    session.server = this.access.createServer(() => session.ctx);
    this.sessions.set(transport.sessionId, session);
    reply.raw.on('close', () => {
      this.sessions.delete(transport.sessionId);
      void session.server.close();
    });
    try {
      await session.server.connect(transport);
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
      throw GatewayError.notFound('Unknown SSE session', 'Open a session with GET /mcp/<token>/sse and post to the endpoint it announces.');
    }
    session.ctx = ctx;
    // The SDK's SSE transport answers these mistakes in plain text; they get JSON-RPC errors in JSON,
    // as the Streamable HTTP transport gives them.
    const mediaType = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/json') {
      void reply.status(415).send({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Unsupported Media Type: Content-Type must be application/json' } });
      return;
    }
    if (!mcpSdk().JSONRPCMessageSchema.safeParse(req.body).success) {
      void reply.status(400).send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: the body is not one JSON-RPC 2.0 message' } });
      return;
    }
    reply.hijack();
    try {
      await session.transport.handlePostMessage(req.raw, reply.raw, req.body);
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
