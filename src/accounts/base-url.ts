import { GatewayError } from '../common/errors';
import { httpsOriginOn } from '../config/https-origin';

const hint = (allowed: string[]) =>
  `Use https://<host> with one of the allowed hosts (PLANHAT_ALLOWED_HOSTS): ${allowed.join(', ')}.`;

/**
 * The SSRF guard for `custom` accounts: https only, host exactly on the allowlist (case-insensitive),
 * no IP literals, no credentials, no port but 443. Returns the normalised origin (path dropped).
 */
export function allowedBaseUrl(raw: string, allowedHosts: string[], field = 'base_url'): string {
  return httpsOriginOn(raw, allowedHosts, (why) =>
    GatewayError.invalid(`${field} ${why}`, { field }, hint(allowedHosts)),
  );
}
