import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DRY_RUN_QUERY } from '../common/dry-run';
import { GatewayError } from '../common/errors';
import {
  IdempotencyService,
  idempotentReply,
  principalOf,
  IDEMPOTENCY_KEY_HEADER,
  type AuthedRequest,
} from '../common/idempotency/idempotency.service';
import { UnifiedService, type UnifiedResult } from './unified.service';

const API = { name: 'api', enum: ['crm', 'ticketing'], description: 'Unified API', example: 'crm' };
const RESOURCE = {
  name: 'resource',
  description:
    'crm: accounts, contacts, users, opportunities, tasks, notes, engagements, fields, projects; ticketing: tickets, accounts, contacts, users, fields, workspaces, collections',
  example: 'accounts',
};
const ACCOUNT = {
  name: 'integrated_account_id',
  required: true,
  description: 'Integrated account (connected Planhat tenant) id, from GET /integrated-account',
};
const ID = {
  name: 'id',
  description: "The record's id (Planhat _id; extid-<externalId> and srcid-<sourceId> also work)",
  example: '65a1f0c2e4b0a1b2c3d4e5f6',
};
const REMOTE = {
  name: 'include_remote_data',
  required: false,
  enum: ['true', 'false'],
  description: 'Attach the Planhat record as remote_data (default true)',
};
const IGNORE_REMOTE = {
  name: 'truto_ignore_remote_data',
  required: false,
  enum: ['true', 'false'],
  description: "Truto's name: true leaves remote_data out",
};
const FORMAT = {
  name: 'truto_response_format',
  required: false,
  enum: ['unified', 'normalized', 'raw'],
  description:
    'unified (default): unified fields and remote_data; normalized: unified fields only; raw: the Planhat records (stream is a 400)',
};
const RECORD = {
  type: 'object',
  additionalProperties: true,
  example: {
    id: '65a1f0c2e4b0a1b2c3d4e5f6',
    name: 'Acme Corp',
    owner: { id: '65a1f0c2e4b0a1b2c3d4e500' },
    created_at: '2025-01-31T12:00:00.000Z',
    remote_data: { _id: '65a1f0c2e4b0a1b2c3d4e5f6', name: 'Acme Corp' },
  },
};

/** What a response says when its write was applied but the read-back failed (the body's `warnings` has the details). */
export const READ_BACK_WARNING = '199 - "write applied; reading the record back from Planhat failed"';

function send<T>(reply: FastifyReply, res: UnifiedResult<T>): T {
  reply.headers(res.rateLimit);
  if (res.readBackFailed) reply.header('warning', READ_BACK_WARNING);
  return res.data;
}

function account(query: Record<string, unknown>): string {
  const id = query.integrated_account_id;
  if (Array.isArray(id))
    throw GatewayError.invalid('Query parameter integrated_account_id was given more than once; pass one id');
  if (typeof id !== 'string' || id === '') {
    throw GatewayError.invalid(
      'Missing required query parameter: integrated_account_id',
      undefined,
      'Pass ?integrated_account_id=<id> from GET /integrated-account.',
    );
  }
  return id;
}

/**
 * The unified API (docs/contract.md §7): Planhat records in Truto's unified CRM and ticketing models.
 * Lists are `{result, next_cursor, result_count}`; each record carries `remote_data` unless
 * `include_remote_data=false`.
 */
