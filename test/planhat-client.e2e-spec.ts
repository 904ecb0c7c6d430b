import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../src/config/app-config';
import { ErrorCode, GatewayError } from '../src/common/errors';
import { PlanhatClient } from '../src/planhat/planhat.client';
import type { PlanhatConnectionResolver } from '../src/accounts/planhat-connection';

/**
 * PlanhatClient.callBytes with room for an envelope (the proxy's list), against a real HTTP server on
 * loopback that answers with a content-length, chunked, with fewer bytes than its content-length,
 * or so slowly that the deadline passes.
 */
describe('PlanhatClient: a body read with room around it', () => {
  const body = JSON.stringify(
    Array.from({ length: 500 }, (_, i) => ({ _id: String(i), name: `Company ${i} é`, pad: 'x'.repeat(200) })),
  );
  let server: Server;
  let baseUrl: string;
  let client: PlanhatClient;
  let dripClient: PlanhatClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const bytes = Buffer.from(body);
      if (req.url?.startsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let at = 0; at < bytes.length; at += 7000) res.write(bytes.subarray(at, at + 7000));
        res.end();
      } else if (req.url?.startsWith('/drip')) {
        // Each piece well within the body timeout, the whole answer far beyond the deadline.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        let left = 40;
        const drip = setInterval(() => (--left > 0 ? res.write(' ') : res.end(']')), 50);
        res.on('close', () => clearInterval(drip));
      } else if (req.url?.startsWith('/short')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length + 10) });
        res.end(bytes);
        res.socket?.destroy();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
        res.end(bytes);
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const accounts = { reportHealthy: async () => undefined } as unknown as PlanhatConnectionResolver;
    client = new PlanhatClient({ upstreamTimeoutMs: 5000 } as AppConfig, accounts);
    dripClient = new PlanhatClient({ upstreamTimeoutMs: 300 } as AppConfig, accounts);
  });

  afterAll(async () => {
    await client.onApplicationShutdown();
    await dripClient.onApplicationShutdown();
    server.close();
  });

  const conn = () => ({ accountId: 'a', baseUrl, token: 't' });

  it.each(['/companies', '/chunked'])(
    '%s: the bytes sit in a frame with the room asked for around them',
    async (path) => {
      const res = await client.callBytes(conn(), { method: 'GET', path }, { head: 10, tail: 100 });
      expect(res.bytes.toString()).toBe(body);
      expect(res.frame!.length).toBe(10 + Buffer.byteLength(body) + 100);
      expect(res.frame!.subarray(10, 10 + res.bytes.length).equals(res.bytes)).toBe(true);
      expect(res.bytes.buffer).toBe(res.frame!.buffer);
      // without room: the bytes alone
      const plain = await client.callBytes(conn(), { method: 'GET', path });
      expect(plain.bytes.toString()).toBe(body);
      expect(plain.frame).toBeUndefined();
    },
  );

  it('a body shorter than its content-length is an upstream error, not a truncated answer', async () => {
    const err = await client
      .callBytes(conn(), { method: 'GET', path: '/short' }, { head: 10, tail: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(ErrorCode.UPSTREAM_ERROR);
  });

  it('the timeout bounds the whole exchange: a body that keeps trickling in is an upstream timeout', async () => {
    const err = await dripClient
      .callBytes(conn(), { method: 'GET', path: '/drip' }, { head: 10, tail: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(ErrorCode.UPSTREAM_TIMEOUT);
  }, 5000);
});
