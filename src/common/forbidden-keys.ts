import { MAX_JSON_DEPTH } from './body-parsing';

/** Key names that could reach an object's prototype when a body is merged or copied: refused everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const isForbiddenKey = (key: string): boolean => FORBIDDEN_KEYS.has(key);

/**
 * The first key path (`a.b.0.__proto__`) named `__proto__`, `constructor` or `prototype` in a parsed
 * value, if any. The one check behind DTO bodies, catalog records and query parameter names. It
 * looks as deep as a body may be nested (MAX_JSON_DEPTH, refused earlier when deeper), so no key
 * hides below it.
 */
export function forbiddenKeyPath(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const p = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return p;
    const found = forbiddenKeyPath((value as Record<string, unknown>)[key], p, depth + 1);
    if (found) return found;
  }
  return undefined;
}
