/**
 * CREGO.PORTFOLIO over a whole book: 500 and 20,000 accounts (sandbox in its own thread, 20 ms
 * added latency, the client's default concurrency), through the real functions code. For each size:
 * the requests one PORTFOLIO sends (List Loans pages + one Get Summary per account), its time, the
 * round-trip bound ceil(requests / concurrency) × latency, the transport floor (the same Get
 * Summaries as bare GETs over the same connections: no client, no batcher), the List Loans walk
 * alone (its pages go one after another), and a second
 * PORTFOLIO over the same date grouped differently (served from the batcher: 0 requests).
 * Environment: BENCH_PORTFOLIO_SIZES (500,20000), BENCH_LATENCY_MS (20), BENCH_CONCURRENCY.
 */
import { Agent, request } from 'undici';
import { excelSerialToEpoch, isoDateToExcelSerial } from '../src/api/dates';
import { DEFAULT_CONCURRENCY } from '../src/api/client';
import { createNodeClient } from '../src/api/node';
import type { Loan } from '../src/api/types';
import * as functions from '../src/functions/functions';
import { activeRuntime } from '../src/functions/runtime';
import { startRemoteSandbox } from './functions';

export const name = 'portfolio';

const TODAY = '2026-12-06';
const AS_OF = '2026-11-30';
const say = (line: string) => process.stderr.write(`${line}\n`);

function envInt(key: string, fallback: number): number {
  const v = Number(process.env[key]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

async function measure(accounts: number, latencyMs: number, concurrency: number): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const sandbox = await startRemoteSandbox({ accounts, latencyMs, today: TODAY, quiet: true });
  const seedMs = performance.now() - t0;
  const client = createNodeClient({ baseUrl: sandbox.url, token: sandbox.token, concurrency, maxConcurrency: concurrency });
  const agent = new Agent({ connections: concurrency });
  try {
    const ids = [...new Set((await client.listAll('loans.list', { pageSize: 500 })).map((l) => l.account))];
    const asOf = excelSerialToEpoch(isoDateToExcelSerial(AS_OF)!);
    const runtime = activeRuntime()!;
    runtime.configure({ client: createNodeClient({ baseUrl: sandbox.url, token: sandbox.token, environment: 'sandbox', concurrency, maxConcurrency: concurrency, cacheTtlMs: 0 }) });
    const invocation = () => ({}) as CustomFunctions.CancelableInvocation;

    const portfolio = async (groupBy: string) => {
      await sandbox.resetStats();
      const start = performance.now();
      const table = await functions.portfolio(AS_OF as unknown as number, groupBy, invocation());
      const ms = performance.now() - start;
      const stats = await sandbox.stats();
      return { ms: Math.round(ms), requests: stats.requests, list_pages: stats.byEndpoint['loans.list'] ?? 0, summaries: stats.byEndpoint['accounts.summary'] ?? 0, table };
    };
    const floor = async () => {
      await sandbox.resetStats();
      const start = performance.now();
      await Promise.all(
        ids.map(async (id) => {
          const res = await request(`${sandbox.url}/v1/lms/accounts/${encodeURIComponent(id)}/summary/?as_of_date=${asOf}`, {
            dispatcher: agent,
            headers: { authorization: `Bearer ${sandbox.token}`, accept: 'application/json' },
          });
          await res.body.json();
        }),
      );
      return Math.round(performance.now() - start);
    };

    // First run: the sandbox also builds every ledger (its own cost, reported apart).
    const first = await portfolio('');
    runtime.invalidate();
    const floorMs = await floor();
    // The List Loans walk alone (pages one after another, as the client walks them).
    const listStart = performance.now();
    await client.listAll('loans.list', { pageSize: 500, cache: 'bypass' });
    const listMs = Math.round(performance.now() - listStart);
    runtime.invalidate();
    const cold = await portfolio('');
    const again = await portfolio('asset_category');
    const bound = Math.ceil(cold.requests / concurrency) * latencyMs;
    const all = cold.table[1]!;
    const figures = {
      accounts: ids.length,
      latency_ms: latencyMs,
      concurrency,
      sandbox_seed_ms: Math.round(seedMs),
      requests: cold.requests,
      list_pages: cold.list_pages,
      summaries: cold.summaries,
      first_run_ms: first.ms,
      ms: cold.ms,
      bound_ms: bound,
      vs_bound: Math.round((cold.ms / bound) * 100) / 100,
      floor_ms: floorMs,
      list_walk_ms: listMs,
      vs_floor: Math.round((cold.ms / floorMs) * 100) / 100,
      regrouped: { requests: again.requests, ms: again.ms },
      book: { accounts: all[1], par_30: all[6], npa_share: all[9] },
    };
    say(
      `portfolio ${ids.length} accounts: ${cold.requests} requests (${cold.list_pages} List Loans pages + ${cold.summaries} Get Summary), ` +
        `${(cold.ms / 1000).toFixed(2)} s (${figures.vs_bound}× the bound ${(bound / 1000).toFixed(2)} s, ${figures.vs_floor}× the bare-GET floor ${(floorMs / 1000).toFixed(2)} s, List Loans walk alone ${(listMs / 1000).toFixed(2)} s; ` +
        `first run with the sandbox building ledgers ${(first.ms / 1000).toFixed(2)} s); regrouped: ${again.requests} requests, ${again.ms} ms`,
    );
    return figures;
  } finally {
    await agent.close();
    await client.close();
    await sandbox.close();
  }
}

export async function run(_opts: { json: boolean }): Promise<Record<string, unknown>> {
  const sizes = (process.env.BENCH_PORTFOLIO_SIZES ?? '500,20000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const latencyMs = envInt('BENCH_LATENCY_MS', 20);
  const concurrency = envInt('BENCH_CONCURRENCY', DEFAULT_CONCURRENCY);
  const out: Record<string, unknown> = {};
  for (const size of sizes) out[String(size)] = await measure(size, latencyMs, concurrency);
  return out;
}
