import type { ApiPrincipal } from './public.decorator';

/**
 * Checks a bearer API token (the admin module's ApiTokensService implements it). Lets code outside
 * the admin module, such as the throttle, tell authenticated requests from the rest.
 */
export abstract class ApiTokenVerifier {
  /** The principal of a valid token, or null (missing, unknown, revoked). */
  abstract verify(bearer: string | undefined): Promise<ApiPrincipal | null>;
}
