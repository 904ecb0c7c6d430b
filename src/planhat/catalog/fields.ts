import { z } from 'zod';

/**
 * Field builders for the catalog. Each returns a zod schema with its description, so one
 * declaration serves the sandbox's validation, Swagger, and the MCP input schemas.
 */
const COMPANY_ID_HINT =
  "the company's 24-hex `_id` from list_all_planhat_companies (or `extid-<externalId>` / `srcid-<sourceId>`)";

export const f = {
  str: (d: string) => z.string().describe(d),
  text: (d: string) => z.string().max(100_000).describe(d),
  num: (d: string) => z.number().describe(d),
  int: (d: string) => z.number().int().describe(d),
  bool: (d: string) => z.boolean().describe(d),
  /** ISO 8601 date or date-time string. */
  iso: (d: string) => z.string().describe(`${d} (ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`),
  /** Integer number of days since 1970-01-01 (Planhat's "day" dates on invoices and timesheets). */
  day: (d: string) => z.number().int().describe(`${d} (integer days since 1970-01-01, e.g. 20454 = 2026-01-01)`),
  strs: (d: string) => z.array(z.string()).describe(d),
  oneOf: <T extends readonly [string, ...string[]]>(values: T, d: string) => z.enum(values).describe(d),
  obj: (d: string) => z.record(z.string(), z.unknown()).describe(d),
  objs: (d: string) => z.array(z.record(z.string(), z.unknown())).describe(d),
  companyId: (what = 'Company') => z.string().describe(`${what}: ${COMPANY_ID_HINT}`),
  userId: (d: string) =>
    z.string().describe(`${d}: a user's \`_id\` from list_all_planhat_users (a Planhat team member, not an enduser)`),
  enduserId: (d: string) => z.string().describe(`${d}: an enduser's \`_id\` from list_all_planhat_endusers`),
};

/** `externalId` and `sourceId`, shared by most models. */
export const keyFields = {
  externalId: f.str('Your own id for this record (unique per model within a company); usable as `extid-<externalId>`'),
  sourceId: f.str('Id of this record in a source integration such as a CRM; usable as `srcid-<sourceId>`'),
};

/** Filter on company ids, shared by company-scoped models. */
export const companyFilter = {
  companyId: z
    .string()
    .describe(`Only records of these companies: one or more comma-separated ids; each is ${COMPANY_ID_HINT}`),
};
