import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createSandbox, type SandboxOptions } from '../../src/sandbox';

export interface RecordingSandbox {
  /** Base URL on loopback, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** `METHOD /path?query` of every request received (control routes `/__*` left out); clear it with `length = 0`. */
  received: string[];
  /** Makes the next request whose path contains `match` fail with `kind` (the sandbox's fault injection). */
  fault(match: string, kind: string): Promise<void>;
  close(): Promise<void>;
}

/** The Planhat sandbox over real HTTP on loopback, recording what reached it, for specs of the Planhat callers. */
export async function startRecordingSandbox(opts: SandboxOptions): Promise<RecordingSandbox> {
  const server = Fastify({ logger: false });
  const received: string[] = [];
  server.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.startsWith('/__')) received.push(`${req.method} ${req.url}`);
    done();
  });
  await server.register(createSandbox(opts).plugin);
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async fault(match, kind) {
      const res = await fetch(`${url}/__faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ match, fault: kind, times: 1 }),
      });
      if (res.status >= 300) throw new Error(`POST /__faults answered ${res.status}`);
    },
    close: () => server.close(),
  };
}