@ApiTags('unified')
@ApiBearerAuth()
@Controller('unified')
export class UnifiedController {
  constructor(
    private readonly unified: UnifiedService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Get(':api/:resource')
  @ApiOperation({
    summary: 'List records of a unified resource',
    description:
      'Cursor paging: limit (default 100, at most the Planhat model maximum; more is a 400) and the opaque next_cursor (null on the last page). ' +
      'prev_cursor walks back. Filters: accounts name (case-insensitive contains); contacts account_id, email; tickets status (normalized, comma-separated), account_id; ' +
      'opportunities/tasks/notes/engagements account_id; engagements engagement_type; users email; fields entity_type; and, where the resource has the field, ' +
      'created_at / updated_at (at or after; created_at[gt|gte|lt|lte]=... for bounds), owner (user id), search_term (contains). ' +
      'sort: a unified field, - for descending (or sort_by[field]=asc|desc). remote_query[name]=value is passed to Planhat unchanged. See the README coverage table for which filter runs where.',
  })
  @ApiParam(API)
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiQuery({ name: 'limit', required: false, description: 'Page size (default 100)', example: 50 })
  @ApiQuery({
    name: 'next_cursor',
    required: false,
    description: 'Cursor from the previous page, unchanged, with the same filters',
  })
  @ApiQuery({ name: 'prev_cursor', required: false, description: "A page's prev_cursor: the page before it" })
  @ApiQuery({
    name: 'search_term',
    required: false,
    description: 'Records whose name/subject/email/... contains this text (case-insensitive)',
    example: 'acme',
  })
  @ApiQuery({ name: 'owner', required: false, description: 'Records owned by this user id' })
  @ApiQuery({
    name: 'created_at',
    required: false,
    description: 'Created at or after (ISO 8601); created_at[gt|gte|lt|lte] for bounds',
    example: '2026-01-01T00:00:00Z',
  })
  @ApiQuery({
    name: 'sort',
    required: false,
    description: 'Unified field, - prefix for descending',
    example: '-updated_at',
  })
  @ApiQuery(REMOTE)
  @ApiQuery(IGNORE_REMOTE)
  @ApiQuery(FORMAT)
  @ApiQuery({
    name: 'name',
    required: false,
    description: 'accounts: name contains (case-insensitive)',
    example: 'acme',
  })
  @ApiQuery({
    name: 'updated_at',
    required: false,
    description: 'Updated at or after (ISO 8601); updated_at[gt|gte|lt|lte] for bounds',
    example: '2026-01-01T00:00:00Z',
  })
  @ApiQuery({
    name: 'account_id',
    required: false,
    description: 'contacts, tickets, opportunities, tasks, notes, engagements: records of this account',
  })
  @ApiQuery({ name: 'email', required: false, description: 'contacts, users: exact email', example: 'jane@acme.com' })
  @ApiQuery({
    name: 'status',
    required: false,
    description: 'tickets: normalized open, pending, resolved, closed (comma-separated)',
    example: 'open,pending',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        result: { type: 'array', items: RECORD },
        next_cursor: { type: 'string', nullable: true },
        prev_cursor: { type: 'string', nullable: true },
        result_count: { type: 'integer', example: 1 },
      },
    },
  })
  async list(
    @Param('api') api: string,
    @Param('resource') resource: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const res = await this.unified.listJson(api, resource, account(query), query);
    reply.headers(res.rateLimit);
    reply.header('content-type', 'application/json; charset=utf-8');
    return res.data;
  }

  @Get(':api/:resource/:id')
  @ApiOperation({ summary: 'Get one record of a unified resource' })
  @ApiParam(API)
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(REMOTE)
  @ApiQuery(IGNORE_REMOTE)
  @ApiQuery(FORMAT)
  @ApiOkResponse({ schema: RECORD })
  async get(
    @Param('api') api: string,
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.unified.get(api, resource, account(query), id, query));
  }

  @Post(':api/:resource')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a record',
    description:
      'The body uses unified field names; an unknown or invalid field is a 400 naming it. Returns the record read back from Planhat.',
  })
  @ApiParam(API)
  @ApiParam(RESOURCE)
  @ApiQuery(ACCOUNT)
  @ApiQuery(REMOTE)
  @ApiQuery(IGNORE_REMOTE)
  @ApiQuery(FORMAT)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: true,
      example: { name: 'Acme Corp', website: 'https://acme.com', tags: ['strategic'] },
    },
  })
  @ApiCreatedResponse({ schema: RECORD })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  async create(
    @Param('api') api: string,
    @Param('resource') resource: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Headers('idempotency-key') key: unknown,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const idempotencyKey = IdempotencyService.keyOf(key);
    const accountId = account(query);
    const scope = { accountId, principal: principalOf(req), route: `POST /unified/${api}/${resource}` };
    const answer = await this.idempotency.run(idempotencyKey, scope, body, async () => {
      const res = await this.unified.create(api, resource, accountId, body, query);
      return {
        status: 201,
        body: send(reply, res),
        headers: res.readBackFailed ? { warning: READ_BACK_WARNING } : undefined,
      };
    });
    return idempotentReply(reply, answer);
  }

  @Patch(':api/:resource/:id')
  @ApiOperation({ summary: 'Update a record (partial)', description: 'Returns the record read back from Planhat.' })
  @ApiParam(API)
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(REMOTE)
  @ApiQuery(IGNORE_REMOTE)
  @ApiQuery(FORMAT)
  @ApiQuery(DRY_RUN_QUERY)
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: true,
      example: { description: 'Key account', tags: ['strategic'] },
    },
  })
  @ApiOkResponse({ schema: RECORD })
  async update(
    @Param('api') api: string,
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.unified.update(api, resource, account(query), id, body, query));
  }

  @Delete(':api/:resource/:id')
  @ApiOperation({ summary: 'Delete a record', description: 'Returns {id}.' })
  @ApiParam(API)
  @ApiParam(RESOURCE)
  @ApiParam(ID)
  @ApiQuery(ACCOUNT)
  @ApiQuery(DRY_RUN_QUERY)
  @ApiOkResponse({
    schema: { type: 'object', properties: { id: { type: 'string', example: '65a1f0c2e4b0a1b2c3d4e5f6' } } },
  })
  async remove(
    @Param('api') api: string,
    @Param('resource') resource: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, await this.unified.delete(api, resource, account(query), id, query));
  }
}
