/**
 * Settings and the token live in OfficeRuntime.storage (per add-in domain, outside the workbook),
 * never in document settings, which travel inside the .xlsx. The token sits under the key the
 * functions runtime reads at start, next to the connection it belongs to, so formulas work before
 * the pane is opened and use the pane's environment; signing in to another environment replaces
 * both, so a token is never sent to another environment.
 */
import { CONNECTION_STORAGE_KEY, TOKEN_STORAGE_KEY, type SavedConnection } from '../functions/runtime';

export type { SavedConnection };

interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** OfficeRuntime.storage when the host has it; an in-memory map otherwise (nothing persisted). */
function store(): KeyValueStore {
  const rt = (globalThis as { OfficeRuntime?: { storage?: KeyValueStore } }).OfficeRuntime;
  if (rt?.storage) return rt.storage;
  return memory;
}

const mem = new Map<string, string>();
const memory: KeyValueStore = {
  getItem: async (k) => mem.get(k) ?? null,
  setItem: async (k, v) => void mem.set(k, v),
  removeItem: async (k) => void mem.delete(k),
};

export async function loadConnection(): Promise<SavedConnection | null> {
  const raw = await store().getItem(CONNECTION_STORAGE_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as SavedConnection;
  } catch {
    return null;
  }
}

export async function saveConnection(c: SavedConnection): Promise<void> {
  await store().setItem(CONNECTION_STORAGE_KEY, JSON.stringify(c));
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
