import { JSON_ESCAPE_WASM } from './json-escape.wasm';
import { instantiate, type WasmMemory } from './wasm';

/** Where json-escape.wat reads its input and writes its output, and how much input a call takes. */
const IN = 1024;
const OUT = 33792;
const BLOCK = 32768;

interface Escaper {
  memory: Uint8Array;
  escape(n: number): number;
}

let escaper: Escaper | null | undefined;

/** The WebAssembly escaper (json-escape.wat), instantiated on first use; null without WebAssembly. */
function instance(): Escaper | null {
  if (escaper === undefined) {
    const exports = instantiate<{ memory: WasmMemory; escape(n: number): number }>(JSON_ESCAPE_WASM);
    // The memory never grows, so this view stays valid.
    escaper = exports ? { memory: new Uint8Array(exports.memory.buffer), escape: exports.escape } : null;
  }
  return escaper;
}

/**
 * UTF-8 bytes escaped as the content of a JSON string (what JSON.stringify writes between the quotes
 * for the text they hold; bytes must be valid UTF-8, which cannot hold the lone surrogates
 * JSON.stringify also escapes). The escaped bytes are handed to `write` in pieces, each valid only
 * during the call (it is a view of the escaper's memory). 82 KB of Planhat's JSON in ~25 µs, against
 * ~120 µs for a JavaScript byte loop and ~95 µs for JSON.stringify of the decoded text, which then
 * still has to be encoded (what it does where WebAssembly is not available).
 */
export function escapeJsonBytes(src: Uint8Array, write: (escaped: Uint8Array) => void): void {
  const wasm = instance();
  if (!wasm) {
    write(Buffer.from(JSON.stringify(Buffer.from(src.buffer, src.byteOffset, src.length).toString('utf8')).slice(1, -1)));
    return;
  }
  const { memory, escape } = wasm;
  for (let from = 0; from < src.length; from += BLOCK) {
    const n = Math.min(BLOCK, src.length - from);
    memory.set(src.subarray(from, from + n), IN);
    write(memory.subarray(OUT, OUT + escape(n)));
  }
}
