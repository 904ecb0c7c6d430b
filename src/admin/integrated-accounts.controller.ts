import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from './admin-endpoint.decorator';
import { ToolListDto, ToolsQueryDto } from '../mcp-servers/mcp-servers.dto';
import { ToolPreviewService } from './tool-preview.service';
import {
  CreateIntegratedAccountDto,
  DeletedDto,
  IntegratedAccountDto,
  IntegratedAccountListDto,
  ListQueryDto,
  UpdateIntegratedAccountDto,
} from '../accounts/integrated-accounts.dto';
import { IntegratedAccountsService } from '../accounts/integrated-accounts.service';

@AdminApi('integrated-account')
@ApiNotFoundResponse({ description: 'NOT_FOUND: unknown integrated account' })
@Controller('integrated-account')
export class IntegratedAccountsController {
  constructor(
    private readonly accounts: IntegratedAccountsService,
    private readonly preview: ToolPreviewService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Connect a Planhat tenant (the API token is stored encrypted, never returned)' })
  @ApiCreatedResponse({ type: IntegratedAccountDto })
  create(@Body() body: CreateIntegratedAccountDto): Promise<IntegratedAccountDto> {
    return this.accounts.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List integrated accounts' })
  @ApiOkResponse({ type: IntegratedAccountListDto })
  list(@Query() q: ListQueryDto): Promise<IntegratedAccountListDto> {
    return this.accounts.list({ limit: q.limit, cursor: q.next_cursor });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an integrated account' })
  @ApiOkResponse({ type: IntegratedAccountDto })
  get(@Param('id') id: string): Promise<IntegratedAccountDto> {
    return this.accounts.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, rotate the Planhat token or (custom) change base_url' })
  @ApiOkResponse({ type: IntegratedAccountDto })
  update(@Param('id') id: string, @Body() body: UpdateIntegratedAccountDto): Promise<IntegratedAccountDto> {
    return this.accounts.update(id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete an integrated account and its MCP servers' })
  @ApiOkResponse({ type: DeletedDto })
  remove(@Param('id') id: string): Promise<DeletedDto> {
    return this.accounts.remove(id);
  }

  @Get(':id/tools')
  @ApiOperation({ summary: 'Preview the tools an MCP server with this config would list' })
  @ApiOkResponse({ type: ToolListDto })
  tools(@Param('id') id: string, @Query() q: ToolsQueryDto): Promise<ToolListDto> {
    return this.preview.preview(id, q);
  }
}
