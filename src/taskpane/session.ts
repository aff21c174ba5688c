/**
 * The pane's connection state. The client is the functions runtime's (`globalThis.CregoRuntime`),
 * so formulas and the pane share one client, one cache and one token; only when functions.js is
 * absent (a page without the shared runtime) does the pane build its own.
 */
import { createClient } from '../api/index';
import type { CregoClient } from '../api/contract';
import type { Connection, CregoRuntimeApi } from '../functions/runtime';
import { loadServerConfig, type ServerConfig } from '../excel/serverConfig';
import { isProduction, type EnvironmentId } from './environments';

export interface Session {
  client: CregoClient;
  environment: EnvironmentId;
  baseUrl: string;
  production: boolean;
  /** Who the API says we are (username), when known. */
  user: string;
}

type Listener = (session: Session | null) => void;

let current: Session | null = null;
let serverConfig: ServerConfig | null = null;
let ownClient: CregoClient | null = null;
const listeners = new Set<Listener>();

export function runtime(): CregoRuntimeApi | undefined {
  return (globalThis as { CregoRuntime?: CregoRuntimeApi }).CregoRuntime;
}

/** Point the shared runtime (or, without it, our own client) at a connection; returns the client. */
export function useConnection(connection: Connection): CregoClient {
  const rt = runtime();
  if (rt) {
    rt.configure(connection);
    const client = rt.client();
    if (!client) throw new Error('The functions runtime did not accept the connection');
    return client;
  }
  const previous = ownClient as (CregoClient & { close?: () => Promise<void> }) | null;
  void previous?.close?.().catch(() => undefined);
  ownClient = createClient(connection);
  return ownClient;
}

export function dropConnection(): void {
  runtime()?.disconnect();
  const own = ownClient as (CregoClient & { close?: () => Promise<void> }) | null;
  void own?.close?.().catch(() => undefined);
  ownClient = null;
}

export function setSession(session: Session | null): void {
  current = session;
  for (const l of listeners) l(session);
}

export function session(): Session | null {
  return current;
}

/** The session, or an error telling the person what to do. */
export function requireSession(): Session {
  if (!current) throw new Error('Not connected: sign in on the Connect tab first.');
  return current;
}

export function onSession(listener: Listener): void {
  listeners.add(listener);
}

export function setServerConfig(config: ServerConfig | null): void {
  serverConfig = config;
}

export function getServerConfig(): ServerConfig | null {
  return serverConfig;
}

export function productionFor(env: EnvironmentId, baseUrl: string): boolean {
  return isProduction(env, baseUrl, serverConfig);
}

/** The add-in server's `/config.json`, or null when the page is not served by it (the pane then offers presets only). */
export async function fetchServerConfig(): Promise<ServerConfig | null> {
  return loadServerConfig().catch(() => null);
}
