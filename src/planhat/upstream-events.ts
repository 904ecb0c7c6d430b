import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one finished Planhat exchange looked like, for whoever runs the work that made it (an MCP
 * tool call reports progress and log messages from these). Only bounded, non-secret facts: the HTTP
 * method, the catalog model (never the path, ids, query or token) and the outcome.
 */
export interface UpstreamEvent {
  method: string;
  /** The catalog model of the path (`companies`, …; `other` when none). */
  model: string;
  /** The HTTP status Planhat answered, or the transport failure. */
  outcome: number | 'timeout' | 'network_error';
  durationMs: number;
  /** Seconds Planhat asked to wait (its `Retry-After`), on a 429. */
  retryAfterS?: number;
}

/** Called after each Planhat exchange made inside `observeUpstream`; must not throw (errors are ignored). */
export type UpstreamObserver = (event: UpstreamEvent) => void;

const observers = new AsyncLocalStorage<UpstreamObserver>();

/**
 * Runs `work` with an observer of every Planhat exchange it makes, however deep (PlanhatClient reports
 * to it). The upstream layer stays unaware of who listens: callers above it (MCP) pass a function in.
 */
export function observeUpstream<T>(observer: UpstreamObserver, work: () => T): T {
  // Nested scopes add up: an outer observer (the audit's count) keeps hearing what an inner one
  // (the call's notifications) hears.
  const outer = observers.getStore();
  const both: UpstreamObserver = outer
    ? (event) => {
        try {
          outer(event);
        } finally {
          observer(event);
        }
      }
    : observer;
  return observers.run(both, work);
}

/** The observer of the work in progress, if any (read by PlanhatClient once per exchange). */
export function upstreamObserver(): UpstreamObserver | undefined {
  return observers.getStore();
}
