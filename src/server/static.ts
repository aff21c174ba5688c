/**
 * Serves the built add-in (dist/) with the headers Office needs: CORS on functions.json and
 * functions.js (Excel on the web fetches them from *.officeapps.live.com), a CSP on pages, and
 * revalidation on everything whose name does not carry a content hash, so a rebuild shows up.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './csp';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'text/xml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Files Excel fetches cross-origin. */
export const CROSS_ORIGIN_FILES = new Set(['/functions.json', '/functions.js']);

/** Vite's hashed output (taskpane-P2Xu9kJm.js) never changes under the same name. */
const HASHED = /-[A-Za-z0-9_-]{8}\.(js|css)$/;

export function createStaticHandler(distDir: string) {
  const root = normalize(distDir + sep);
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (CROSS_ORIGIN_FILES.has(pathname)) res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS' && CROSS_ORIGIN_FILES.has(pathname)) {
      res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    if (pathname === '/') {
      res.writeHead(302, { Location: '/taskpane.html' }).end();
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return notFound(res);
    }
    const file = normalize(join(root, decoded));
    if (decoded.includes('\0') || !file.startsWith(root)) return notFound(res);
    let info: Stats;
    try {
      info = await stat(file);
    } catch {
      return notFound(res);
    }
    if (!info.isFile()) return notFound(res);

    const ext = extname(file).toLowerCase();
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    if (ext === '.html') res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.setHeader('Content-Length', info.size);
    if (req.method === 'HEAD') {
      res.writeHead(200).end();
      return;
    }
    res.writeHead(200);
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
}
