import { z } from 'zod';
import { isForbiddenKey } from '../common/forbidden-keys';

/**
 * The customer-success insights: one entry per insight, read by the REST controller
 * (`GET /insights/<name>`) and meant to be read by an MCP provider as well (one tool per entry,
 * the same name, description and input schema). Each insight is a method of InsightsService with
 * the same name, taking the parsed input and returning a plain JSON-able result that always carries
 * `upstream_calls` (the number of Planhat requests it made).
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const isoDate = (what: string) =>
  z
    .string()
    .regex(ISO_DATE, 'must be an ISO 8601 date, e.g. 2026-01-31 or 2026-01-31T00:00:00Z')
    .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a valid date')
    .describe(what);
/** Integers arrive as query strings over REST and as numbers over MCP. */
const int = (min: number, max: number, fallback: number, what: string) =>
  z.coerce.number().int().min(min).max(max).default(fallback).describe(`${what} (${min}–${max}, default ${fallback})`);
const cap = (fallback: number) =>
  int(1, 25, fallback, 'Items listed per section or group; every section still reports its full count');

export const resolveInput = z
  .object({
    query: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('A company name (or its start), a domain, an email, an externalId, a sourceId or a Planhat _id'),
    types: z
      .enum(['companies', 'endusers', 'both'])
      .default('both')
      .describe('Which records to search: companies, endusers or both (default both)'),
    limit: cap(10),
  })
  .strict();

export const account360Input = z
  .object({
    company: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The company: its Planhat _id, extid-<externalId> or srcid-<sourceId>'),
    limit: cap(5),
  })
  .strict();

export const upcomingRenewalsInput = z
  .object({
    days: int(1, 730, 90, 'Renewals from now to this many days ahead'),
    source: z
      .enum(['companies', 'licenses'])
      .default('companies')
      .describe(
        "What renews: companies (their renewalDate) or licenses (each license's renewalDate, or toDate when it has none); default companies",
      ),
    group_by: z
      .enum(['owner', 'phase'])
      .default('owner')
      .describe("Group by the company's owner (CSM) or phase; default owner"),
    limit: cap(5),
  })
  .strict();

export const churnSummaryInput = z
  .object({
    from: isoDate('Start of the period (inclusive); default 90 days ago').optional(),
    to: isoDate('End of the period (inclusive; a bare date means the end of that day); default now').optional(),
    limit: cap(5),
  })
  .strict();

export const npsSummaryInput = z
  .object({
    from: isoDate('Responses answered from this date (inclusive); default 365 days ago').optional(),
    to: isoDate(
      'Responses answered up to this date (inclusive; a bare date means the end of that day); default now',
    ).optional(),
    segment_field: z
      .string()
      .trim()
      .regex(
        /^[A-Za-z_][\w ]{0,63}(\.[A-Za-z_][\w %]{0,63})?$/,
        'must be a company field name such as phase or custom.Segment',
      )
      // A name that would read an object's prototype instead of a record field.
      .refine((f) => !f.split('.').some(isForbiddenKey), 'names a field that is not allowed')
      .optional()
      .describe('A company field to break the score down by, e.g. phase, status or custom.Segment'),
  })
  .strict();

export const overdueInvoicesInput = z
  .object({
    limit: int(1, 50, 20, 'Overdue invoices listed, most overdue first; the totals cover all of them'),
  })
  .strict();

export interface InsightDefinition<S extends z.ZodType = z.ZodType> {
  /** Tool name and REST path segment (`/insights/<name>`). */
  name: string;
  /** One line for Swagger. */
  summary: string;
  /** One paragraph for an LLM choosing a tool. */
  description: string;
  input: S;
}

const define = <S extends z.ZodType>(d: InsightDefinition<S>) => d;

export const INSIGHTS = {
  resolve: define({
    name: 'resolve',
    summary: 'Find companies and endusers by name, domain, email, externalId or sourceId',
    description:
      'Turns what a person calls a customer into Planhat ids. Give a company name (or its first letters), a web domain, an email address, an externalId, a sourceId or an _id; ' +
      'get back the matching companies and endusers with their _id, name and why each matched (exact: an id or the whole name/email; domain: the company domain or the email domain; prefix: the name starts with the query). ' +
      'Exact matches come first. Use it before any tool that needs a company or enduser id instead of listing records.',
    input: resolveInput,
  }),
  account_360: define({
    name: 'account_360',
    summary:
      'One company at a glance: core fields, open tickets, recent conversations, active licenses, latest NPS, open tasks',
    description:
      "Everything a CSM looks at before a call, in one small answer. Give the company's _id, extid-<externalId> or srcid-<sourceId>. " +
      'Returns its phase, status, health, MRR/ARR, renewal date and owner, then sections (open tickets, recent conversations, active licenses, NPS responses with the latest first, open tasks), each with its full count and at most `limit` items, newest first.',
    input: account360Input,
  }),
  upcoming_renewals: define({
    name: 'upcoming_renewals',
    summary: 'Companies or licenses renewing in the next N days, with summed MRR/ARR, grouped by owner or phase',
    description:
      'Answers "what renews this quarter and how much is at stake?". Lists the companies (or licenses) whose renewal date falls between now and `days` ahead, grouped by owner (CSM) or phase, ' +
      'with the count and summed MRR/ARR per group and overall, and the earliest renewals of each group (at most `limit`). Health is included so risky renewals stand out.',
    input: upcomingRenewalsInput,
  }),
  churn_summary: define({
    name: 'churn_summary',
    summary: 'Churn records of a period by reason, with summed value',
    description:
      'Answers "how much did we lose and why?". Sums the churn records whose churnDate falls in the period (default: the last 90 days): overall count, value (MRR lost) and ARR, and per reason the records and value that cite it ' +
      '(a record citing two reasons counts under both; the overall totals count it once). Downgrades (onlyDowngrade) are counted apart. Lists the largest records (at most `limit`).',
    input: churnSummaryInput,
  }),
  nps_summary: define({
    name: 'nps_summary',
    summary: 'NPS of a period: score, promoters/passives/detractors, distribution, by segment',
    description:
      'Answers "how do customers feel?". Over the NPS responses answered in the period (default: the last 365 days): the NPS score (percent promoters minus percent detractors, from -100 to 100), ' +
      'the number of promoters (9–10), passives (7–8) and detractors (0–6), the distribution of scores 0–10 and, with `segment_field` (a company field such as phase or custom.Segment), the same per segment value.',
    input: npsSummaryInput,
  }),
  overdue_invoices: define({
    name: 'overdue_invoices',
    summary: 'Invoices past their due date with an amount still due',
    description:
      'Answers "who owes us money?". Lists the invoices whose due date has passed and whose amountDue is above zero, most overdue first, with ISO dates and days overdue, ' +
      'the totals due per currency, and the companies owing the most. Planhat stores invoice dates as day numbers; they are given here as ISO dates.',
    input: overdueInvoicesInput,
  }),
} as const;

export type InsightName = keyof typeof INSIGHTS;
export type InsightInput<N extends InsightName> = z.output<(typeof INSIGHTS)[N]['input']>;
export const INSIGHT_LIST: readonly InsightDefinition[] = Object.values(INSIGHTS);
