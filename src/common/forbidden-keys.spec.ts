import { MAX_JSON_DEPTH } from './body-parsing';
import { forbiddenKeyPath, isForbiddenKey } from './forbidden-keys';

/** A value nested `levels` objects deep with `leaf` inside the deepest. */
function nested(levels: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let v: Record<string, unknown> = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('forbiddenKeyPath', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('finds %s at the top, in objects and in arrays', (key) => {
    expect(forbiddenKeyPath(JSON.parse(`{"${key}": 1}`))).toBe(key);
    expect(forbiddenKeyPath(JSON.parse(`{"x": {"y": {"${key}": {}}}}`))).toBe(`x.y.${key}`);
    expect(forbiddenKeyPath(JSON.parse(`{"list": [1, {"ok": true}, {"${key}": null}]}`))).toBe(`list.2.${key}`);
    expect(isForbiddenKey(key)).toBe(true);
  });

  it('passes clean values and scalars', () => {
    expect(forbiddenKeyPath({ name: 'Acme', custom: { proto: 1, constructorName: 'x' }, tags: ['a'] })).toBeUndefined();
    for (const v of [null, undefined, 1, 'constructor', true, []]) expect(forbiddenKeyPath(v)).toBeUndefined();
    expect(isForbiddenKey('Prototype')).toBe(false);
  });

  it('looks as deep as a body may be nested (the catalog check stopped at 20 levels, the DTO check at 32)', () => {
    const deep = JSON.parse(JSON.stringify(nested(MAX_JSON_DEPTH - 1, JSON.parse('{"__proto__": 1}')))) as unknown;
    expect(forbiddenKeyPath(deep)).toBe(`${'a.'.repeat(MAX_JSON_DEPTH - 1)}__proto__`);
    expect(forbiddenKeyPath(nested(25, { constructor: 1 }))).toMatch(/constructor$/);
  });

  it('stops below the depth limit instead of recursing without end', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(forbiddenKeyPath(cyclic)).toBeUndefined();
  });
});
