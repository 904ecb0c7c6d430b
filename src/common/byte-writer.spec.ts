import * as fc from 'fast-check';
import { ByteWriter } from './byte-writer';

const written = (fill: (w: ByteWriter) => void) => {
  const w = new ByteWriter(1); // tiny, so every write also exercises growth
  fill(w);
  return w.result().toString('utf8');
};

describe('ByteWriter', () => {
  it('json(v) writes exactly what JSON.stringify(v) does (generated values, with undefined, functions and Dates inside)', () => {
    const odd = fc.oneof(
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.date({ noInvalidDate: true }),
      fc.constant(-0),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary-ascii' }),
      fc.constantFrom('a\nb', '\u0001', 'q"\\', '\ud800', 'x'.repeat(300)),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        odd,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }).map((d) => ({ ...d })),
      ),
    })).v;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 }), (vs) => {
        const top = vs.filter((v) => v !== undefined && typeof v !== 'function');
        expect(written((w) => top.forEach((v) => w.json(v)))).toBe(top.map((v) => JSON.stringify(v)).join(''));
      }),
      { seed: 11, numRuns: 1000 },
    );
  });

  it('copies byte ranges and text across growth', () => {
    const src = Buffer.from('0123456789'.repeat(20));
    expect(
      written((w) => {
        w.bytes(src, 5, 9);
        w.text('é☃');
        w.bytes(src, 0, 150);
        w.byte(0x21);
      }),
    ).toBe(`5678é☃${src.toString().slice(0, 150)}!`);
  });

  it('piece(p) writes a string or bytes as they are', () => {
    expect(
      written((w) => {
        w.piece('{"a":');
        w.piece(Buffer.from('"é"'));
        w.piece('}');
      }),
    ).toBe('{"a":"é"}');
  });
});
