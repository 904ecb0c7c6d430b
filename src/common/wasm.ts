/** The part of the WebAssembly API used here (TypeScript's lib here does not declare it; Node has it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** The exports of a WebAssembly module given as base64 (one of the .wasm.ts files), instantiated synchronously. */
export function instantiate<T>(base64: string): T {
  return new wasm.Instance(new wasm.Module(Buffer.from(base64, 'base64'))).exports as T;
}

/** A module's exported memory. */
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
