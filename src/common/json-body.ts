import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** Characters per chunk: below V8's large-object threshold (128 KB), where strings are cheap. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Sends JSON text given in pieces (each under ~64 KB, or any flat string): as one string when small,
 * otherwise as a stream of the pieces with an exact content-length (no chunked encoding). A single
 * string of a large body lands in V8's large-object space and every consumer (Buffer.byteLength,
 * the socket write) then flattens and copies it.
 */
export function sendJsonPieces(reply: FastifyReply, pieces: readonly string[]): string | Readable {
  let chars = 0;
  for (const p of pieces) chars += p.length;
  if (chars < CHUNK_CHARS) return pieces.join('');
  let length = 0;
  for (const p of pieces) length += Buffer.byteLength(p);
  reply.header('content-length', length);
  return Readable.from(pieces, { objectMode: false });
}
