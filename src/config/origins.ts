/** Parsing of ALLOWED_ORIGINS, at boot (the request-time check is src/common/origin-guard.ts). */

/**
 * One ALLOWED_ORIGINS entry as an origin (`scheme://host[:port]`), or an error message: http or
 * https only, no credentials, no path, query or fragment, no wildcard.
 */
export function parseOrigin(raw: string): { origin: string } | { error: string } {
  const v = raw.trim();
  if (v === '') return { error: 'has an empty entry' };
  if (v.includes('*')) return { error: `"${v}": wildcards are not allowed, list each origin` };
  if (!URL.canParse(v)) return { error: `"${v}" is not an origin like https://app.example.com` };
  const u = new URL(v);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `"${v}": only http and https origins` };
  if (u.username || u.password) return { error: `"${v}": an origin has no credentials` };
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) {
    return { error: `"${v}": an origin has no path, query or fragment` };
  }
  return { origin: u.origin };
}

/** ALLOWED_ORIGINS (comma-separated) as normalised origins; throws naming the first bad entry. */
export function parseAllowedOrigins(csv: string | undefined, fail: (why: string) => Error): string[] {
  if (csv === undefined || csv.trim() === '') return [];
  const out: string[] = [];
  for (const entry of csv.split(',')) {
    const r = parseOrigin(entry);
    if ('error' in r) throw fail(r.error);
    out.push(r.origin);
  }
  return [...new Set(out)];
}
