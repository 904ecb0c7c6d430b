import { isIP } from 'node:net';

/**
 * The SSRF rule for every outbound Planhat host the gateway is told about (an integrated account's
 * `base_url`, PLANHAT_ANALYTICS_URL): https only, no credentials, no port but 443, no IP literal,
 * host exactly on the allowlist (case-insensitive). Returns the normalised origin (path dropped);
 * otherwise throws what `bad(why)` builds, so each caller keeps its own error type.
 */
export function httpsOriginOn(raw: string, allowedHosts: readonly string[], bad: (why: string) => Error): string {
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
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0 || /^[\d.]+$/.test(host)) throw bad('must not be an IP address');
  if (!allowedHosts.map((h) => h.toLowerCase()).includes(host)) throw bad(`host "${host}" is not allowed`);
  return `https://${host}`;
}
