import { parseAllowedOrigins, parseOrigin } from '../config/origins';
import { hostnameOf, isLoopbackName, OriginPolicy } from './origin-guard';

describe('origin guard', () => {
  const fail = (why: string) => new Error(`ALLOWED_ORIGINS ${why}`);

  it('parses ALLOWED_ORIGINS into origins and rejects what is not one origin', () => {
    expect(parseAllowedOrigins('https://app.example.com, http://localhost:5173/', fail)).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
    expect(parseAllowedOrigins(undefined, fail)).toEqual([]);
    for (const bad of [
      '*',
      'https://*.example.com',
      'app.example.com',
      'ftp://x.example.com',
      'https://u:p@x.example.com',
      'https://x.example.com/path',
      'https://x.example.com?q=1',
      'https://a.example.com,,https://b.example.com',
    ]) {
      expect(() => parseAllowedOrigins(bad, fail)).toThrow(/ALLOWED_ORIGINS/);
    }
    expect(parseOrigin('https://X.Example.com:443')).toEqual({ origin: 'https://x.example.com' });
  });

  it('knows loopback names and Host header hostnames', () => {
    for (const h of ['localhost', '127.0.0.1', '127.9.9.9', '[::1]', 'app.localhost'])
      expect(isLoopbackName(h)).toBe(true);
    for (const h of ['evil.example.com', '10.0.0.1', '0.0.0.0', 'localhost.evil.com', '[::2]'])
      expect(isLoopbackName(h)).toBe(false);
    expect(hostnameOf('127.0.0.1:3000')).toBe('127.0.0.1');
    expect(hostnameOf('[::1]:3000')).toBe('[::1]');
    expect(hostnameOf('evil.com/x@127.0.0.1')).toBeUndefined();
    expect(hostnameOf('')).toBeUndefined();
  });

  it('on a loopback listener: loopback or PUBLIC_URL host only; origins of PUBLIC_URL, the list and its own port', () => {
    const p = new OriginPolicy({
      listenHost: '127.0.0.1',
      publicUrl: () => 'https://gw.example.com',
      allowedOrigins: ['https://app.example.com'],
      port: () => 3000,
    });
    expect(p.refusal(undefined, '127.0.0.1:3000')).toBeUndefined();
    expect(p.refusal(undefined, 'localhost:3000')).toBeUndefined();
    expect(p.refusal(undefined, 'gw.example.com')).toBeUndefined();
    expect(p.refusal(undefined, 'evil.example.com')).toBe('host');
    expect(p.refusal(undefined, undefined)).toBe('host');
    expect(p.refusal('https://gw.example.com', 'gw.example.com')).toBeUndefined();
    expect(p.refusal('https://app.example.com', 'localhost:3000')).toBeUndefined();
    expect(p.refusal('http://localhost:3000', 'localhost:3000')).toBeUndefined();
    expect(p.refusal('http://127.0.0.1:3000', '127.0.0.1:3000')).toBeUndefined();
    expect(p.refusal('http://localhost:8080', 'localhost:3000')).toBe('origin');
    expect(p.refusal('http://evil.example.com', 'localhost:3000')).toBe('origin');
    expect(p.refusal('null', 'localhost:3000')).toBe('origin');
    expect(p.refusal('not an origin', 'localhost:3000')).toBe('origin');
    expect(p.refusal(['https://app.example.com', 'https://app.example.com'], 'localhost:3000')).toBe('origin');
  });

  it('on a public listener: any Host, the same origin rules without loopback origins', () => {
    const p = new OriginPolicy({
      listenHost: '0.0.0.0',
      publicUrl: () => 'https://gw.example.com',
      allowedOrigins: [],
      port: () => 3000,
    });
    expect(p.refusal(undefined, 'gw.internal:3000')).toBeUndefined();
    expect(p.refusal('https://gw.example.com', 'gw.internal')).toBeUndefined();
    expect(p.refusal('http://localhost:3000', 'localhost:3000')).toBe('origin');
    expect(p.refusal('https://evil.example.com', 'evil.example.com')).toBe('origin');
  });
});
