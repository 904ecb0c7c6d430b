
/** Characters per chunk: below V8's large-object threshold (128 KB), where strings are cheap. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The body for JSON text given in pieces: one string when small, otherwise the pieces encoded once
 * into one Buffer (off V8's heap) of exactly their UTF-8 length. A single string of a large body lands
 * in V8's large-object space, and a stream of the pieces costs a write and a conversion per piece.
 */
export function jsonPiecesBody(pieces: readonly string[]): string | Buffer {
  let chars = 0;
  for (const p of pieces) chars += p.length;
  if (chars < CHUNK_CHARS) return pieces.join('');
  let length = 0;
  for (const p of pieces) length += Buffer.byteLength(p);
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of pieces) at += body.write(p, at);
  return body;
}
