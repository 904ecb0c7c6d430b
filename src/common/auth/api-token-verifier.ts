import type { ApiPrincipal } from './public.decorator';

/**
 * Checks a bearer API token (src/auth's ApiTokensService implements it and binds it globally). Lets
 * lower layers, such as the throttle and GET /metrics, tell authenticated requests from the rest.
 */
export abstract class ApiTokenVerifier {
  /** The principal of a valid token, or null (missing, unknown, revoked). */
  abstract verify(bearer: string | undefined): Promise<ApiPrincipal | null>;
}
