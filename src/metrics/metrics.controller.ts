import { timingSafeEqual, createHash } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiTokenVerifier } from '../common/auth/api-token-verifier';
import { bearerOf, Public } from '../common/auth/public.decorator';
import { ErrorCode, GatewayError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

function sameSecret(a: string, b: string): boolean {
  // Compared as SHA-256 digests: equal lengths for timingSafeEqual, and no early exit on length.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * GET /metrics, Prometheus text format. Needs `Authorization: Bearer <METRICS_TOKEN>` when that is
 * set, or an API token of scope `admin`; anything else (missing, unknown, revoked, `mcp` scope) is
 * refused, so the endpoint is never open by accident.
 */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly tokens: ApiTokenVerifier,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({
    description: 'Prometheus exposition format (text/plain; version=0.0.4)',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid token (METRICS_TOKEN or an admin API token)' })
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    await this.authorize(bearerOf(authorization));
    const { contentType, body } = await this.metrics.render();
    void reply.header('content-type', contentType).header('cache-control', 'no-store');
    return body;
  }

  private async authorize(bearer: string | undefined): Promise<void> {
    if (!bearer) {
      throw new GatewayError(ErrorCode.UNAUTHORIZED, 'Missing token', {
        hint: 'Send `Authorization: Bearer <METRICS_TOKEN>` or an API token of scope admin.',
      });
    }
    if (this.config.metricsToken && sameSecret(bearer, this.config.metricsToken)) return;
    const principal = await this.tokens.verify(bearer);
    if (!principal) {
      throw new GatewayError(ErrorCode.UNAUTHORIZED, 'Invalid or revoked token', {
        hint: 'Use METRICS_TOKEN or an API token of scope admin.',
      });
    }
    if (principal.scope !== 'admin') {
      throw new GatewayError(ErrorCode.FORBIDDEN, 'This API token cannot read metrics', {
        hint: 'Use METRICS_TOKEN or an API token of scope admin.',
      });
    }
  }
}
