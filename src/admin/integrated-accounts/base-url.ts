import { isIP } from 'node:net';
import { GatewayError } from '../../common/errors';

const hint = (allowed: string[]) =>
  `Use https://<host> with one of the allowed hosts (PLANHAT_ALLOWED_HOSTS): ${allowed.join(', ')}.`;

/**
 * The SSRF guard for `custom` accounts: https only, host exactly on the allowlist (case-insensitive),
 * no IP literals, no credentials, no port but 443. Returns the normalised origin (path dropped).
 */
export function allowedBaseUrl(raw: string, allowedHosts: string[], field = 'base_url'): string {
  const bad = (why: string) => GatewayError.invalid(`${field} ${why}`, { field }, hint(allowedHosts));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('is not an absolute URL');
  }
  if (url.protocol !== 'https:') throw bad('must use https');
  if (url.username || url.password) throw bad('must not contain credentials');
  if (url.port !== '' && url.port !== '443') throw bad('must not name a port other than 443');
  const host = url.hostname.toLowerCase();
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) throw bad('must not be an IP address');
  if (!allowedHosts.map((h) => h.toLowerCase()).includes(host)) throw bad(`host "${host}" is not allowed`);
  return `https://${host}`;
}
