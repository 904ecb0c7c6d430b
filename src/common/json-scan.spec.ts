import * as fc from 'fast-check';
import { countJsonArray, ElementFields } from './json-scan';

/** What the scanner must agree with: JSON.parse, and the element count when it is an array. */
function reference(text: string): number {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.length : -1;
  } catch {
    return -1;
  }
}
describe('countJsonArray', () => {
  const scan = (text: string) => countJsonArray(Buffer.from(text, 'utf8'));

  it.each([
    ['[]', 0],
    [' [ ] \n', 0],
    ['[1]', 1],
    ['[{"a":1},{"b":[true,false,null]},"x",-0.5e+10,[]]', 5],
    ['[{"k":"\\u00e9\\n\\"\\\\\\/"}]', 1],
    ['[{},{}]', 2],
    ['[[[],[[]]]]', 1],
    ['["é", "日本"]', 2],
  ])('counts %s', (text, n) => {
    expect(scan(text)).toBe(n);
  });

  it.each([
    '',
    ' ',
    '{}',
    '"x"',
    '1',
    'null',
    '[',
    ']',
    '[1,]',
    '[,1]',
    '[1 2]',
    '[1]]',
    '[1][2]',
    '[1]x',
    '[{"a":1,}]',
    '[{"a" 1}]',
    '[{"a":}]',
    '[{1:2}]',
    '[{"a":1]',
    '[1}',
    '[{]',
    '[tru]',
    '[nul]',
    '[falsey]',
    '[01]',
    '[1.]',
    '[.5]',
    '[-]',
    '[1e]',
    '[+1]',
    '["\\x"]',
    '["\\u12G4"]',
    '["a\u0001"]',
    '["unterminated]',
    "['single']",
    '[NaN]',
    '[Infinity]',
    '<html>',
  ])('rejects %j', (text) => {
    expect(scan(text)).toBe(-1);
    expect(reference(text)).toBe(-1);
  });

  it('agrees with JSON.parse on generated JSON, compact and pretty, and bounds each element', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(scan(text)).toBe(reference(text));
        const wrapped = Buffer.from(JSON.stringify([value, 'é', value], null, pretty ? 1 : undefined));
        const bounds: number[] = [];
        expect(countJsonArray(wrapped, bounds)).toBe(3);
        expect(bounds).toHaveLength(6);
        const elements = [0, 1, 2].map((k) =>
          JSON.parse(wrapped.subarray(bounds[2 * k], bounds[2 * k + 1]).toString()),
        );
        expect(elements).toEqual(JSON.parse(wrapped.toString()));
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it('never accepts what JSON.parse rejects (mutated JSON text)', () => {
    const mutated = fc
      .tuple(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.nat(),
        fc.constantFrom('', ',', ']', '[', '{', '}', '"', ':', '\\', '0', '-', '.', 'e', ' ', '\u0000', 'u', 'tru'),
        fc.nat(3),
      )
      .map(([arr, pos, insert, cut]) => {
        const text = JSON.stringify(arr);
        const at = pos % (text.length + 1);
        return text.slice(0, at) + insert + text.slice(at + cut);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        expect(scan(text)).toBe(reference(text));
      }),
      { seed: 7, numRuns: 3000 },
    );
  });

  it('rejects nesting deeper than it tracks instead of misreading it', () => {
    const deep = '['.repeat(300) + ']'.repeat(300);
    expect(scan(deep)).toBe(-1);
    expect(reference(deep)).toBe(1);
  });

  it("notes each object element's top-level keys and values in order, repeats included (generated JSON)", () => {
    const element = fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 }));
    fc.assert(
      fc.property(fc.array(element, { maxLength: 5 }), fc.boolean(), (arr, pretty) => {
        // A repeated key, as a hand-written body may have it.
        const text = JSON.stringify(arr, null, pretty ? 2 : undefined).replace(
          /^(\s*\[\s*\{)(\s*)(\}?)/,
          (_, open: string, ws: string, close: string) => `${open}"dup":1,"dup":2${close ? '' : ','}${ws}${close}`,
        );
        const b = Buffer.from(text);
        const bounds: number[] = [];
        const fields = new ElementFields(16);
        const count = countJsonArray(b, bounds, fields);
        expect(count).toBe(reference(text));
        expect(fields.starts).toHaveLength(count);
        for (let k = 0; k < count; k++) {
          const element = b.subarray(bounds[2 * k], bounds[2 * k + 1]).toString();
          const [from, end] = [fields.starts[k], fields.end(k)];
          const pairs: [string, unknown][] = [];
          for (let f = from; f < end; f += 4) {
            const [ks, ke, vs, ve] = fields.spans.slice(f, f + 4);
            pairs.push([
              JSON.parse(`"${b.subarray(ks, ke).toString()}"`) as string,
              JSON.parse(b.subarray(vs, ve).toString()),
            ]);
          }
          const parsed: unknown = JSON.parse(element);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            expect(Object.fromEntries(pairs)).toEqual(parsed);
            const keys = [...element.matchAll(/"dup"/g)].length;
            expect(pairs.length).toBe(Object.keys(parsed).length + Math.max(0, keys - 1));
          } else {
            expect(pairs).toEqual([]);
          }
        }
      }),
      { seed: 3, numRuns: 1000 },
    );
  });
});

describe('countJsonArray on large bodies', () => {
  it('a body of several MB is scanned, with every bound and field noted (the field store grows past its capacity)', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({
      _id: String(i),
      name: `Company "${i}" é`,
      n: i,
      pad: 'x'.repeat(60),
    }));
    const big = Buffer.from(JSON.stringify(rows));
    expect(big.length).toBeGreaterThan(4 << 20);
    const bounds: number[] = [];
    const fields = new ElementFields(16);
    expect(countJsonArray(big, bounds, fields)).toBe(rows.length);
    expect(bounds).toHaveLength(2 * rows.length);
    expect(fields.starts).toHaveLength(rows.length);
    expect(fields.length).toBe(4 * 4 * rows.length);
    expect(JSON.parse(big.subarray(bounds[bounds.length - 2], bounds[bounds.length - 1]).toString())).toEqual(
      rows[rows.length - 1],
    );
    const last = fields.starts[rows.length - 1];
    const value = big.subarray(fields.spans[last + 10], fields.spans[last + 11]).toString();
    expect(JSON.parse(value)).toBe(rows.length - 1);
  });
});
