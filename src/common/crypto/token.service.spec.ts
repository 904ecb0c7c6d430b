import { TokenService, API_TOKEN_PREFIX } from './token.service';

describe('TokenService', () => {
  const t = new TokenService();

  it('generates prefixed tokens with 32 random bytes', () => {
    const a = t.generate(API_TOKEN_PREFIX);
    expect(a.startsWith('phg_')).toBe(true);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(t.generate(API_TOKEN_PREFIX)).not.toBe(a);
  });

  it('hashes with SHA-256 hex', () => {
    expect(t.hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares in constant time, whatever the lengths', () => {
    expect(t.equals('same', 'same')).toBe(true);
    expect(t.equals('same', 'diff')).toBe(false);
    expect(t.equals('short', 'a-much-longer-string')).toBe(false);
  });
});
