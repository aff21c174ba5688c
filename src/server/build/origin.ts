/**
 * The add-in's public origin: every URL in the manifest points at it. Development uses
 * https://localhost:3000 (the URL written in manifest.xml); a production build takes ADDIN_ORIGIN.
 */

/** The origin written in the source manifest.xml; the build swaps it for the real one. */
export const DEV_ORIGIN = 'https://localhost:3000';
export const DEFAULT_PORT = 3000;

/**
 * ADDIN_ORIGIN (e.g. https://addin.example.com or https://cdn.example.com/crego) or, without it,
 * https://localhost:$PORT. Returned without a trailing slash. Throws a message naming the fix.
 */
export function resolveAddinOrigin(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.ADDIN_ORIGIN?.trim();
  if (!given) return `https://localhost:${portFrom(env)}`;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`ADDIN_ORIGIN='${given}' is not a URL. Give the public https address the add-in is served from, e.g. https://addin.example.com`);
  }
  if (url.protocol !== 'https:') {
    throw new Error(`ADDIN_ORIGIN='${given}' must use https: Office loads add-ins only over https.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`ADDIN_ORIGIN='${given}' must be a plain address without query, fragment or credentials.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function portFrom(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PORT?.trim();
  if (!raw) return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT='${raw}' is not a port number (1-65535).`);
  }
  return port;
}

/** The manifest <Version> (four numeric parts) for a package.json version like 1.2.3 or 1.2.3-beta.1. */
export function manifestVersion(packageVersion: string): string {
  const parts = packageVersion.split(/[-+]/)[0]!.split('.').map((p) => p.replace(/\D/g, '') || '0');
  while (parts.length < 4) parts.push('0');
  return parts.slice(0, 4).join('.');
}
