/**
 * The functions' connection to Crego and the one place the task pane talks to them.
 *
 * In the shared runtime the task pane and functions.js are one page, so the pane does not build a
 * second client: it calls `globalThis.CregoRuntime.configure(...)` after sign-in and
 * `CregoRuntime.refresh(scope)` for the Refresh buttons. Before the pane has ever been opened, the
 * functions connect on their own from the add-in server's `/config.json` and a token the pane left
 * in `OfficeRuntime.storage`; with neither, a cell says "Sign in to Crego in the task pane" at once
 * rather than waiting for a pane that may never open.
 */
import type { ConcurrencyStatus, CregoClient } from '../api/contract';
import type { DateSystem } from '../api/dates';
import { loadServerConfig } from '../excel/serverConfig';
import { loadConnection, loadToken, type SavedConnection } from '../excel/storage';
import { Batcher, type BatcherOptions, type BatcherStats } from './batcher';
import { CellError, SIGN_IN_MESSAGE, UNREACHABLE_MESSAGE } from './errors';
import { LivePoller, type LiveClock } from './live';
import { onRibbonRefresh, ribbonStatus, type RibbonStatus } from './ribbon';

/** What the pane (or the CLI) hands over; the client config's other options pass through. */
export interface Connection {
  baseUrl: string;
  token?: string;
  environment?: string;
  username?: string;
  password?: string;
  concurrency?: number;
  timeoutMs?: number;
  [option: string]: unknown;
}

export type RefreshScope = 'workbook' | 'sheet' | 'selection';

export interface RuntimeStatus {
  connected: boolean;
  /** Who set the connection: the pane/CLI (`configure`), the server's /config.json, or nobody yet. */
  source: 'configure' | 'config.json' | 'none';
  environment?: string;
  baseUrl?: string;
  cache: BatcherStats;
  /**
   * The client's adaptive concurrency limit now: requests it lets on the wire at once, its ceiling,
   * and how long a Retry-After still holds new sends (absent while not connected).
   */
  concurrency?: ConcurrencyStatus;
  /** LIVE cells being polled. */
  liveCells: number;
  livePaused: boolean;
  /**
   * The workbook's date system as the pane or the ribbon last read it; null while nobody has (or
   * Excel would not say): cells then use Excel's default, 1900.
   */
  dateSystem: DateSystem | null;
  /** The ribbon's Refresh data button: associated when functions.js loaded, and the pane's work handed to it. */
  ribbon: RibbonStatus;
}

/** The object published as `globalThis.CregoRuntime`. */
export interface CregoRuntimeApi {
  /** Use this connection from now on (or an existing client); drops every cached answer. */
  configure(connection: Connection | { client: CregoClient }): void;
  /** Forget the connection (sign-out): cells then ask to sign in. */
  disconnect(): void;
  /** Drop cached answers and recalculate the workbook's CREGO sheets (default), the active sheet or the selection. */
  refresh(scope?: RefreshScope): Promise<void>;
  /**
   * The workbook's date system, read by the pane or the ribbon (never by a cell: a cell must not wait
   * on Excel during a calculation). Returns true when cells' date serials change with it, so the
   * caller recalculates them.
   */
  setDateSystem(system: DateSystem | null): boolean;
  /** Drop cached answers (all, or one account's, or one endpoint's) without recalculating. */
  invalidate(scope?: { account?: string; endpoint?: string }): void;
  client(): CregoClient | null;
  status(): RuntimeStatus;
  /** Pause or resume the LIVE poll loop (cells keep their last value meanwhile). */
  pauseLive(paused: boolean): void;
  /** The pane's work for the ribbon's Refresh button (associated by functions.js at load, see ribbon.ts). */
  onRibbonRefresh(work: () => Promise<unknown>): void;
}

export interface RuntimeOptions {
  /** Builds a client from a connection (the browser entry passes `createClient`). */
  createClient: (connection: Connection) => CregoClient;
  /** Recalculates Excel (src/excel/recalc.ts in the add-in; absent headless). */
  recalc?: (scope: RefreshScope) => Promise<void>;
  /** Where the default connection comes from before `configure` (default: /config.json + OfficeRuntime.storage). */
  loadDefault?: () => Promise<Connection | null>;
  batcher?: BatcherOptions;
  liveClock?: LiveClock;
  /** How long a cell waits for the default connection before it says Crego is unreachable (default 15 s). */
  connectTimeoutMs?: number;
}

export class FunctionsRuntime implements CregoRuntimeApi {
  readonly batcher: Batcher;
  readonly live: LivePoller;
  private current: CregoClient | null = null;
  private source: RuntimeStatus['source'] = 'none';
  private connecting: Promise<CregoClient | null> | null = null;
  private dates: DateSystem | null = null;

  constructor(private readonly options: RuntimeOptions) {
    this.batcher = new Batcher(options.batcher);
    this.live = new LivePoller(options.liveClock);
  }

  configure(connection: Connection | { client: CregoClient }): void {
    const previous = this.current;
    const injected = (connection as { client?: CregoClient }).client;
    this.current = injected ?? this.options.createClient(connection as Connection);
    this.source = 'configure';
    this.connecting = null;
    this.batcher.invalidate();
    if (previous && previous !== this.current) closeQuietly(previous);
  }

  disconnect(): void {
    if (this.current) closeQuietly(this.current);
    this.current = null;
    this.source = 'none';
    this.connecting = null;
    this.batcher.invalidate();
  }

  async refresh(scope: RefreshScope = 'workbook'): Promise<void> {
    this.invalidate();
    await this.options.recalc?.(scope);
  }

