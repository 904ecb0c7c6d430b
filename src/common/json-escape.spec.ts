import * as fc from 'fast-check';
import { escapeJsonBytes } from './json-escape';
import { JSON_ESCAPE_WASM } from './json-escape.wasm';
import { withoutWebAssembly } from './testing/without-webassembly';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const buildWasm = require('../../scripts/build-wasm.js') as { compile(name: string): Promise<Buffer> };

const escaped = (bytes: Uint8Array) => {
  const parts: Buffer[] = [];
  escapeJsonBytes(bytes, (e) => parts.push(Buffer.from(e))); // copied: each piece is valid only during the call
  return Buffer.concat(parts).toString('utf8');
};
const expected = (s: string) => JSON.stringify(s).slice(1, -1);

describe('escapeJsonBytes (json-escape.wat)', () => {
  it('the committed module is json-escape.wat compiled (run `npm run build:wasm` after changing it)', async () => {
    expect((await buildWasm.compile('json-escape')).toString('base64')).toBe(JSON_ESCAPE_WASM);
  });

  it('escapes as JSON.stringify does: every byte value, at every position of a 16-byte block', () => {
    for (let c = 0; c < 0x80; c++) {
      for (let at = 0; at < 40; at++) {
        const s = `${'x'.repeat(at)}${String.fromCharCode(c)}${'y'.repeat(40 - at)}`;
        expect(escaped(Buffer.from(s))).toBe(expected(s));
      }
    }
    const text = '"\\é☃😀\u2028\u007f\u0000\u001f';
    expect(escaped(Buffer.from(text))).toBe(expected(text));
    expect(escaped(Buffer.alloc(0))).toBe('');
  });

  it('matches JSON.stringify on generated text, JSON and runs of bytes to escape, across 32 KB blocks', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => s.replace(/[\ud800-\udfff]/g, '')),
      fc.jsonValue().map((v) => JSON.stringify(v, null, 2)),
      fc.array(fc.constantFrom('"', '\\', '\n', '\u0001', 'a', 'é'), { maxLength: 200 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, fc.nat({ max: 40_000 }), (s, pad) => {
        const t = `${'p'.repeat(pad)}${s}`;
        expect(escaped(Buffer.from(t))).toBe(expected(t));
      }),
      { seed: 21, numRuns: 300 },
    );
  });
});

describe('escapeJsonBytes without WebAssembly (e.g. node --jitless)', () => {
  it('escapes with JSON.stringify instead', () => {
    withoutWebAssembly(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./json-escape') as typeof import('./json-escape');
      const text = '{"a":"b\\"c\\n\u0001é"}\n';
      const parts: Buffer[] = [];
      fresh.escapeJsonBytes(Buffer.from(text), (e) => parts.push(Buffer.from(e)));
      expect(Buffer.concat(parts).toString()).toBe(expected(text));
    });
  });
});
