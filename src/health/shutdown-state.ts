import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';

/**
 * Whether a graceful shutdown has started (set by the HTTP server's preClose hook; readiness reads
 * it), and the long-lived streams (legacy SSE) to end when it does: they never finish by themselves.
 */
@Injectable()
export class ShutdownState {
  closing = false;
  private readonly streams = new Set<ServerResponse>();

  /** Tracks a streaming response until it closes. */
  trackStream(res: ServerResponse): void {
    this.streams.add(res);
    res.once('close', () => this.streams.delete(res));
  }

  /** Ends every tracked stream (clients see the stream end and reconnect elsewhere). */
  endStreams(): number {
    const n = this.streams.size;
    for (const res of this.streams) res.end();
    this.streams.clear();
    return n;
  }
}
