import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { IdempotencyKeys1764700000000 } from './1764700000000-idempotency-keys';

/** Every migration, in order, imported as classes (no globs: works from dist and under jest/swc). */
export const MIGRATIONS = [InitialSchema1763900000000, IdempotencyKeys1764700000000];
