import { GatewayError } from '../../src/common/errors';

/** The GatewayError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function gatewayFailure(p: Promise<unknown>): Promise<GatewayError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(e)}`);
  return e;
}
