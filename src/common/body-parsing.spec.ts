import {
  bracketedQueryName,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  parseJsonBody,
  pollutionPath,
  valueDepthExceeds,
} from './body-parsing';
import { GatewayError } from './errors';

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);

function refusal(body: Buffer | string): string {
  try {
    parseJsonBody(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(400);
    return (err as GatewayError).message;
  }
  throw new Error('expected a refusal');
}

describe('jsonDepthExceeds', () => {
  it('counts object and array nesting, not brackets inside strings', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(500)}"}`)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"${'{'.repeat(500)}"}`)).toBe(false);
    expect(jsonDepthExceeds('{"a":'.repeat(65) + '1' + '}'.repeat(65))).toBe(true);
  });

  it('handles a million levels without recursion (no stack overflow)', () => {
    expect(jsonDepthExceeds(nested(1_000_000))).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('parses ordinary JSON, keeps non-ASCII text and drops a BOM', () => {
    expect(parseJsonBody(Buffer.from('{"name":"Café Ünïcode","n":[1,{"x":null}]}'))).toEqual({
      name: 'Café Ünïcode',
      n: [1, { x: null }],
    });
    expect(parseJsonBody(Buffer.from('\ufeff{"a":1}'))).toEqual({ a: 1 });
  });

  it('refuses invalid UTF-8, empty bodies, invalid JSON and nesting deeper than the limit, saying which', () => {
    expect(refusal(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))).toMatch(/UTF-8/);
    expect(refusal(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toMatch(/UTF-8/); // an encoded lone surrogate
    expect(refusal('  ')).toMatch(/empty/);
    expect(refusal('{"a":')).toMatch(/not valid JSON/);
    expect(refusal(nested(5000))).toMatch(/nested deeper than 64/);
  });

  it('refuses __proto__ keys (however escaped) and constructor.prototype, naming the key path', () => {
    expect(refusal('{"a":{"__proto__":{"x":1}}}')).toBe('Field name not allowed: a.__proto__');
    expect(refusal('{"\\u005f\\u005fproto__":1}')).toBe('Field name not allowed: __proto__');
    expect(refusal('[{"constructor":{"prototype":{"x":1}}}]')).toBe('Field name not allowed: 0.constructor.prototype');
    expect(parseJsonBody(Buffer.from('{"constructor":"Acme","prototype":"v2"}'))).toEqual({
      constructor: 'Acme',
      prototype: 'v2',
    });
  });
});

describe('valueDepthExceeds', () => {
  it('measures parsed values of any depth without overflowing the stack', () => {
    expect(valueDepthExceeds(JSON.parse(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(valueDepthExceeds(JSON.parse(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(valueDepthExceeds({ a: 'x', b: [1, 2, { c: null }] })).toBe(false);
    expect(valueDepthExceeds(JSON.parse(nested(500_000)))).toBe(true);
    expect(valueDepthExceeds(JSON.parse('{"a":'.repeat(65) + '1' + '}'.repeat(65)))).toBe(true);
    expect(valueDepthExceeds('[[[' as unknown)).toBe(false);
  });
});

describe('pollutionPath', () => {
  it('finds the first polluting key without recursion', () => {
    expect(pollutionPath({ a: [1, { b: 2 }] })).toBeUndefined();
    expect(pollutionPath(JSON.parse('{"a":[1,{"__proto__":2}]}'))).toBe('a.1.__proto__');
  });
});

describe('bracketedQueryName', () => {
  it('finds bracketed names, raw or percent-encoded, and leaves values alone', () => {
    expect(bracketedQueryName('/proxy/companies?limit[]=1')).toBe('limit[]');
    expect(bracketedQueryName('/x?a=1&__proto__[x]=1')).toBe('__proto__[x]');
    expect(bracketedQueryName('/x?limit%5B%5D=1')).toBe('limit[]');
    expect(bracketedQueryName('/x?a%5=1&b]=2')).toBe('b]');
    expect(bracketedQueryName('/x?name=a[b]&sort=-name')).toBeUndefined();
    expect(bracketedQueryName('/x')).toBeUndefined();
  });
  it("lets Truto's bracketed names through on /unified/ routes only", () => {
    expect(
      bracketedQueryName(
        '/unified/crm/accounts?remote_query[status]=customer&sort_by[name]=asc&updated_at[gte]=2026-01-01&created_at%5Blt%5D=x',
      ),
    ).toBeUndefined();
    expect(bracketedQueryName('/proxy/companies?remote_query[status]=customer')).toBe('remote_query[status]');
    expect(bracketedQueryName('/unified/crm/accounts?updated_at[ne]=x')).toBe('updated_at[ne]');
    expect(bracketedQueryName('/unified/crm/accounts?remote_query[a][b]=x')).toBe('remote_query[a][b]');
    expect(bracketedQueryName('/unified/crm/accounts?__proto__[x]=1')).toBe('__proto__[x]');
  });
});