  invalidate(scope: { account?: string; endpoint?: string } = {}): void {
    this.batcher.invalidate(scope);
    this.current?.invalidate(scope);
  }

  client(): CregoClient | null {
    return this.current;
  }

  status(): RuntimeStatus {
    return {
      connected: this.current !== null,
      source: this.source,
      environment: this.current?.environment,
      baseUrl: this.current?.baseUrl,
      cache: this.batcher.stats(),
      concurrency: this.current?.stats().concurrency,
      liveCells: this.live.size,
      livePaused: this.live.isPaused,
      dateSystem: this.dates,
      ribbon: ribbonStatus(),
    };
  }

  setDateSystem(system: DateSystem | null): boolean {
    const before = this.dateSystem();
    this.dates = system;
    return this.dateSystem() !== before;
  }

  /**
   * The date system a cell's dates, in and out, are serials of: the one the pane or the ribbon read
   * from the workbook, else Excel's default 1900 (a 1904 workbook's serials are 1,462 lower, see
   * src/api/dates). Known at once: no cell ever waits on Excel for it.
   */
  dateSystem(): DateSystem {
    return this.dates ?? 1900;
  }

  /** Same as dateSystem() (kept for the engine's one-cell fast path). */
  knownDateSystem(): DateSystem {
    return this.dateSystem();
  }

  pauseLive(paused: boolean): void {
    this.live.setPaused(paused);
  }

  onRibbonRefresh(work: () => Promise<unknown>): void {
    onRibbonRefresh(work);
  }

  /**
   * The client for a cell: the configured one, else the default connection (looked up once for
   * all the cells of a wave). Never waits for the task pane: no connection → sign-in message.
   */
  async connect(): Promise<CregoClient> {
    if (this.current) return this.current;
    if (!this.connecting) {
      const attempt = this.connectByDefault();
      this.connecting = attempt;
      // A failed or empty attempt is not remembered: the pane may store a token a moment later.
      const forget = () => {
        if (this.connecting === attempt) this.connecting = null;
      };
      attempt.then((client) => client || forget(), forget);
    }
    const client = await this.connecting;
    if (!client) throw new CellError('#N/A', SIGN_IN_MESSAGE);
    return client;
  }

  private async connectByDefault(): Promise<CregoClient | null> {
    let connection: Connection | null;
    try {
      // A /config.json or storage that never answers must not leave every cell at #BUSY!.
      connection = await settleWithin((this.options.loadDefault ?? loadDefaultConnection)(), this.options.connectTimeoutMs ?? 15_000);
    } catch {
      throw new CellError('#N/A', UNREACHABLE_MESSAGE);
    }
    // The pane may have configured us while the default was loading: its choice wins.
    if (this.current) return this.current;
    if (!connection) return null;
    this.current = this.options.createClient(connection);
    this.source = 'config.json';
    return this.current;
  }
}

/** `work`, or a rejection once `ms` have passed without an answer. */
function settleWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    (timer as { unref?: () => void }).unref?.();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function closeQuietly(client: CregoClient): void {
  const closable = client as CregoClient & { close?: () => Promise<void> };
  void closable.close?.().catch(() => undefined);
}

/**
 * The connection the pane last signed in with (its environment, URL and API profile, and the token
 * stored for it), else the add-in server's `/config.json`. The stored token belongs to the pane's
 * environment: it is never sent to another one, and the server's dev token is used only for the
 * server's own API. `null` when there is no page (Node) or no token.
 */
export async function loadDefaultConnection(): Promise<Connection | null> {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (!origin || origin === 'null') return null;
  let token: string | null | undefined;
  let saved: SavedConnection | null = null;
  try {
    token = await loadToken();
    saved = await loadConnection();
  } catch {
    token = undefined; // storage unavailable in this host: fall back to the server's connection
  }
  const absolute = (base: string) => new URL(base, `${origin}/`).href.replace(/\/+$/, '');
  if (saved && token) {
    return { baseUrl: absolute(saved.baseUrl), token, environment: saved.environment, profile: saved.profileJson };
  }
  const config = await loadServerConfig();
  const apiBase = absolute(config.apiBase);
  // Signed out of (or never into) another environment: its settings must not borrow the dev token.
  if (saved && absolute(saved.baseUrl) !== apiBase) return null;
  token = token || config.devToken;
  if (!token) return null;
  return { baseUrl: apiBase, token, environment: config.environment };
}

let active: FunctionsRuntime | null = null;

/** The runtime the CREGO functions use. */
export function activeRuntime(): FunctionsRuntime | null {
  return active;
}

/**
 * Make `runtime` the one the functions use and publish it as `globalThis.CregoRuntime` (methods
 * bound, so the pane may pass them around). Tests install one with a fake clock here.
 */
export function setActiveRuntime(runtime: FunctionsRuntime): CregoRuntimeApi {
  active = runtime;
  const api: CregoRuntimeApi = {
    configure: (connection) => runtime.configure(connection),
    disconnect: () => runtime.disconnect(),
    refresh: (scope) => runtime.refresh(scope),
    setDateSystem: (system) => runtime.setDateSystem(system),
    invalidate: (scope) => runtime.invalidate(scope),
    client: () => runtime.client(),
    status: () => runtime.status(),
    pauseLive: (paused) => runtime.pauseLive(paused),
    onRibbonRefresh: (work) => runtime.onRibbonRefresh(work),
  };
  (globalThis as { CregoRuntime?: CregoRuntimeApi }).CregoRuntime = api;
  return api;
}
