/**
 * CREGO.LOAN, CREGO.PORTFOLIO and CREGO.ROLLRATES, free of Office. Every read goes through the
 * runtime's batcher with the same fetches SUMMARY and LOANS use (one List Loans walk, one Get
 * Summary per account and date), so a dashboard holding these and SUMMARY cells over the same
 * dates sends each request once.
 */
import type { DateSystem } from '../api/dates';
import { optionalChoice, optionalDate, requireAccountId } from './args';
import type { Fetch } from './batcher';
import { CATALOG, toFieldValueTable, type Cell } from './catalog';
import { read, readAccount, summaryFetch, type CallContext } from './engine';
import { badArgument, toCellError } from './errors';
import { loanEntity, type LoanEntity } from './loanCard';
import { GROUP_BY, MEASURES, portfolioTable, rollRateTable, isOpen, type RiskAccount, type RiskSummary } from './riskTables';
import type { FunctionsRuntime } from './runtime';

/** Every loan, every page: the same fetch as `CREGO.LOANS()` without filters, so the two share it. */
const ALL_LOANS: Fetch = Object.freeze({ endpoint: 'loans.list', query: Object.freeze({}), all: true });

/**
 * Summaries asked of the batcher at once by one formula: a 20,000-account book is asked in a moving
 * window rather than as 20,000 waiters at once, so the workbook's other cells queued meanwhile get
 * their turn between windows (the batcher still keeps the client's connections full: it holds 64
 * fetches and the window refills it).
 */
const SUMMARY_WINDOW = 256;

interface BookAccount {
  account: string;
  type: string;
  status: string;
}

/** The book: one entry per account (its first loan's type and status), in List Loans order. */
async function book(rt: FunctionsRuntime, ctx: CallContext): Promise<BookAccount[]> {
  let loans: Record<string, unknown>[];
  try {
    loans = await read<Record<string, unknown>[]>(rt, ctx, ALL_LOANS);
  } catch (error) {
    throw toCellError(error);
  }
  const seen = new Map<string, BookAccount>();
  for (const l of loans) {
    const account = typeof l.account === 'string' ? l.account : String(l.account ?? '');
    if (account && !seen.has(account)) seen.set(account, { account, type: String(l.type ?? ''), status: String(l.status ?? '') });
  }
  return [...seen.values()];
}

/**
 * Get Summary of each account at `asOf` (undefined: today), in order. Any failure fails the whole
 * call: a risk figure silently missing an account would be wrong, not partial.
 */
async function summariesAt(rt: FunctionsRuntime, ctx: CallContext, accounts: readonly string[], asOf: number | undefined): Promise<RiskSummary[]> {
  const out = new Array<RiskSummary>(accounts.length);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < accounts.length) {
      const i = next++;
      const account = accounts[i]!;
      try {
        out[i] = await readAccount<RiskSummary>(rt, ctx, account, summaryFetch(account, asOf, false));
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SUMMARY_WINDOW, accounts.length) }, worker));
  if (failure !== null) throw failure;
  return out;
}

// ── PORTFOLIO ───────────────────────────────────────────────────────────────────────────────

export async function portfolio(rt: FunctionsRuntime, ctx: CallContext, asOfArg: unknown, groupByArg: unknown): Promise<Cell[][]> {
  const dates = await rt.dateSystem();
  const asOf = optionalDate(asOfArg, 'asOfDate', dates);
  const groupBy = optionalChoice(groupByArg, 'groupBy', GROUP_BY);
  const accounts = await book(rt, ctx);
  const summaries = await summariesAt(rt, ctx, accounts.map((a) => a.account), asOf);
  const rows: RiskAccount[] = accounts.map((a, i) => ({ ...a, summary: summaries[i]! }));
  return portfolioTable(rows, groupBy);
}

// ── ROLLRATES ───────────────────────────────────────────────────────────────────────────────

export async function rollRates(rt: FunctionsRuntime, ctx: CallContext, fromArg: unknown, toArg: unknown, measureArg: unknown): Promise<Cell[][]> {
  const dates = await rt.dateSystem();
  const from = requiredDate(fromArg, 'fromDate', dates);
  const to = requiredDate(toArg, 'toDate', dates);
  if (from > to) throw badArgument('fromDate is after toDate: swap them');
  const measure = optionalChoice(measureArg, 'measure', MEASURES) ?? 'count';
  const accounts = (await book(rt, ctx)).map((a) => a.account);
  const atFrom = await summariesAt(rt, ctx, accounts, from);
  // Only accounts owing principal at fromDate are in the matrix: the others need no second Summary.
  const population = accounts.map((account, i) => ({ account, from: atFrom[i]! })).filter((p) => isOpen(p.from));
  const atTo = await summariesAt(rt, ctx, population.map((p) => p.account), to);
  return rollRateTable(population.map((p, i) => ({ from: p.from, to: atTo[i]! })), measure);
}

function requiredDate(value: unknown, argName: string, dates: DateSystem): number {
  const epoch = optionalDate(value, argName, dates);
  if (epoch === undefined) throw badArgument(`${argName} is empty: give a date (an Excel date or YYYY-MM-DD)`);
  return epoch;
}

// ── LOAN ────────────────────────────────────────────────────────────────────────────────────

/** The card of one account: today's Summary (shared with SUMMARY cells) and its loan from List Loans. */
export async function loanCard(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown): Promise<LoanEntity> {
  const account = requireAccountId(accountArg);
  const loansOfAccount: Fetch = { endpoint: 'loans.list', query: { account }, all: true, account };
  const [summary, loans, dates] = await Promise.all([
    readAccount<Record<string, unknown>>(rt, ctx, account, summaryFetch(account, undefined, false)),
    readAccount<Record<string, unknown>[]>(rt, ctx, account, loansOfAccount),
    rt.dateSystem(),
  ]);
  return loanEntity(account, summary, loans.find((l) => l.account === account) ?? loans[0], dates);
}

/** What LOAN shows where Excel has no entity values: SUMMARY's 23-row field/value table (one request). */
export async function loanTable(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown): Promise<Cell[][]> {
  const account = requireAccountId(accountArg);
  const [summary, dates] = await Promise.all([
    readAccount<Record<string, unknown>>(rt, ctx, account, summaryFetch(account, undefined, false)),
    rt.dateSystem(),
  ]);
  return toFieldValueTable(CATALOG.SUMMARY!, summary, dates);
}
