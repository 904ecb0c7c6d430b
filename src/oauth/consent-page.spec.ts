import { consentPage, errorPage, esc } from './consent-page';
import { redirectUriProblem } from './oauth.service';

const EVIL = `"><script>alert(1)</script><img src=x onerror='y'>\``;

describe('consent page', () => {
  it('escapes every value it shows or carries: names, policy, redirect URI, hidden parameters, error', () => {
    const html = consentPage({
      clientName: EVIL,
      redirectUri: `https://app.example.com/cb?x=${EVIL}`,
      serverName: EVIL,
      accountName: EVIL,
      config: { methods: [EVIL], tags: [EVIL] },
      params: { state: EVIL, [EVIL]: EVIL },
      error: EVIL,
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain(`onerror='`);
    // The only tags are the page's own: no attribute value is broken out of.
    const tags = html.match(/<[a-z][a-z0-9]*/g) ?? [];
    expect(new Set(tags)).toEqual(
      new Set([
        '<html',
        '<head',
        '<meta',
        '<title',
        '<style',
        '<body',
        '<h1',
        '<span',
        '<p',
        '<strong',
        '<dl',
        '<dt',
        '<dd',
        '<form',
        '<input',
        '<label',
        '<code',
        '<button',
      ]),
    );
    expect(esc(EVIL)).not.toMatch(/[<>"'`]/);
  });

  it('escapes the error page too', () => {
    expect(errorPage(EVIL, EVIL)).not.toContain('<script>');
  });
});

describe('redirectUriProblem', () => {
  it.each([
    'https://claude.ai/api/mcp/auth_callback',
    'http://localhost:3334/oauth/callback',
    'http://127.0.0.1:9/cb',
    'http://[::1]:8080/cb',
    'cursor://anysphere.cursor-retrieval/oauth/user-x/callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['javascript:alert(1)'],
    ['data:text/html,x'],
    ['file:///etc/passwd'],
    ['http://evil.example.com/cb'],
    ['http://localhost.evil.com/cb'],
    ['https://a.example.com/cb#f'],
    ['relative/path'],
    [''],
    [42],
    ['x'.repeat(2001)],
  ])('refuses %s', (uri) => {
    expect(redirectUriProblem(uri)).toEqual(expect.any(String));
  });
});
