import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { ApiTokenScope1764600000000 } from './1764600000000-api-token-scope';
import { IdempotencyKeys1764700000000 } from './1764700000000-idempotency-keys';
import { SandboxTokenHash1764800000000 } from './1764800000000-sandbox-token-hash';
import { OAuth1764900000000 } from './1764900000000-oauth';
import { ScaleIndexes1764912500000 } from './1764912500000-scale-indexes';
import { McpAudit1764950000000 } from './1764950000000-mcp-audit';

/** Every migration, in order, imported as classes (no globs: works from dist and under jest/swc). */
export const MIGRATIONS = [
  InitialSchema1763900000000,
  ApiTokenScope1764600000000,
  IdempotencyKeys1764700000000,
  SandboxTokenHash1764800000000,
  OAuth1764900000000,
  ScaleIndexes1764912500000,
  McpAudit1764950000000,
];
