import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
} from '@nestjs/swagger';
import { AdminApi } from './admin-endpoint.decorator';
import { McpServersService } from '../mcp-servers/mcp-servers.service';
import { GatewayError } from '../common/errors';
import { AuditLog, CALL_OUTCOMES, type CallFilters, type ToolCallDto } from '../audit/audit-log.service';

class ToolCallSwaggerDto implements ToolCallDto {
  @ApiProperty({ example: '6b1f0a52-7c1e-4d0b-9a53-2f8e0c1d4b7a' })
  id!: string;
  @ApiProperty({ example: '2026-12-04T08:00:00.000Z', description: 'When the call was received (UTC)' })
  time!: string;
  @ApiProperty()
  mcp_server_id!: string;
  @ApiProperty()
  integrated_account_id!: string;
  @ApiProperty({ example: 'update_planhat_company' })
  tool!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { id: { value: '64a1…' }, dry_run: { value: false }, phase: { bytes: 8 } },
    description:
      'Every argument name: {value} for ids, limit, offset, select, sort, dry_run, days, change_id, MODEL_ROUTE, OPERATION (and the tool name of call_tool/get_tool_schema); {bytes} (the size of its JSON) for everything else',
  })
  arguments!: ToolCallDto['arguments'];
  @ApiProperty({ enum: CALL_OUTCOMES })
  outcome!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: null,
    description: 'The status of an isError result (403 when denied); null when ok',
  })
  status!: number | null;
  @ApiProperty({ example: 42 })
  latency_ms!: number;
  @ApiProperty({ example: 2, description: 'Requests sent to Planhat for this call' })
  upstream_calls!: number;
  @ApiProperty({ example: 1 })
  records_written!: number;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The change the call recorded (pass it to the undo_change tool)',
  })
  change_id!: string | null;
}

class ToolCallListDto {
  @ApiProperty({ type: [ToolCallSwaggerDto] })
  result!: ToolCallSwaggerDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Opaque cursor of the next (older) page; null on the last page',
  })
  next_cursor!: string | null;
}

const FILTERS = ['limit', 'next_cursor', 'tool', 'outcome', 'from', 'to'];

@AdminApi('mcp')
@ApiNotFoundResponse({ description: 'NOT_FOUND: unknown integrated account or MCP server' })
@Controller('integrated-account/:id/mcp/:mcp_id/calls')
export class McpCallsController {
  constructor(
    private readonly servers: McpServersService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiOperation({
    summary: "An MCP server's tool calls, newest first (audit log)",
    description:
      'Every tools/call of the server: time, tool, argument names (values only for ids and paging; sizes otherwise), outcome, status, latency, Planhat requests, records written, change id. Kept MCP_AUDIT_RETENTION_DAYS days.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } })
  @ApiQuery({
    name: 'next_cursor',
    required: false,
    description: 'Opaque cursor from the previous page (valid with the same filters)',
  })
  @ApiQuery({ name: 'tool', required: false, description: 'Only calls of this tool' })
  @ApiQuery({ name: 'outcome', required: false, enum: CALL_OUTCOMES })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'ISO-8601, inclusive (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)',
  })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601, exclusive' })
  @ApiOkResponse({ type: ToolCallListDto })
  async list(
    @Param('id') accountId: string,
    @Param('mcp_id') serverId: string,
    @Query() q: Record<string, unknown>,
  ): Promise<ToolCallListDto> {
    const unknown = Object.keys(q).find((k) => !FILTERS.includes(k));
    if (unknown !== undefined)
      throw GatewayError.invalid(`Unknown query parameter ${unknown} (use ${FILTERS.join(', ')})`, { field: unknown });
    for (const [k, v] of Object.entries(q))
      if (typeof v !== 'string') throw GatewayError.invalid(`Query parameter ${k} must be given once`, { field: k });
    await this.servers.get(accountId, serverId);
    return this.audit.list(serverId, q as CallFilters);
  }
}
