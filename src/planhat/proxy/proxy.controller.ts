import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
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
import type { FastifyReply } from 'fastify';
import { DRY_RUN_QUERY, parseDryRun } from '../../common/dry-run';
import {
  IdempotencyService,
  idempotentReply,
  principalOf,
  IDEMPOTENCY_KEY_HEADER,
  type AuthedRequest,
} from '../../common/idempotency/idempotency.service';
import { modelKeys } from '../catalog';
import { PlanhatService, type Result } from '../planhat.service';

const RESOURCE = {
  name: 'resource',
  enum: modelKeys(),
  description: 'Planhat model, plural snake_case (e.g. companies, custom_fields, time_entries)',
};
const ACCOUNT = {
  name: 'integrated_account_id',
  required: true,
  description: 'Integrated account (connected Planhat tenant) id, from GET /integrated-account',
};
const ID = {
  name: 'id',
  description: "The record's _id, extid-<externalId> or srcid-<sourceId>",
  example: 'extid-ACME-0001',
};
const RECORD = {
  type: 'object',
  additionalProperties: true,
  example: { _id: '65a1f0c2e4b0a1b2c3d4e5f6', name: 'Acme Corp' },
};

function send<T>(reply: FastifyReply, res: Result<T>): T {
  reply.headers(res.rateLimit);
  return res.data;
}

/**
 * The native proxy (docs/contract.md §6): every catalog operation for an integrated account, as REST.
 * Lists are wrapped in `{result, next_cursor, result_count}`; records are Planhat's own objects.
 */
@ApiTags('proxy')
@ApiBearerAuth()
@Controller('proxy')
export class ProxyController {
  constructor(
    private readonly planhat: PlanhatService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get(':resource')
  @ApiOperation({
    summary: 'List records',
    description:
      'Planhat list parameters (sort, select, companyId and the model filters) pass through; paging uses limit and the opaque next_cursor.',
  })
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 100, clamped to the model maximum)' })
  @ApiQuery({ name: 'next_cursor', required: false, description: 'Cursor from the previous page' })
  @ApiQuery({ name: 'sort', required: false, description: 'Field, `-` prefix for descending' })
  @ApiQuery({ name: 'select', required: false, description: 'Comma-separated fields' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        result: { type: 'array', items: RECORD },
        next_cursor: { type: 'string', nullable: true },
        result_count: { type: 'integer' },
      },
    },
  })
  async list(
    @Param('resource') resource: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { integrated_account_id, limit, next_cursor, offset } = query;
    const page = await this.planhat.listPageJson(integrated_account_id as string | undefined, resource, query, {
      limit,
      next_cursor,
      offset,
    });
    reply.header('content-type', 'application/json; charset=utf-8');
    return send(reply, page);
  }

  @Post(':resource/bulk_upsert')
  @ApiOperation({
    summary: "Bulk upsert (Planhat's PUT on the collection)",
    description: 'Array body, at most 5000 items, matched on _id, sourceId, externalId (endusers also email).',
  })
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiBody({ schema: { type: 'array', items: RECORD } })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        result: {
          type: 'object',
          example: {
            created: 1,
            createdErrors: [],
            updated: 0,
            updatedErrors: [],
            insertsKeys: [],
            updatesKeys: [],
            nonupdates: 0,
            modified: [],
            upsertedIds: [],
            permissionErrors: [],
          },
        },
      },
    },
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async bulkUpsert(
    @Param('resource') resource: string,
    @Query('integrated_account_id') account: string | undefined,
    @Body() body: unknown,
    @Headers('idempotency-key') key: unknown,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const scope = {
      accountId: String(account ?? ''),
      principal: principalOf(req),
      route: `POST /proxy/${resource}/bulk_upsert`,
    };
    const answer = await this.idempotency.run(IdempotencyService.keyOf(key), scope, body, async () => {
      const res = await this.planhat.bulkUpsert(account, resource, body);
      return { status: res.status === 206 ? 206 : 200, body: { result: send(reply, res) } };
    });
    return idempotentReply(reply, answer);
  }

  @Post(':resource/duplicate')
  @HttpCode(201)
  @ApiOperation({
    summary: "Duplicate records (Planhat's POST /timeentries/duplicate)",
    description:
      'Body {"ids": [...]}, 1 to 500 ids; answers {result: [the copies]}. Time entries only (other models → 405).',
  })
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['ids'],
      properties: { ids: { type: 'array', items: { type: 'string' }, example: ['65a1f0c2e4b0a1b2c3d4e5f6'] } },
    },
  })
  @ApiOkResponse({ schema: { type: 'object', properties: { result: { type: 'array', items: RECORD } } } })
  async duplicate(
    @Param('resource') resource: string,
    @Query('integrated_account_id') account: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.planhat.duplicate(account, resource, body));
  }

  @Get(':resource/:id')
  @ApiOperation({ summary: 'Get one record' })
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiOkResponse({ schema: RECORD })
  async get(
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query('integrated_account_id') account: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.planhat.get(account, resource, id));
  }

  @Post(':resource')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a record',
    description: 'Required fields per model are in the catalog; a missing one is a 400 naming it.',
  })
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiBody({ schema: RECORD })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async create(
    @Param('resource') resource: string,
    @Query('integrated_account_id') account: string | undefined,
    @Body() body: unknown,
    @Headers('idempotency-key') key: unknown,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const scope = { accountId: String(account ?? ''), principal: principalOf(req), route: `POST /proxy/${resource}` };
    const answer = await this.idempotency.run(IdempotencyService.keyOf(key), scope, body, async () => ({
      status: 201,
      body: send(reply, await this.planhat.create(account, resource, body)),
    }));
    return idempotentReply(reply, answer);
  }

  @Patch(':resource/:id')
  @ApiOperation({ summary: 'Update a record (partial)' })
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(DRY_RUN_QUERY)
  @ApiBody({ schema: RECORD })
  async patch(
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query('integrated_account_id') account: string | undefined,
    @Query('dry_run') dry: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(
      reply,
      await (parseDryRun(dry)
        ? this.planhat.previewUpdate(account, resource, id, body)
        : this.planhat.update(account, resource, id, body)),
    );
  }

  @Put(':resource/:id')
  @ApiOperation({ summary: 'Update a record (partial, same as PATCH; Planhat semantics)' })
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(DRY_RUN_QUERY)
  @ApiBody({ schema: RECORD })
  put(
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query('integrated_account_id') account: string | undefined,
    @Query('dry_run') dry: unknown,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.patch(resource, id, account, dry, body, reply);
  }

  @Delete(':resource/:id')
  @ApiOperation({ summary: 'Delete a record', description: "Returns Planhat's delete body {n, ok, deletedCount}." })
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(DRY_RUN_QUERY)
  async remove(
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query('integrated_account_id') account: string | undefined,
    @Query('dry_run') dry: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(
      reply,
      await (parseDryRun(dry)
        ? this.planhat.previewDelete(account, resource, id)
        : this.planhat.delete(account, resource, id)),
    );
  }
}
