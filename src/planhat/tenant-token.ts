import { createHash } from 'node:crypto';

/**
 * The sandbox tenant token of a sandbox API token: a UUID derived from it, so the gateway and the
 * sandbox (which emulates Planhat's analytics host, addressed by tenant token) agree without storing it.
 */
export function sandboxTenantToken(apiToken: string): string {
  const h = createHash('sha256').update(`planhat-sandbox-tenant:${apiToken}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
