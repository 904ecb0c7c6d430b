import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../common/auth/public.decorator';

const SCOPE_DOC =
  'admin: every API-token route (admin API, proxy, unified) and the second factor of MCP servers; mcp: only the second factor of MCP servers with require_api_token_auth (refused by every other route)';

export class CreateApiTokenDto {
  @ApiProperty({ example: 'ci-pipeline', maxLength: 200, description: 'A label to recognise the token by' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ enum: API_TOKEN_SCOPES, default: 'admin', example: 'mcp', description: SCOPE_DOC })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(API_TOKEN_SCOPES, { message: `scope must be one of ${API_TOKEN_SCOPES.join(', ')}` })
  scope?: ApiTokenScope;
}

export class ApiTokenDto {
  @ApiProperty({ example: '0b6f3c1e-5a7d-4c1b-9d0e-2f9a8b7c6d5e' })
  id!: string;

  @ApiProperty({ example: 'ci-pipeline' })
  name!: string;

  @ApiProperty({ enum: API_TOKEN_SCOPES, example: 'admin', description: SCOPE_DOC })
  scope!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-01-02T00:00:00.000Z', nullable: true, type: String })
  last_used_at!: string | null;
}

export class CreatedApiTokenDto {
  @ApiProperty({ example: '0b6f3c1e-5a7d-4c1b-9d0e-2f9a8b7c6d5e' })
  id!: string;

  @ApiProperty({ example: 'ci-pipeline' })
  name!: string;

  @ApiProperty({ enum: API_TOKEN_SCOPES, example: 'admin', description: SCOPE_DOC })
  scope!: ApiTokenScope;

  @ApiProperty({ example: 'phg_q9X…', description: 'Shown once; only its SHA-256 is stored' })
  token!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  created_at!: string;
}

export class ApiTokenListDto {
  @ApiProperty({ type: [ApiTokenDto] })
  result!: ApiTokenDto[];

  @ApiProperty({ nullable: true, type: String, example: null })
  next_cursor!: string | null;
}
