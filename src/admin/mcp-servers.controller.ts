import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from './admin-endpoint.decorator';
import { DeletedDto, ListQueryDto } from '../accounts/integrated-accounts.dto';
import {
  CreateMcpServerDto,
  CreatedMcpServerDto,
  McpServerDto,
  McpServerListDto,
  UpdateMcpServerDto,
} from '../mcp-servers/mcp-servers.dto';
import { McpServersService } from '../mcp-servers/mcp-servers.service';

@AdminApi('mcp')
@ApiNotFoundResponse({ description: 'NOT_FOUND: unknown integrated account or MCP server' })
@Controller('integrated-account/:id/mcp')
export class McpServersController {
  constructor(private readonly servers: McpServersService) {}

  @Post()
  @ApiOperation({ summary: 'Create an MCP server (token and url are shown once)' })
  @ApiCreatedResponse({ type: CreatedMcpServerDto })
  create(@Param('id') accountId: string, @Body() body: CreateMcpServerDto): Promise<CreatedMcpServerDto> {
    return this.servers.create(accountId, body);
  }

  @Get()
  @ApiOperation({ summary: "List an integrated account's MCP servers (expired ones are gone from expires_at on)" })
  @ApiOkResponse({ type: McpServerListDto })
  list(@Param('id') accountId: string, @Query() q: ListQueryDto): Promise<McpServerListDto> {
    return this.servers.list(accountId, { limit: q.limit, cursor: q.next_cursor });
  }

  @Get(':mcp_id')
  @ApiOperation({ summary: 'Get an MCP server (never its token)' })
  @ApiOkResponse({ type: McpServerDto })
  get(@Param('id') accountId: string, @Param('mcp_id') id: string): Promise<McpServerDto> {
    return this.servers.get(accountId, id);
  }

  @Patch(':mcp_id')
  @ApiOperation({ summary: 'Change name, config or expires_at (null = never)' })
  @ApiOkResponse({ type: McpServerDto })
  update(
    @Param('id') accountId: string,
    @Param('mcp_id') id: string,
    @Body() body: UpdateMcpServerDto,
  ): Promise<McpServerDto> {
    return this.servers.update(accountId, id, body);
  }

  @Delete(':mcp_id')
  @ApiOperation({ summary: 'Delete an MCP server (its URL stops working at once)' })
  @ApiOkResponse({ type: DeletedDto })
  remove(@Param('id') accountId: string, @Param('mcp_id') id: string): Promise<DeletedDto> {
    return this.servers.remove(accountId, id);
  }
}
