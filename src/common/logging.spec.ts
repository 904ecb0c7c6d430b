import { redactUrl } from './logging';

describe('redactUrl', () => {
  it('hides MCP URL tokens and token query values', () => {
    expect(redactUrl('/mcp/phm_abcDEF123/sse?x=1')).toBe('/mcp/[redacted]/sse?x=1');
    expect(redactUrl('/mcp/phm_abc')).toBe('/mcp/[redacted]');
    expect(redactUrl('/proxy/companies?token=secret&limit=5')).toBe('/proxy/companies?token=[redacted]&limit=5');
    expect(redactUrl('/proxy/companies?limit=5')).toBe('/proxy/companies?limit=5');
  });
});
