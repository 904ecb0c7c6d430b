import { applyDecorators, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { GatewayError } from '../common/errors';
import { INSIGHTS, type InsightDefinition, type InsightInput, type InsightName } from './insights.definitions';
import { InsightsService } from './insights.service';

const ACCOUNT = {
  name: 'integrated_account_id',
  required: true,
  description: 'Integrated account (connected Planhat tenant) id, from GET /integrated-account',
};

/** The route of one insight: GET, Swagger summary/description and one query parameter per input field, from its definition. */
function InsightRoute(def: InsightDefinition) {
  const schema = z.toJSONSchema(def.input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const params = Object.entries(schema.properties ?? {}).map(([name, p]) =>
    ApiQuery({
      name,
      required: (schema.required ?? []).includes(name),
      description: String(p.description ?? ''),
      schema: p as never,
    }),
  );
  return applyDecorators(
    Get(def.name),
    ApiOperation({
      summary: def.summary,
      description: `${def.description} The result reports upstream_calls, the Planhat requests it took.`,
    }),
    ApiQuery(ACCOUNT),
    ...params,
    ApiOkResponse({
      schema: {
        type: 'object',
        additionalProperties: true,
        properties: { upstream_calls: { type: 'integer', example: 3 } },
      },
    }),
  );
}

/** The integrated account of a request, then the insight's input parsed by its zod schema (a 400 naming the field otherwise). */
export function parseInsightQuery<N extends InsightName>(
  name: N,
  query: Record<string, unknown>,
): { account: string; input: InsightInput<N> } {
  const { integrated_account_id: id, ...rest } = query;
  if (Array.isArray(id))
    throw GatewayError.invalid('Query parameter integrated_account_id was given more than once; pass one id');
  if (typeof id !== 'string' || id === '') {
    throw GatewayError.invalid(
      'Missing required query parameter: integrated_account_id',
      undefined,
      'Pass ?integrated_account_id=<id> from GET /integrated-account.',
    );
  }
  for (const [k, v] of Object.entries(rest)) {
    if (Array.isArray(v)) throw GatewayError.invalid(`Query parameter ${k} was given more than once`, { field: k });
  }
  const parsed = INSIGHTS[name].input.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const field = keys.length ? keys.join(', ') : issue.path.join('.') || 'query';
    const message = keys.length
      ? `Unknown query parameter: ${field}`
      : `Invalid query parameter ${field}: ${issue.message}`;
    const known = Object.keys((INSIGHTS[name].input as unknown as z.ZodObject).shape).join(', ');
    throw GatewayError.invalid(message, { field }, `${name} takes: integrated_account_id, ${known}.`);
  }
  return { account: id, input: parsed.data as InsightInput<N> };
}

/**
 * Customer-success insights over REST (`GET /insights/<name>`): the same definitions an MCP
 * provider reads. Same auth as the proxy (API token + integrated_account_id).
 */
@ApiTags('insights')
@ApiBearerAuth()
@Controller('insights')
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  @InsightRoute(INSIGHTS.resolve)
  resolve(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('resolve', query);
    return this.insights.resolve(account, input);
  }

  @InsightRoute(INSIGHTS.account_360)
  account360(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('account_360', query);
    return this.insights.account_360(account, input);
  }

  @InsightRoute(INSIGHTS.upcoming_renewals)
  upcomingRenewals(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('upcoming_renewals', query);
    return this.insights.upcoming_renewals(account, input);
  }

  @InsightRoute(INSIGHTS.churn_summary)
  churnSummary(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('churn_summary', query);
    return this.insights.churn_summary(account, input);
  }

  @InsightRoute(INSIGHTS.nps_summary)
  npsSummary(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('nps_summary', query);
    return this.insights.nps_summary(account, input);
  }

  @InsightRoute(INSIGHTS.overdue_invoices)
  overdueInvoices(@Query() query: Record<string, unknown>) {
    const { account, input } = parseInsightQuery('overdue_invoices', query);
    return this.insights.overdue_invoices(account, input);
  }
}
