import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { SecretBox } from './secret-box';

const box = (key = randomBytes(32)) => new SecretBox(Object.assign(new AppConfig(), { encryptionKey: key }));

describe('SecretBox', () => {
  it('round-trips a secret and never contains it in clear', () => {
    const b = box();
    const sealed = b.seal('pl-secret-token');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('pl-secret-token');
    expect(b.open(sealed)).toBe('pl-secret-token');
  });

  it('uses a fresh IV each time', () => {
    const b = box();
    expect(b.seal('x')).not.toBe(b.seal('x'));
  });

  it('rejects a tampered ciphertext or another key', () => {
    const b = box();
    const sealed = b.seal('secret');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    expect(() => b.open([...parts.slice(0, 3), ct.toString('base64url')].join('.'))).toThrow();
    expect(() => box().open(sealed)).toThrow();
    expect(() => b.open('v2.a.b.c')).toThrow(/format/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => box(randomBytes(16))).toThrow();
  });
});
