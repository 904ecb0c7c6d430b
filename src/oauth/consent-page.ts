import type { McpServerConfig } from '../mcp-servers/policy';

/** HTML-escapes a value for text and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Security headers of every OAuth page: no framing, no scripts, nothing cached. The referrer stays
 * on the gateway (the page's URL names an MCP server): `same-origin`, not `no-referrer`, because
 * with `no-referrer` Chromium sends `Origin: null` with the form's POST, which the origin guard
 * (rightly) refuses.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}.error{background:#fde8e8;border:1px solid #e0a0a0;padding:.6rem;border-radius:4px}
input[type=password]{width:100%;padding:.5rem;font-family:monospace;box-sizing:border-box}
button{padding:.5rem 1.2rem;margin:1rem .5rem 0 0;font-size:1rem}code{font-size:.9em}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** A page for errors that must not go back to the client (unknown client, unregistered redirect URI). */
export function errorPage(error: string, description: string): string {
  return layout(
    'Authorization error',
    `<h1>Authorization error</h1><p class="error"><code>${esc(error)}</code>: ${esc(description)}</p><p>Go back to the application and start the connection again.</p>`,
  );
}

function policyText(config: McpServerConfig): string {
  const parts = [
    `methods: ${config.methods ? config.methods.join(', ') : 'all'}`,
    `tags: ${config.tags ? config.tags.join(', ') : 'all'}`,
    `tool exposure: ${config.tool_exposure ?? 'all'}`,
  ];
  return parts.join('; ');
}

export interface ConsentView {
  clientName: string;
  redirectUri: string;
  serverName: string;
  accountName: string;
  config: McpServerConfig;
  /** The authorization request's parameters, carried by the form (re-checked on submit). */
  params: Record<string, string>;
  error?: string;
}

/** The consent page: the person approves the named client for the named MCP server by pasting a gateway API token. */
export function consentPage(v: ConsentView): string {
  const hidden = Object.entries(v.params)
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  let back = v.redirectUri;
  try {
    const u = new URL(v.redirectUri);
    back = u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : `${u.protocol}//${u.host}`;
  } catch {
    /* shown as registered */
  }
  return layout(
    `Authorize ${v.clientName}`,
    `<h1>Authorize <span id="client-name">${esc(v.clientName)}</span></h1>
<p><strong>${esc(v.clientName)}</strong> asks to use an MCP server of this Planhat gateway on your behalf.</p>
<dl>
<dt>MCP server</dt><dd id="server-name">${esc(v.serverName)}</dd>
<dt>Account</dt><dd id="account-name">${esc(v.accountName)}</dd>
<dt>Policy</dt><dd id="policy">${esc(policyText(v.config))}</dd>
<dt>Returns to</dt><dd>${esc(back)}</dd>
</dl>
${v.error ? `<p class="error" id="error">${esc(v.error)}</p>` : ''}
<form method="post" action="/oauth/authorize">
${hidden}
<label for="api_token">Gateway API token (scope <code>mcp</code> or <code>admin</code>); deleting it later revokes this access</label>
<input type="password" id="api_token" name="api_token" autocomplete="off" required>
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button>
</form>`,
  );
}
