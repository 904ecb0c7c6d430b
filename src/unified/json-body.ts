import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** Characters per chunk: below V8's large-object threshold (128 KB), where strings are cheap. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Sends `{result, next_cursor, result_count}` byte-for-byte as JSON.stringify would, but serialised record by
 * record into chunks of at most ~64 KB. A single JSON.stringify of a large page builds a string in
 * V8's large-object space and every consumer (Buffer.byteLength, the socket write) then flattens and
 * copies it; for a 160 KB unified page that was about half the request's CPU. Small bodies go as one
 * string; large ones as a stream of chunks with an exact content-length (no chunked encoding).
 */
export function sendListJson(reply: FastifyReply, page: { result: unknown[]; next_cursor: string | null; result_count: number }): string | Readable {
  const { result, next_cursor, result_count } = page;
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 0;
  for (let i = 0; i < result.length; i++) {
    const s = JSON.stringify(result[i]) ?? 'null';
    parts.push(s);
    size += s.length + 1;
    if (size >= CHUNK_CHARS) {
      chunks.push(parts.join(','));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) chunks.push(parts.join(','));
  reply.header('content-type', 'application/json; charset=utf-8');
  const head = '{"result":[';
  const end = `],"next_cursor":${JSON.stringify(next_cursor)},"result_count":${JSON.stringify(result_count)}}`;
  if (chunks.length <= 1) return head + (chunks[0] ?? '') + end;
  const pieces = [head, chunks[0]];
  for (let i = 1; i < chunks.length; i++) pieces.push(',', chunks[i]);
  pieces.push(end);
  let length = 0;
  for (const p of pieces) length += Buffer.byteLength(p);
  reply.header('content-length', length);
  return Readable.from(pieces, { objectMode: false });
}

/**
 * Sends JSON text given in pieces (each under ~64 KB, or any flat string): as one string when small,
 * otherwise as a stream of the pieces with an exact content-length (no chunked encoding), so no
 * large-object string of the whole body is ever built (see sendListJson).
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
