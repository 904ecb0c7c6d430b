/** Deterministic helpers for the sandbox: a seeded PRNG and ObjectId-shaped ids. */

/** mulberry32: a tiny, fast, seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, for deriving per-model seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A random helper bundle over one PRNG. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Pick by weights: [[value, weight], ...]. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  /** Up to n distinct items. */
  some<T>(items: readonly T[], n: number): T[] {
    const out = new Set<T>();
    const want = Math.min(n, items.length);
    while (out.size < want) out.add(this.pick(items));
    return [...out];
  }
}

/** Seconds timestamp used in the ObjectIds of seeded records (2024-01-01T00:00:00Z), stable across runs. */
export const SEED_ID_TIMESTAMP = 1704067200;

/**
 * A 24-lowercase-hex ObjectId: 4-byte timestamp, 2-byte model tag, 6-byte counter. Ids of one
 * collection ascend with insertion order (the timestamp never decreases, the counter always grows),
 * so string order of `_id` equals insertion order.
 */
export function objectId(timestampSec: number, tag: number, counter: number): string {
  return (
    (timestampSec >>> 0).toString(16).padStart(8, '0') +
    (tag & 0xffff).toString(16).padStart(4, '0') +
    counter.toString(16).padStart(12, '0')
  );
}

export const DAY_MS = 86_400_000;
