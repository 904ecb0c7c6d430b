import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_LIMIT } from '../common/pagination';
import { ACCOUNT_STATUSES, ENVIRONMENTS, type AccountStatus, type Environment } from './integrated-account.entity';

export class CreateIntegratedAccountDto {
  @ApiProperty({ example: 'Acme production', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    enum: ENVIRONMENTS,
    example: 'sandbox',
    description:
      'sandbox (embedded, no token), production (api.planhat.com), demo (api.planhatdemo.com) or custom (base_url required)',
  })
  @IsIn(ENVIRONMENTS)
  environment!: Environment;

  @ApiPropertyOptional({
    example: 'eyJhbGciOi…',
    description: 'Planhat API token (required except for sandbox). Stored encrypted, never returned.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  api_token?: string;

  @ApiPropertyOptional({
    example: 'https://api-eu.planhat.com',
    description: 'Only for custom: https URL whose host is in PLANHAT_ALLOWED_HOSTS',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  base_url?: string;
}

/** Any of name, api_token (the account becomes active again) and base_url (custom accounts only). */
export class UpdateIntegratedAccountDto extends PartialType(
  OmitType(CreateIntegratedAccountDto, ['environment'] as const),
) {}

export class IntegratedAccountDto {
  @ApiProperty({ example: '3f0c2b9e-8d1a-4e57-9c1b-0a2d4e6f8a10' })
  id!: string;

  @ApiProperty({ example: 'sandbox' })
  name!: string;

  @ApiProperty({ enum: ENVIRONMENTS, example: 'sandbox' })
  environment!: Environment;

  @ApiProperty({ example: 'https://api.planhat.com', description: 'Where the gateway calls Planhat for this account' })
  base_url!: string;

  @ApiProperty({ enum: ACCOUNT_STATUSES, example: 'active', description: 'needs_reauth after Planhat answered 401' })
  status!: AccountStatus;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  updated_at!: string;
}

export class IntegratedAccountListDto {
  @ApiProperty({ type: [IntegratedAccountDto] })
  result!: IntegratedAccountDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'Pass as next_cursor for the next page; null on the last page',
  })
  next_cursor!: string | null;
}

export class ListQueryDto {
  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: MAX_LIMIT, default: 100 })
  @IsOptional()
  // Decimal digits only (Number() would also take '0x10', '1e2', ' 5 '); anything else fails @IsInt.
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  next_cursor?: string;
}

export class DeletedDto {
  @ApiProperty({ example: '3f0c2b9e-8d1a-4e57-9c1b-0a2d4e6f8a10' })
  id!: string;
}
