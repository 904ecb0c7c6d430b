import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import type { McpServerConfig, ToolExposure } from './policy';

/** Swagger shape of an MCP server config; the rules themselves live in src/mcp/policy (configProblem). */
export class McpServerConfigDto implements McpServerConfig {
  @ApiPropertyOptional({
    type: [String],
    example: ['read', 'write'],
    description:
      'read (list, get), write (create, update, delete), custom (e.g. bulk_upsert) or exact method names. Omit for no method filter; an empty list or null is a 400',
  })
  methods?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['crm', 'success'],
    description:
      'A tool passes if it shares any tag; combined with methods by AND. Omit for no tag filter; an empty list or null is a 400',
  })
  tags?: string[];

  @ApiPropertyOptional({ enum: ['all', 'discovery', 'model_actions'], example: 'all', default: 'all' })
  tool_exposure?: ToolExposure;

  @ApiPropertyOptional({
    example: false,
    description: 'Also require `Authorization: Bearer <api token>` on the MCP URL',
  })
  require_api_token_auth?: boolean;
}

export class CreateMcpServerDto {
  @ApiProperty({ example: 'Planhat Account Manager Bot', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: McpServerConfigDto })
  @IsOptional()
  @IsObject()
  config?: McpServerConfig;

  @ApiPropertyOptional({
    example: '2026-12-31T23:59:59Z',
    nullable: true,
    type: String,
    description: 'ISO-8601, at least 60 s in the future; null or omitted = never',
  })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsISO8601({ strict: true })
  expires_at?: string | null;
}

/** Any of name, config (replaced whole) and expires_at (null = never expires). */
export class UpdateMcpServerDto extends PartialType(CreateMcpServerDto) {}

export class McpServerDto {
  @ApiProperty({ example: '8f7d6e5c-1a2b-4c3d-9e8f-0a1b2c3d4e5f' })
  id!: string;

  @ApiProperty({ example: 'Planhat Account Manager Bot' })
  name!: string;

  @ApiProperty({ type: McpServerConfigDto })
  config!: McpServerConfig;

  @ApiProperty({ example: '2026-12-31T23:59:59.000Z', nullable: true, type: String })
  expires_at!: string | null;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  updated_at!: string;
}

export class CreatedMcpServerDto extends McpServerDto {
  @ApiProperty({ example: 'phm_a1b2c3d4e5f6…', description: 'Shown once; only its SHA-256 is stored' })
  token!: string;

  @ApiProperty({ example: 'http://localhost:3000/mcp/phm_a1b2c3d4e5f6…', description: 'PUBLIC_URL + /mcp/ + token' })
  url!: string;
}

export class McpServerListDto {
  @ApiProperty({ type: [McpServerDto] })
  result!: McpServerDto[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}

export class ToolsQueryDto {
  @ApiPropertyOptional({ example: 'read,write', description: 'Comma-separated methods' })
  @IsOptional()
  @IsString()
  methods?: string;

  @ApiPropertyOptional({ example: 'crm,success', description: 'Comma-separated tags' })
  @IsOptional()
  @IsString()
  tags?: string;

  @ApiPropertyOptional({ enum: ['all', 'discovery', 'model_actions'], example: 'all' })
  @IsOptional()
  @IsString()
  tool_exposure?: string;
}

export class ToolSummaryDto {
  @ApiProperty({ example: 'list_all_planhat_companies' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ example: 'read' })
  method!: string;

  @ApiProperty({ type: [String], example: ['planhat', 'crm'] })
  tags!: string[];

  @ApiProperty({ example: 'companies' })
  resource!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { readOnlyHint: true, idempotentHint: true } })
  annotations!: Record<string, boolean | string>;
}

export class ToolListDto {
  @ApiProperty({ type: [ToolSummaryDto] })
  result!: ToolSummaryDto[];
}
