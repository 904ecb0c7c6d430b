import { SetMetadata } from '@nestjs/common';

/** Marks a route (or controller) as reachable without an API token (health, MCP URL-token routes). */
export const IS_PUBLIC = 'auth:isPublic';
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** `Authorization: Bearer <token>` → the token itself, or undefined. */
export function bearerOf(header: unknown): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = typeof value === 'string' ? value.match(/^Bearer\s+(\S+)\s*$/i) : null;
  return m?.[1];
}

/** What the API auth guard attaches to the request (req.apiToken) once a bearer token is verified. */
export interface ApiPrincipal {
  /** `admin` for ADMIN_API_KEY, otherwise the api_token row id. */
  id: string;
  name: string;
}
