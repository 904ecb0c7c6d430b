import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one MCP tool call did, counted while it runs: the tools/call hook (src/mcp/server-hooks.ts)
 * enters a scope around the call and counts the Planhat requests it hears of (observeUpstream in
 * src/planhat/upstream-events.ts), and the tool runner counts the records it wrote and names the
 * recorded change. Read by the audit log.
 */
export interface CallStats {
  upstream: number;
  written: number;
  changeId?: string;
}

export const callStats = new AsyncLocalStorage<CallStats>();

/** Records written by the current tool call, and the change it recorded (if any). */
export function countWritten(n: number, changeId?: string): void {
  const s = callStats.getStore();
  if (!s) return;
  s.written += n;
  if (changeId) s.changeId = changeId;
}
