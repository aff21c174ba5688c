/**
 * Who is asking: the add-in's own pages, a tool that is not a browser, or a page of another
 * origin. The /api proxy signs requests with the server's CREGO_TOKEN, so a page of another
 * origin must get nothing from it, not even a read.
 *
 * What the add-in's own requests carry (checked against Microsoft's and MDN's documentation):
 * - Excel on the web: the pane and the shared runtime are iframes loaded from the add-in's origin,
 *   so /api calls are same-origin: `Sec-Fetch-Site: same-origin`, and `Origin: https://<add-in host>`
 *   on POST/PUT/PATCH/DELETE (none on GET).
 * - Excel on Windows: WebView2 (Chromium) sends the same; where Office still uses Trident (IE11),
 *   a same-origin request carries neither header.
 * - Excel on Mac: WKWebView sends `Sec-Fetch-Site` from Safari 16.4; older ones send only `Origin`
 *   on writes.
 * A page of another origin cannot suppress either header (both are forbidden request headers), so
 * the rule is: `Sec-Fetch-Site` absent, `same-origin` or `none` (typed into the address bar), and
 * `Origin` absent or exactly the add-in's origin: scheme, host and port. Curl and the CLI send
 * neither header and pass as tools.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type Caller = 'own' | 'tool' | 'foreign';

/**
 * Origins whose pages are the add-in's own: `https://` + the Host the request was sent to (the
 * server only speaks TLS), plus the configured public origin (ADDIN_ORIGIN) for a reverse proxy
 * in front that does not keep the Host header.
 */
export function ownOrigins(headers: IncomingHttpHeaders, configured: readonly string[] = []): Set<string> {
  const host = headers.host ?? (headers[':authority'] as string | undefined);
  const origins = new Set(configured.map(originOf).filter((o): o is string => o !== undefined));
  if (host) {
    const own = originOf(`https://${host}`);
    if (own) origins.add(own);
  }
  return origins;
}

export function classifyCaller(headers: IncomingHttpHeaders, configured: readonly string[] = []): Caller {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'foreign';
  const origin = headers.origin;
  if (origin === undefined) return site === 'same-origin' ? 'own' : 'tool';
  // `Origin: null` (sandboxed frame, file://, a redirect across origins) is never ours.
  const normalised = originOf(origin);
  return normalised !== undefined && ownOrigins(headers, configured).has(normalised) ? 'own' : 'foreign';
}

/** `scheme://host[:port]` lower-cased with the default port dropped, or undefined when not a URL origin. */
function originOf(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
