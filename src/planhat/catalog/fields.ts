import { z } from 'zod';

/**
 * Field builders for the catalog. Each returns a zod schema with its description, so one
 * declaration serves the sandbox's validation, Swagger, and the MCP input schemas.
 */
const COMPANY_ID_HINT =
  "the company's 24-hex `_id` from list_all_planhat_companies (or `extid-<externalId>` / `srcid-<sourceId>`)";
const USER_ID_HINT = "a user's `_id` from list_all_planhat_users (a Planhat team member, not an enduser)";
const ENDUSER_ID_HINT = "an enduser's `_id` from list_all_planhat_endusers";
const ISO_HINT = ' (ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)';
const EXTERNAL_ID_HINT =
  'Your own id for this record (unique per model within a company); usable as `extid-<externalId>`';
const SOURCE_ID_HINT = 'Id of this record in a source integration such as a CRM; usable as `srcid-<sourceId>`';

/**
 * The parts of field descriptions that state a convention every MCP tool shares (which id a
 * company/user/enduser field takes, ISO dates, externalId/sourceId). An MCP server says them once
 * in its `instructions` and leaves them out of each tool's schema (src/mcp/schema-compact.ts);
 * Swagger keeps them.
 */
export const CONVENTION_HINTS: readonly string[] = [
  COMPANY_ID_HINT,
  USER_ID_HINT,
  ENDUSER_ID_HINT,
  ISO_HINT,
  EXTERNAL_ID_HINT,
  SOURCE_ID_HINT,
];

export const f = {
  str: (d: string) => z.string().describe(d),
  text: (d: string) => z.string().max(100_000).describe(d),
  num: (d: string) => z.number().describe(d),
  int: (d: string) => z.number().int().describe(d),
  bool: (d: string) => z.boolean().describe(d),
  /** ISO 8601 date or date-time string. */
  iso: (d: string) => z.string().describe(`${d}${ISO_HINT}`),
  /** Integer number of days since 1970-01-01 (Planhat's "day" dates on invoices and timesheets). */
  day: (d: string) => z.number().int().describe(`${d} (integer days since 1970-01-01, e.g. 20454 = 2026-01-01)`),
  strs: (d: string) => z.array(z.string()).describe(d),
  oneOf: <T extends readonly [string, ...string[]]>(values: T, d: string) => z.enum(values).describe(d),
  obj: (d: string) => z.record(z.string(), z.unknown()).describe(d),
  objs: (d: string) => z.array(z.record(z.string(), z.unknown())).describe(d),
  companyId: (what = 'Company') => z.string().describe(`${what}: ${COMPANY_ID_HINT}`),
  userId: (d: string) => z.string().describe(`${d}: ${USER_ID_HINT}`),
  enduserId: (d: string) => z.string().describe(`${d}: ${ENDUSER_ID_HINT}`),
};

/** `externalId` and `sourceId`, shared by most models. */
export const keyFields = {
  externalId: f.str(EXTERNAL_ID_HINT),
  sourceId: f.str(SOURCE_ID_HINT),
};

/** Filter on company ids, shared by company-scoped models. */
export const companyFilter = {
  companyId: z.string().describe(`Only records of these companies (comma-separated ids): ${COMPANY_ID_HINT}`),
};
