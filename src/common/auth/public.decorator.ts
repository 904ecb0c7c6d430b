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

/**
 * What an API token may do: `admin` = every API-token route (admin, proxy, unified) and the second
 * factor of MCP servers; `mcp` = only the second factor of require_api_token_auth MCP servers.
 */
export const API_TOKEN_SCOPES = ['admin', 'mcp'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Whether a (stored) scope is one of API_TOKEN_SCOPES: anything else is refused everywhere (fail closed). */
export function isApiTokenScope(scope: unknown): scope is ApiTokenScope {
  return (API_TOKEN_SCOPES as readonly unknown[]).includes(scope);
}

/** What the API auth guard attaches to the request (req.apiToken) once a bearer token is verified. */
export interface ApiPrincipal {
  /** `admin` for ADMIN_API_KEY, otherwise the api_token row id. */
  id: string;
  name: string;
  /** The token's scope as stored (ADMIN_API_KEY: `admin`); check it with isApiTokenScope. */
  scope: string;
}
