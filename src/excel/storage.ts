/**
 * The add-in's own storage: OfficeRuntime.storage (per add-in domain, outside the workbook), never
 * document settings, which travel inside the .xlsx. The only module that opens it. The pane saves
 * the token and the connection it belongs to here; the functions runtime reads both before the
 * pane has ever been opened, so formulas work at once and use the pane's environment. Signing in to
 * another environment replaces both, so a token is never sent to another environment.
 */

/** Key of the bearer token the pane signed in with. */
export const TOKEN_STORAGE_KEY = 'crego.token';
/** Key of the pane's last connection (non-secret): the environment the stored token belongs to. */
export const CONNECTION_STORAGE_KEY = 'crego.connection';

/** What the pane saves under CONNECTION_STORAGE_KEY. `baseUrl` as typed: `/api` or an absolute URL. */
export interface SavedConnection {
  environment: string;
  baseUrl: string;
  profileJson?: string;
  username?: string;
}

interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

const mem = new Map<string, string>();
/** Outside Office (a plain browser, the CLI): kept for this page only, nothing persisted. */
const memory: KeyValueStore = {
  getItem: async (k) => mem.get(k) ?? null,
  setItem: async (k, v) => void mem.set(k, v),
  removeItem: async (k) => void mem.delete(k),
};

/** OfficeRuntime.storage when the host has it, looked up on each use (hosts and tests install it late). */
function store(): KeyValueStore {
  return (globalThis as { OfficeRuntime?: { storage?: KeyValueStore } }).OfficeRuntime?.storage ?? memory;
}

/** A saved connection, or null for anything else (absent, not JSON, no environment or URL). */
export function parseSavedConnection(raw: string | null | undefined): SavedConnection | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<SavedConnection> | null;
    if (typeof value?.environment !== 'string' || typeof value.baseUrl !== 'string' || value.baseUrl.trim() === '') return null;
    return {
      environment: value.environment,
      baseUrl: value.baseUrl,
      ...(typeof value.profileJson === 'string' ? { profileJson: value.profileJson } : {}),
      ...(typeof value.username === 'string' ? { username: value.username } : {}),
    };
  } catch {
    return null;
  }
}

export async function loadConnection(): Promise<SavedConnection | null> {
  return parseSavedConnection(await store().getItem(CONNECTION_STORAGE_KEY));
}

export async function saveConnection(connection: SavedConnection): Promise<void> {
  await store().setItem(CONNECTION_STORAGE_KEY, JSON.stringify(connection));
}

export async function loadToken(): Promise<string | null> {
  return store().getItem(TOKEN_STORAGE_KEY);
}

export async function saveToken(token: string): Promise<void> {
  await store().setItem(TOKEN_STORAGE_KEY, token);
}

export async function forgetToken(): Promise<void> {
  await store().removeItem(TOKEN_STORAGE_KEY);
}

/** Key of this machine's id as the holder of a push's sheet lock (src/excel/lock.ts). */
export const LOCK_HOLDER_STORAGE_KEY = 'crego.lockHolder';

/**
 * This machine's id as a push-lock holder, made once and kept: a pane reopened after a crash
 * mid-push knows the lock it left as its own and lifts it at once; a co-author's pane, with storage
 * of its own, sees someone else's.
 */
export function lockHolderId(): Promise<string> {
  // Read (or made) once per page: a push asks for it several times.
  holderId ??= (async () => {
    const known = await store().getItem(LOCK_HOLDER_STORAGE_KEY).catch(() => null);
    if (known) return known;
    const id = globalThis.crypto.randomUUID();
    await store().setItem(LOCK_HOLDER_STORAGE_KEY, id).catch(() => undefined);
    return id;
  })();
  return holderId;
}
let holderId: Promise<string> | undefined;
