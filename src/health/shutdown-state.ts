import { Injectable } from '@nestjs/common';

/** Whether a graceful shutdown has started (set by the HTTP server's preClose hook; readiness reads it). */
@Injectable()
export class ShutdownState {
  closing = false;
}
