import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';

/** Composed decorator for an admin controller: Swagger tag, bearer auth and the common error answers. */
export function AdminApi(tag: string) {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiResponse({ status: 400, description: 'INVALID_INPUT: the message names the bad field' }),
    ApiResponse({ status: 401, description: 'UNAUTHORIZED: missing, wrong or revoked API token' }),
  );
}
