/**
 * Shared set-up for the functions tests: a sandbox over real HTTP, a fresh functions runtime per
 * test (its own batcher cache), a stub CustomFunctions runtime, and a hand-driven clock for LIVE.
 */
import { beforeAll, afterAll } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import { createNodeClient } from '../../src/api/node';
import type { Loan } from '../../src/api/types';
import type { LiveClock } from '../../src/functions/live';
import { FunctionsRuntime, setActiveRuntime, type RefreshScope, type RuntimeOptions } from '../../src/functions/runtime';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index';
import { installCustomFunctions } from './custom-functions-stub';

installCustomFunctions();

export interface Portfolio {
  sandbox: RunningSandbox;
  /** Term-loan accounts (active), then credit lines. */
  termAccounts: string[];
  creditLines: string[];
}

export async function bootPortfolio(options: SandboxOptions = {}): Promise<Portfolio> {
  const sandbox = await startSandbox({ accounts: 30, today: '2026-01-15', faults: '', quiet: true, ...options });
  const client = createNodeClient({ baseUrl: sandbox.url, token: sandbox.token });
  const loans = await client.listAll('loans.list', { pageSize: 500 });
  await client.close();
  const active = loans.filter((l) => l.status === 'active');
  return {
    sandbox,
    termAccounts: [...new Set(active.filter((l) => l.type === 'term_loan').map((l) => l.account))],
    creditLines: [...new Set(active.filter((l) => l.type === 'credit_line').map((l) => l.account))],
  };
}

/**
 * A portfolio and a direct client to its sandbox for a whole test file: started before its tests,
 * closed after them; `use` receives both once they are ready.
 */
export function sharePortfolio(use: (portfolio: Portfolio, api: CregoHttpClient) => void, options: SandboxOptions = {}): void {
  let portfolio: Portfolio | undefined;
  let api: CregoHttpClient | undefined;
  beforeAll(async () => {
    portfolio = await bootPortfolio(options);
    api = createNodeClient({ baseUrl: portfolio.sandbox.url, token: portfolio.sandbox.token });
    use(portfolio, api);
  });
  afterAll(async () => {
    await api?.close();
    await portfolio?.sandbox.close();
  });
}

/** A clock the test moves by hand: timers fire only inside `advance`. */
export class ManualClock implements LiveClock {
  private t = 1_000_000;
  private timers = new Set<{ at: number; run: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(run: () => void, ms: number): unknown {
    const timer = { at: this.t + ms, run };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as { at: number; run: () => void });
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.t += ms;
    for (const timer of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > this.t) continue;
      this.timers.delete(timer);
      timer.run();
    }
  }
}

export interface TestRuntime {
  runtime: FunctionsRuntime;
  clock: ManualClock;
  recalcs: RefreshScope[];
}

/** A fresh runtime made active (what functions.ts uses), connected to the sandbox unless told otherwise. */
export function useRuntime(sandbox: RunningSandbox | null, options: Partial<RuntimeOptions> = {}): TestRuntime {
  const clock = new ManualClock();
  const recalcs: RefreshScope[] = [];
  const runtime = new FunctionsRuntime({
    // No automatic retries: each test says exactly which requests it expects.
    createClient: (connection) => createNodeClient({ retry: { retries: 0 }, ...connection }),
    recalc: async (scope) => {
      recalcs.push(scope);
    },
    loadDefault: async () => null,
    liveClock: clock,
    ...options,
  });
  setActiveRuntime(runtime);
  if (sandbox) runtime.configure({ baseUrl: sandbox.url, token: sandbox.token, environment: 'sandbox' });
  return { runtime, clock, recalcs };
}

/** Requests the sandbox has received for one endpoint since the last reset. */
export function requestsTo(sandbox: RunningSandbox, endpoint: string): number {
  return sandbox.stats().byEndpoint[endpoint] ?? 0;
}

/** Let pending macrotasks run (the batcher's wave has left by then: it ends on a microtask). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Wait until `condition` holds, turn by turn (no fixed sleep, no timing assertion). */
export async function until(condition: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition never became true');
}
