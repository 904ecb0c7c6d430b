import { Body, Controller, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { GatewayError } from '../../common/errors';
import { PlanhatAnalyticsService, TENANT_TOKEN_HEADER, type AnalyticsKind } from '../analytics.service';

const ACCOUNT = {
  name: 'integrated_account_id',
  required: true,
  description: 'Integrated account (connected Planhat tenant) id, from GET /integrated-account',
};
const TENANT = {
  name: TENANT_TOKEN_HEADER,
  required: false,
  description:
    "Planhat tenant token (the analytics endpoints' credential; required but for sandbox accounts, whose token is derived). Never logged.",
};
const ACTIONS: Record<string, AnalyticsKind> = { track: 'track', bulk: 'bulk', segment: 'segment' };

/**
 * Planhat's analytics host through the proxy: user activities (one, bulk, Segment format) and metric
 * pushes. Planhat answers 200 with `{processed, errors}`-style summaries; the gateway passes them on.
 */
@ApiTags('proxy')
@ApiBearerAuth()
@Controller('proxy')
export class AnalyticsController {
  constructor(private readonly analytics: PlanhatAnalyticsService) {}

  @Post('user_activities/:action')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Track user activities (Planhat analytics)',
    description:
      'track: one activity {email or externalId, action, name?, companyExternalId?, date?, weight?, info?} → POST /analytics/{tenant}; ' +
      'bulk: an array of them → POST /analytics/bulk/{tenant}; segment: a Segment call {type, event, userId, ...} → POST /dock/segment.',
  })
  @ApiParam({ name: 'action', enum: Object.keys(ACTIONS) })
  @ApiQuery(ACCOUNT)
  @ApiHeader(TENANT)
  @ApiBody({
    schema: {
      oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }],
      example: { email: 'ada@acme.com', action: 'Logged in', date: '2026-01-31T12:00:00Z' },
    },
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  async track(
    @Param('action') action: string,
    @Query('integrated_account_id') account: string | undefined,
    @Body() body: unknown,
    @Headers(TENANT_TOKEN_HEADER) tenant: unknown,
  ) {
    const kind = Object.prototype.hasOwnProperty.call(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (!kind)
      throw GatewayError.notFound(
        `Unknown user_activities action "${action.slice(0, 40)}"`,
        'Valid: track, bulk, segment',
      );
    return (await this.analytics.send(account, kind, body, tenant)).body;
  }

  @Post('dimension_data/push')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Push metric values (Planhat analytics POST /dimensiondata/{tenant})',
    description:
      'One item or an array (at most 5000) of {dimensionId, value, externalId? (the company), model? (Company|EndUser|Asset|Project), date?}. Read them back with GET /proxy/dimension_data.',
  })
  @ApiQuery(ACCOUNT)
  @ApiHeader(TENANT)
  @ApiBody({
    schema: {
      oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }],
      example: [{ dimensionId: 'activeUsers', value: 42, externalId: 'ACME-0001', date: '2026-01-31' }],
    },
  })
  @ApiOkResponse({
    schema: { type: 'object', properties: { processed: { type: 'integer' }, errors: { type: 'array', items: {} } } },
  })
  async push(
    @Query('integrated_account_id') account: string | undefined,
    @Body() body: unknown,
    @Headers(TENANT_TOKEN_HEADER) tenant: unknown,
  ) {
    return (await this.analytics.send(account, 'metrics', body, tenant)).body;
  }
}
