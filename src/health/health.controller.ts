import { Controller, Get, Header, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/public.decorator';
import { ReadinessIndicators } from './readiness.indicators';

/** OpenAPI schema of a health answer (terminus's shape: status, info, error, details). */
function healthSchema(status: 'ok' | 'error', up: object, down: object = {}) {
  const indicators = (example: object) => ({
    type: 'object',
    example,
    additionalProperties: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string' } },
      additionalProperties: true,
    },
  });
  return {
    type: 'object',
    properties: {
      status: { type: 'string', example: status },
      info: { ...indicators(up), nullable: true },
      error: { ...indicators(down), nullable: true },
      details: indicators({ ...up, ...down }),
    },
  };
}

/**
 * Health with @nestjs/terminus. `GET /health` is liveness: the process answers HTTP (no dependency
 * is checked, so a database outage does not make an orchestrator restart healthy instances).
 * `GET /health/ready` is readiness: the database answers, Redis answers when REDIS_URL is set,
 * every migration is applied, and the gateway is not shutting down. Both are public and uncached.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: ReadinessIndicators,
  ) {}

  @Public()
  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiOkResponse({ description: 'The process is alive', schema: healthSchema('ok', { gateway: { status: 'up' } }) })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, [() => this.indicators.alive()]);
  }

  @Public()
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiOkResponse({
    description: 'Ready: database reachable, Redis reachable (when configured), migrations applied, not shutting down',
    schema: healthSchema('ok', {
      database: { status: 'up' },
      redis: { status: 'up' },
      migrations: { status: 'up' },
      shutdown: { status: 'up' },
    }),
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: the failing checks are under `error`',
    schema: healthSchema(
      'error',
      { database: { status: 'up' } },
      { redis: { status: 'down', message: 'timeout of 3000ms exceeded' } },
    ),
  })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.answer(reply, this.indicators.readiness());
  }

  /**
   * Terminus throws a 503 carrying the result when a check fails; the gateway's error filter would
   * turn any 5xx exception into a generic 500, so the result is answered here, as terminus shapes it.
   */
  private async answer(reply: FastifyReply, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }
}
