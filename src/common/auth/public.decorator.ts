import { SetMetadata } from '@nestjs/common';

/** Marks a route (or controller) as reachable without an API token (health, MCP URL-token routes). */
export const IS_PUBLIC = 'auth:isPublic';
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** What the API auth guard attaches to the request (req.apiToken) once a bearer token is verified. */
export interface ApiPrincipal {
  /** `admin` for ADMIN_API_KEY, otherwise the api_token row id. */
  id: string;
  name: string;
}
