import { Injectable } from '@nestjs/common';
import { ErrorCode as RpcCode, McpError, type GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { contextOf } from './context';
import { Prompt } from './mcp-nest';
import { allowedTools, type McpServerConfig } from '../mcp-servers/policy';

/**
 * MCP prompts: the customer-success workflows an agent user starts from, declared with mcp-nest's
 * `@Prompt` on CsPrompts. Each prompt names the tools it expects (`tools`, real names of the tool
 * index) and its text tells the agent which to call in which order. A prompt is offered by a
 * server only when its policy allows every one of those tools (method and tag filters, as for
 * tools/list; on discovery or model-actions servers the same tools are reached through call_tool or
 * the model actions): it is hidden from prompts/list (server-hooks.ts filters the list) and
 * refused on prompts/get otherwise. No context or an unusable config offers nothing (fail closed).
 */
export interface PromptDef {
  name: string;
  description: string;
  /** The tools the prompt's text tells the agent to call: all must be allowed. */
  tools: readonly string[];
  parameters: z.ZodObject<Record<string, z.ZodType>>;
  text: (args: Record<string, string | undefined>) => string;
}

const company = z
  .string()
  .min(1)
  .max(200)
  .describe('Company name, domain or Planhat id (resolved with the resolve tool)');
const days = z
  .string()
  .regex(/^\d{1,3}$/, 'a whole number of days from 1 to 730')
  .optional()
  .describe('How many days ahead (1 to 730; default 90)');

export const PROMPT_DEFS: readonly PromptDef[] = [
  {
    name: 'prepare_qbr',
    description:
      'Prepare a quarterly business review for a company: health, usage, renewals, NPS, open work and talking points.',
    tools: ['resolve', 'account_360', 'nps_summary', 'list_all_planhat_opportunities', 'list_all_planhat_tasks'],
    parameters: z.object({ company }),
    text: ({ company: c }) =>
      [
        `Prepare a QBR (quarterly business review) for the customer "${c}".`,
        `1. Call resolve with query "${c}" to get the company's Planhat _id (never guess an id; if several match, ask me which one).`,
        '2. Call account_360 with that companyId: health, phase, MRR/ARR, renewal date, owner, licenses, open issues and recent activity.',
        '3. Call nps_summary with that companyId for the NPS trend and the latest verbatim comments.',
        '4. Call list_all_planhat_opportunities with companyId for open expansion or renewal opportunities.',
        '5. Call list_all_planhat_tasks with companyId for open tasks and overdue follow-ups.',
        'Then write the QBR: an executive summary, value delivered, health and risks, renewal and expansion outlook, NPS highlights, and 3-5 agenda items with owners. Cite the figures you used.',
      ].join('\n'),
  },
  {
    name: 'renewal_risk_review',
    description: 'Review renewal risk for renewals due in the next N days: which accounts are at risk and what to do.',
    tools: ['upcoming_renewals', 'account_360', 'churn_summary'],
    parameters: z.object({ days }),
    text: ({ days: d }) =>
      [
        `Review renewal risk for renewals due in the next ${d ?? '90'} days.`,
        `1. Call upcoming_renewals with days ${d ?? '90'} to list the renewals and their value by owner.`,
        '2. For the largest or lowest-health renewals (up to 10), call account_360 with each companyId: health, usage trend, open issues, NPS.',
        '3. Call churn_summary for recent churn reasons, to recognise the same patterns in the renewals.',
        'Then rank the renewals by risk (high, medium, low) with the evidence for each, the value at stake, and one concrete next step and owner per at-risk account.',
      ].join('\n'),
  },
  {
    name: 'triage_open_tickets',
    description: "Triage a company's open support tickets: prioritise, update their status and create follow-up tasks.",
    tools: ['resolve', 'list_all_ticketing_tickets', 'update_a_ticketing_ticket_by_id', 'create_a_planhat_task'],
    parameters: z.object({ company }),
    text: ({ company: c }) =>
      [
        `Triage the open support tickets of "${c}".`,
        `1. Call resolve with query "${c}" to get the company's Planhat _id (never guess an id).`,
        '2. Call list_all_ticketing_tickets filtered to that account and open status; follow next_cursor until you have them all.',
        '3. Classify each ticket by urgency and theme; propose a priority and status for each and show me the list before changing anything.',
        '4. When I confirm, call update_a_ticketing_ticket_by_id for each ticket whose priority or status changes.',
        '5. For tickets that need account-team action, call create_a_planhat_task with the companyId, a clear title and a due date.',
        'End with a summary: counts by priority, the changes made, and the tasks created.',
      ].join('\n'),
  },
  {
    name: 'weekly_churn_digest',
    description: 'A weekly churn digest: churn and downgrades, NPS movement, overdue invoices and renewals coming up.',
    tools: ['churn_summary', 'nps_summary', 'overdue_invoices', 'upcoming_renewals'],
    parameters: z.object({}),
    text: () =>
      [
        "Write this week's churn digest for the customer-success team.",
        '1. Call churn_summary for the last 7 days (from = 7 days ago) and for the last 90 days, to compare.',
        '2. Call nps_summary for the last 30 days: detractors and their comments.',
        '3. Call overdue_invoices: overdue amounts are an early churn signal.',
        '4. Call upcoming_renewals with days 30: renewals that need attention now.',
        'Then write the digest: headline numbers, churned and downgraded accounts with reasons, new detractors, overdue accounts, renewals at risk, and recommended actions.',
      ].join('\n'),
  },
];

/** A prompt that does not exist and one the policy hides get the same answer: a hidden prompt is not revealed. */
export const unknownPrompt = (name: string) => new McpError(RpcCode.InvalidParams, `Unknown prompt: ${name}`);

const byName = new Map(PROMPT_DEFS.map((p) => [p.name, p]));

/** Whether a server with this config offers the prompt: every tool it names is allowed (none for an unusable config). */
export function promptAllowed(name: string, config: McpServerConfig | undefined): boolean {
  const def = byName.get(name);
  if (!def || !config) return false;
  const allowed = new Set(allowedTools(config).map((t) => t.name));
  return def.tools.every((t) => allowed.has(t));
}

function render(name: string, args: unknown, req: unknown): GetPromptResult {
  const def = byName.get(name) as PromptDef;
  const ctx = contextOf(req);
  if (!ctx || !promptAllowed(name, ctx.config)) {
    // server-hooks.ts answers this before the method runs; checked again here (fail closed).
    throw unknownPrompt(name);
  }
  const parsed = def.parameters.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new McpError(
      RpcCode.InvalidParams,
      `Invalid arguments for prompt ${name}: ${issue.path.join('.') || 'arguments'}: ${issue.message}`,
    );
  }
  if (typeof parsed.data.days === 'string' && (Number(parsed.data.days) < 1 || Number(parsed.data.days) > 730)) {
    throw new McpError(
      RpcCode.InvalidParams,
      `Invalid arguments for prompt ${name}: days: a whole number of days from 1 to 730`,
    );
  }
  return {
    description: def.description,
    messages: [
      { role: 'user', content: { type: 'text', text: def.text(parsed.data as Record<string, string | undefined>) } },
    ],
  };
}

const decl = (name: string) => {
  const def = byName.get(name) as PromptDef;
  return Prompt({ name, description: def.description, parameters: def.parameters });
};

@Injectable()
export class CsPrompts {
  @decl('prepare_qbr')
  prepare_qbr(args: unknown, _c: unknown, req: unknown): GetPromptResult {
    return render('prepare_qbr', args, req);
  }

  @decl('renewal_risk_review')
  renewal_risk_review(args: unknown, _c: unknown, req: unknown): GetPromptResult {
    return render('renewal_risk_review', args, req);
  }

  @decl('triage_open_tickets')
  triage_open_tickets(args: unknown, _c: unknown, req: unknown): GetPromptResult {
    return render('triage_open_tickets', args, req);
  }

  @decl('weekly_churn_digest')
  weekly_churn_digest(args: unknown, _c: unknown, req: unknown): GetPromptResult {
    return render('weekly_churn_digest', args, req);
  }
}
