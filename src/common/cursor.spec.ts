import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { CursorCodec } from './cursor';

function codec(key = randomBytes(32)): CursorCodec {
  return new CursorCodec(Object.assign(new AppConfig(), { encryptionKey: key }));
}

describe('CursorCodec', () => {
  const scope = CursorCodec.scope('companies', 'acct-1', { sort: 'name', companyId: undefined });

  it('round-trips state within its scope', () => {
    const c = codec();
    expect(c.decode(scope, c.encode(scope, { o: 200, l: 100 }))).toEqual({ o: 200, l: 100 });
  });

  it('scope ignores filter order and undefined values', () => {
    expect(CursorCodec.scope('x', { a: 1, b: 2 })).toBe(CursorCodec.scope('x', { b: 2, a: 1, c: undefined }));
    expect(CursorCodec.scope('x', { a: 1 })).not.toBe(CursorCodec.scope('y', { a: 1 }));
  });

  it('rejects forged, foreign-scope, other-key and garbage cursors with 400', () => {
    const c = codec();
    const good = c.encode(scope, { o: 100 });
    const [body, sig] = good.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ s: scope, d: { o: 999999 } })).toString('base64url');
    for (const bad of [`${forgedBody}.${sig}`, `${body}.${sig.slice(0, -2)}AA`, 'garbage', '', '.', `${body}`]) {
      expect(() => c.decode(scope, bad)).toThrow(expect.objectContaining({ status: 400 }));
    }
    expect(() => c.decode(CursorCodec.scope('endusers', 'acct-1', {}), good)).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    expect(() => codec().decode(scope, good)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
