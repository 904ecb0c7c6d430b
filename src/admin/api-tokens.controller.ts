import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminApi } from './admin-endpoint.decorator';
import { ApiTokensService } from '../auth/api-tokens.service';
import { ApiTokenListDto, CreateApiTokenDto, CreatedApiTokenDto } from '../auth/api-tokens.dto';

@AdminApi('api-token')
@Controller('api-token')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API token (the token is shown once); scope admin (default) or mcp' })
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(@Body() body: CreateApiTokenDto): Promise<CreatedApiTokenDto> {
    return this.tokens.create(body.name, body.scope);
  }

  @Get()
  @ApiOperation({ summary: 'List API tokens (never the tokens themselves)' })
  @ApiOkResponse({ type: ApiTokenListDto })
  async list(): Promise<ApiTokenListDto> {
    return { result: await this.tokens.list(), next_cursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API token (effective immediately)' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ description: 'Unknown token id' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.tokens.remove(id);
  }
}
