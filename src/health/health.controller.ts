import { Controller, Get, Header, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/public.decorator';

type IndicatorMap = Record<string, { status: 'up' | 'down'; message?: string }>;

export interface HealthResult {
  status: 'ok' | 'error';
  info: IndicatorMap;
  error: IndicatorMap;
  details: IndicatorMap;
}

const PING_TIMEOUT_MS = 3000;

/** OpenAPI schema of a health answer (same shape as the one @nestjs/terminus documented before). */
function healthSchema(status: 'ok' | 'error') {
  const indicators = (example: object) => ({
    type: 'object',
    example,
    additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string' } }, additionalProperties: true },
  });
  const up = { database: { status: 'up' } };
  const down = { redis: { status: 'down', message: 'Could not connect' } };
  return {
    type: 'object',
    properties: {
      status: { type: 'string', example: status },
      info: { ...indicators(up), nullable: true },
      error: { ...indicators(status === 'error' ? down : {}), nullable: true },
      details: indicators(status === 'error' ? { ...up, ...down } : up),
    },
  };
}

/**
 * GET /health: pings the database (`SELECT 1`, 3 s timeout). Written by hand rather than with
 * @nestjs/terminus: one check does not need the library, and terminus resolves TypeORM with a
 * require() computed at run time, which a bundled build cannot follow (it loaded a second copy).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly log = new Logger('Health');

  constructor(private readonly dataSource: DataSource) {}

  @Public()
  @Get()
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  @ApiServiceUnavailableResponse({ description: 'The Health Check is not successful', schema: healthSchema('error') })
  @ApiOkResponse({ description: 'The Health Check is successful', schema: healthSchema('ok') })
  async check(): Promise<HealthResult> {
    const database = await this.pingDatabase();
    if (database.status === 'up') {
      return { status: 'ok', info: { database }, error: {}, details: { database } };
    }
    const result: HealthResult = { status: 'error', info: {}, error: { database }, details: { database } };
    this.log.error(`Health Check has failed! ${JSON.stringify(result.details)}`);
    throw new ServiceUnavailableException(result);
  }

  private async pingDatabase(): Promise<{ status: 'up' | 'down'; message?: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), PING_TIMEOUT_MS);
    });
    try {
      const outcome = await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      if (outcome === 'timeout') return { status: 'down', message: `timeout of ${PING_TIMEOUT_MS}ms exceeded` };
      return { status: 'up' };
    } catch {
      return { status: 'down' };
    } finally {
      clearTimeout(timer);
    }
  }
}
