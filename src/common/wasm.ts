/** The part of the WebAssembly API used here (TypeScript's lib here does not declare it; Node has it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/**
 * The exports of a WebAssembly module given as base64 (one of the .wasm.ts files), instantiated
 * synchronously; undefined where WebAssembly is not available (e.g. `node --jitless`), and the
 * caller then does the same work in JavaScript.
 */
export function instantiate<T>(base64: string): T | undefined {
  const wasm = (globalThis as unknown as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return undefined;
  try {
    return new wasm.Instance(new wasm.Module(Buffer.from(base64, 'base64'))).exports as T;
  } catch {
    return undefined;
  }
}

/** A module's exported memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
