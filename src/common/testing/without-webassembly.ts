/// <reference types="jest" />
/**
 * For specs: runs `body` with no global WebAssembly, as under `node --jitless`, in a fresh module
 * registry (so that what it requires is loaded, and instantiates its modules, without it). The
 * global is restored afterwards.
 */
export function withoutWebAssembly(body: () => void): void {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')!;
  delete (globalThis as { WebAssembly?: unknown }).WebAssembly;
  try {
    jest.isolateModules(body);
  } finally {
    Object.defineProperty(globalThis, 'WebAssembly', saved);
  }
}
