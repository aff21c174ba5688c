/**
 * What the add-in server says about itself at `GET /config.json` (src/server/index.ts serves it):
 * which Crego its `/api` proxies, and the embedded sandbox's dev token. Read by the pane when it
 * opens and by the functions before the pane has connected them; one type, one strict parser.
 */

export interface ServerConfig {
  /** What the server calls its Crego: `sandbox`, `preprod`, `production`… */
  environment: string;
  /** Where the server proxies Crego: `/api` (relative to the page) or an absolute URL. */
  apiBase: string;
  /** Only when the embedded sandbox is the backend. */
  devToken?: string;
}

/** The configuration in `body`, or null when it is not one (a page served by something else). */
export function parseServerConfig(body: unknown): ServerConfig | null {
  const value = body as Partial<Record<keyof ServerConfig, unknown>> | null;
  if (typeof value !== 'object' || value === null) return null;
  const { environment, apiBase, devToken } = value;
  if (typeof environment !== 'string' || environment.trim() === '') return null;
  if (typeof apiBase !== 'string' || apiBase.trim() === '') return null;
  if (devToken !== undefined && (typeof devToken !== 'string' || devToken === '')) return null;
  return { environment, apiBase, ...(devToken ? { devToken } : {}) };
}

/**
 * `config.json` beside the page (`page` defaults to the page's address). Throws when the server
 * cannot be reached, answers an error, or answers something that is not its configuration: the
 * caller decides whether that means "no add-in server" (the pane) or "unreachable" (a cell).
 */
export async function loadServerConfig(page: string | undefined = pageAddress()): Promise<ServerConfig> {
  if (!page) throw new Error('config.json: no page to read it from');
  const res = await fetch(new URL('config.json', page), { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const config = parseServerConfig(await res.json().catch(() => null));
  if (!config) throw new Error('config.json: not the add-in server\'s configuration');
  return config;
}

/** The page's address; its origin when only that is known; undefined without a page (Node). */
function pageAddress(): string | undefined {
  const location = (globalThis as { location?: { href?: string; origin?: string } }).location;
  if (location?.href) return location.href;
  return location?.origin && location.origin !== 'null' ? `${location.origin}/` : undefined;
}
