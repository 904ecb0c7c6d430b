import { Writable } from 'node:stream';
import { createRootLogger, redactSecrets, redactUrl } from './logging';

const TOKEN = 'phm_yS-1FpjJ7kHtgh_zaucWlJcU0MgOh1KS6bYIqCXLtv4';
/** The token without its public prefix: the part that is the secret. */
const SECRET = TOKEN.slice(4);

describe('redactUrl', () => {
  it('hides MCP URL tokens and token query values', () => {
    expect(redactUrl('/mcp/phm_abcDEF123/sse?x=1')).toBe('/mcp/[redacted]/sse?x=1');
    expect(redactUrl('/mcp/phm_abc')).toBe('/mcp/[redacted]');
    expect(redactUrl('/proxy/companies?token=secret&limit=5')).toBe('/proxy/companies?token=[redacted]&limit=5');
    expect(redactUrl('/proxy/companies?limit=5')).toBe('/proxy/companies?limit=5');
  });

  it('hides OAuth secrets: codes, verifiers, tokens and client secrets in queries and anywhere in a line', () => {
    expect(redactUrl('/cb?code=phoc_abc-DEF&state=x')).toBe('/cb?code=[redacted]&state=x');
    expect(redactUrl('/oauth/token?code_verifier=v3r1f13r&refresh_token=r&client_secret=s')).toBe(
      '/oauth/token?code_verifier=[redacted]&refresh_token=[redacted]&client_secret=[redacted]',
    );
    expect(redactUrl(`/.well-known/oauth-protected-resource/mcp/${TOKEN}`)).toBe(
      '/.well-known/oauth-protected-resource/mcp/[redacted]',
    );
    expect(redactUrl(`/oauth/authorize?resource=http%3A%2F%2Flocalhost%3A3000%2Fmcp%2F${TOKEN}&state=s`)).not.toContain(
      SECRET,
    );
    for (const secret of ['phoa_Abc-123_x', 'phor_Abc-123_x', 'phoc_Abc-123_x', 'phos_Abc-123_x']) {
      expect(redactSecrets(`failed for ${secret} here`)).toBe('failed for [redacted] here');
    }
  });

  it.each([
    [`/%6Dcp/${TOKEN}`, '/%6Dcp/[redacted]'],
    [`/%6dcp/${TOKEN}/sse`, '/%6dcp/[redacted]/sse'],
    [`/m%63p/${TOKEN}`, '/m%63p/[redacted]'],
    [`/%256Dcp/${TOKEN}`, '/%256Dcp/[redacted]'],
    [`/MCP/${TOKEN}`, '/MCP/[redacted]'],
    [`/Mcp/${TOKEN}/messages?sessionId=abc`, '/Mcp/[redacted]/messages?sessionId=abc'],
    [`/mcp/${TOKEN}/anything/else`, '/mcp/[redacted]/anything/else'],
    [`/mcp/%70hm_${SECRET}`, '/mcp/[redacted]'],
    [`/mcp/%2570hm_${SECRET}`, '/mcp/[redacted]'],
    [`/mcp//${TOKEN}`, '/mcp//[redacted]'],
    [`/mcp%2F${TOKEN}`, '/mcp%2F[redacted]'],
    [`/anything/${TOKEN}`, '/anything/[redacted]'],
    [`/anything/%70%68%6D%5F${SECRET}/x`, '/anything/[redacted]/x'],
    [`/anything/ph%6D_${SECRET}`, '/anything/[redacted]'],
    [`/anything/PHM_${SECRET}`, '/anything/[redacted]'],
    [`/proxy/companies?q=${TOKEN}&limit=5`, '/proxy/companies?q=[redacted]&limit=5'],
    [`/proxy/companies?q=x%20%70hm_${SECRET}`, '/proxy/companies?q=x%20[redacted]'],
    [`/health#${TOKEN}`, '/health#[redacted]'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toContain(SECRET);
  });

  it('leaves URLs without a token as they are', () => {
    for (const url of [
      '/proxy/companies?integrated_account_id=abc&limit=5',
      '/unified/crm/accounts/123',
      '/sandbox/planhat/companies?offset=0',
      '/x/%41%42?a=%25',
      '/graph/phm',
      '/',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

describe('redactSecrets', () => {
  it('takes MCP tokens out of any text, whatever their spelling', () => {
    expect(redactSecrets(`Cannot POST /MCP/${TOKEN}/anything`)).toBe('Cannot POST /MCP/[redacted]/anything');
    expect(redactSecrets(`fetch http://h/mcp/%2570hm_${SECRET}?x failed`)).toBe(
      'fetch http://h/mcp/[redacted]?x failed',
    );
    expect(redactSecrets('no token here: phm, _phm, hm_x')).toBe('no token here: phm, _phm, hm_x');
  });
});

describe('createRootLogger', () => {
  it('writes no MCP token in any line: messages, objects, error stacks', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createRootLogger({ logLevel: 'debug' }, sink);
    logger.warn({ req: { url: `/%6Dcp/${TOKEN}` } }, 'request completed');
    logger.error(
      { err: new Error(`upstream GET http://127.0.0.1/mcp/${TOKEN}/x failed`) },
      `Cannot POST /mcp/ph%6D_${SECRET}`,
    );
    logger.child({ context: 'Mcp' }).info(`MCP request failed for /m%63p/%70hm_${SECRET}`);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).toContain('[redacted]');
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });
});

describe('createRootLogger headers', () => {
  it('redacts the Planhat tenant token header like authorization', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    createRootLogger({ logLevel: 'info' }, sink).info(
      { req: { headers: { 'x-planhat-tenant-token': 'tenant-secret-1234', authorization: 'Bearer abc' } } },
      'request',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('tenant-secret-1234');
    expect(JSON.parse(lines[0]).req.headers['x-planhat-tenant-token']).toBe('[redacted]');
  });
});
