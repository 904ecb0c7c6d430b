import { GatewayError } from './errors';

/** PATCH bodies: `null` is only meaningful where a field says so (expires_at); elsewhere it is a 400. */
export function rejectNulls(body: object, fields: readonly string[]): void {
  for (const f of fields) {
    if ((body as Record<string, unknown>)[f] === null)
      throw GatewayError.invalid(`${f} must not be null`, { field: f });
  }
}
