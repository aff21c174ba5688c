/**
 * What each CREGO function computes, free of Office: arguments in (as Excel passes them), cell
 * values out, `CellError` on failure. functions.ts wraps these for Excel; `crego fn` calls the
 * same wrappers headless. Every read goes through the runtime's batcher.
 */
import type { QueryValue } from '../api/contract';
import type { PagedKey } from '../api/endpoints';
import type { DateSystem } from '../api/dates';
import type { AccountSummary, CalculateEmiAnswer } from '../api/types';
import {
  accountIdOf,
  catalogNameOf,
  cellsOf,
  isBlank,
  isColumn,
  isRow,
  numberOf,
  optionalBool,
  optionalChoice,
  optionalDate,
  optionalFieldOf,
  optionalText,
  fieldOf,
  requireAccountId,
  requireOneDimension,
} from './args';
import type { Fetch, Projection } from './batcher';
import { Cancellation } from './cancel';
import { CATALOG, normalizeFieldName, toCell, toFieldValueTable, toTable, type Cell, type FieldKind, type FieldSpec } from './catalog';
import { badArgument, CellError, toCellError, toExcelError } from './errors';
import type { LiveCell } from './live';
import type { FunctionsRuntime } from './runtime';

/** Per-call context: the cell's cancellation and whether Excel is only previewing the formula. */
export interface CallContext {
  cancel?: Cancellation;
  preview: boolean;
  /** LIVE ticks: skip the cache. */
  fresh?: boolean;
}

/** A matrix cell may hold an Excel error for just that cell. */
export type OutCell = Cell | CustomFunctions.Error | CellError;

export function read<T>(rt: FunctionsRuntime, ctx: CallContext, fetch: Fetch): Promise<T> {
  // Connected already (every cell but the first): straight to the batcher, no extra promise per cell.
  // The call context is the batcher's wait options as is (cancel, preview, fresh).
  const client = rt.client();
  return client ? rt.batcher.get<T>(client, fetch, ctx) : rt.connect().then((c) => rt.batcher.get<T>(c, fetch, ctx));
}

/** A read about one account: a failure says which account. */
export function readAccount<T>(rt: FunctionsRuntime, ctx: CallContext, account: string, fetch: Fetch): Promise<T> {
  return read<T>(rt, ctx, fetch.account === account ? fetch : { ...fetch, account }).catch((error: unknown) => {
    throw toCellError(error, { account });
  });
}

/**
 * The Get Summary fetch of an account, made once and reused (frozen, so the batcher also keeps its
 * cache key): a wave asks for the same account once per field cell.
 */
const summaryFetches = new Map<string, Fetch>();
const MAX_REMEMBERED_FETCHES = 20_000;

export function summaryFetch(account: string, asOf: number | undefined, includeClosed: boolean): Fetch {
  // The usual call (today, open loans) is remembered under the id itself: no string to build.
  // Ids never hold a space (accountIdOf), so the other keys cannot collide with an id.
  const memo = asOf === undefined && !includeClosed ? account : `${account} ${asOf ?? ''} ${includeClosed ? 1 : 0}`;
  let fetch = summaryFetches.get(memo);
  if (fetch === undefined) {
    const query: Record<string, QueryValue> = { as_of_date: asOf, include_closed_loan: includeClosed ? true : undefined };
    fetch = Object.freeze({
      endpoint: 'accounts.summary',
      path: Object.freeze({ id: account }),
      query: Object.freeze(query),
      account,
    });
    // A plain bound rather than an LRU: past it (a workbook over 20,000 accounts) start afresh.
    if (summaryFetches.size >= MAX_REMEMBERED_FETCHES) summaryFetches.clear();
    summaryFetches.set(memo, fetch);
  }
  return fetch;
}

// ── SUMMARY of one account and one field: the shape of almost every cell of a wave ────────────

/** What a one-field cell shows: made once per field and date system, shared by every cell of that field. */
const oneFieldCells: Record<DateSystem, Map<FieldSpec, Projection<OutCell[][]>>> = { 1900: new Map(), 1904: new Map() };

function oneFieldCell(spec: FieldSpec, dates: DateSystem): Projection<OutCell[][]> {
  let project = oneFieldCells[dates].get(spec);
  if (project === undefined) {
    project = {
      value: (answer) => [[toCell(spec.kind, (answer as Record<string, unknown>)[spec.name], dates)]],
      error: accountFailure,
    };
    oneFieldCells[dates].set(spec, project);
  }
  return project;
}

/** A failed read about one account, as its cell shows it (what readAccount and the wrapper make of it). */
function accountFailure(error: unknown, fetch: Fetch): CustomFunctions.Error | CellError {
  return toExcelError(toCellError(error, { account: fetch.account }));
}

/** SUMMARY's arguments as Excel passes them: accountId, field, asOfDate, includeClosed. */
type SummaryArgs = [accountArg: unknown, fieldArg: unknown, asOfArg: unknown, includeClosedArg: unknown];

const NOT_ONE = Symbol('not one cell');

/** The value of a scalar or a 1×1 range; NOT_ONE for anything larger or empty. */
function soleCell(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length !== 1) return NOT_ONE;
  const row: unknown = value[0];
  return Array.isArray(row) ? (row.length === 1 ? row[0] : NOT_ONE) : row;
}

/**
 * `SUMMARY(id, field, …)` for one id and one field while connected: the cell's promise is the
 * batcher's own, which settles with the cell's final value or Excel error (no promise chain, no
 * closure per cell). Anything else (a range, a blank or bad argument, no connection yet) returns
 * `null`: `summary` then handles it, with the one set of argument messages.
 */
export function summaryCell(rt: FunctionsRuntime, ctx: CallContext, ...args: SummaryArgs): Promise<OutCell[][]> | null {
  const [accountArg, fieldArg, asOfArg, includeClosedArg] = args;
  const client = rt.client();
  const dates = rt.knownDateSystem();
  if (client === null || dates === null) return null;
  const idValue = soleCell(accountArg);
  const fieldValue = soleCell(fieldArg);
  if (idValue === NOT_ONE || typeof fieldValue !== 'string' || isBlank(fieldValue)) return null;
  let fetch: Fetch;
  let spec: FieldSpec;
  try {
    const id = accountIdOf(idValue);
    if (id === null) return null;
    spec = fieldOf('SUMMARY', fieldValue);
    fetch = summaryFetch(id, optionalDate(asOfArg, 'asOfDate', dates), optionalBool(includeClosedArg, 'includeClosed', false));
  } catch {
    return null;
  }
  return rt.batcher.get(client, fetch, ctx, oneFieldCell(spec, dates));
}

// ── SUMMARY ─────────────────────────────────────────────────────────────────────────────────

export async function summary(rt: FunctionsRuntime, ctx: CallContext, ...args: SummaryArgs): Promise<OutCell[][]> {
  const [accountArg, fieldArg, asOfArg, includeClosedArg] = args;
  requireOneDimension(accountArg, 'accountId', 'account ids');
  requireOneDimension(fieldArg, 'field', 'field names');
  const idCells = cellsOf(accountArg);
  const ids = idCells.map((v, i) => accountIdOf(v, idCells.length > 1 ? `accountId (cell ${i + 1})` : 'accountId'));
  if (ids.every((id) => id === null)) throw badArgument('accountId is empty: give a Crego account id (CREGO.LOANS() lists them)');
  const fieldCells = cellsOf(fieldArg);
  const fields: FieldSpec[] | null = fieldCells.every(isBlank)
    ? null
    : fieldCells.map((v, i) => fieldOf('SUMMARY', v, fieldCells.length > 1 ? `field (cell ${i + 1})` : 'field'));
  const dates = await rt.dateSystem();
  const asOf = optionalDate(asOfArg, 'asOfDate', dates);
  const includeClosed = optionalBool(includeClosedArg, 'includeClosed', false);

  // One account and one field while connected is summaryCell's; here (say the first cell, before the
  // connection is made) it is a 1×1 table like any other.
  // One read per distinct account; the batcher shares it with every other cell of the wave too.
  const answers = new Map<string, Promise<AccountSummary>>();
  for (const id of ids) {
    if (id !== null && !answers.has(id)) answers.set(id, readAccount(rt, ctx, id, summaryFetch(id, asOf, includeClosed)));
  }
  const outcomes = await Promise.allSettled(answers.values());
  const settled = new Map([...answers.keys()].map((id, i) => [id, outcomes[i]!] as const));

  const present = ids.filter((id): id is string => id !== null);
  const failures = present.map((id) => settled.get(id)!).filter((r) => r.status === 'rejected');
  // Nothing to show at all (one account, or every account failed): the whole formula shows the error.
  if (failures.length === present.length) throw (failures[0] as PromiseRejectedResult).reason;

  const specs = fields ?? CATALOG.SUMMARY!;
  if (!fields && ids.length === 1) {
    // One account, no field: its field/value table (the account succeeded, or we threw above).
    const only = settled.get(ids[0]!) as PromiseFulfilledResult<AccountSummary>;
    return toFieldValueTable(specs, only.value as unknown as Record<string, unknown>, dates);
  }

  const rows = ids.map((id): OutCell[] => {
    if (id === null) return specs.map(() => '');
    const result = settled.get(id)!;
    if (result.status === 'rejected') {
      const error = toExcelError(toCellError(result.reason, { account: id }));
      return specs.map(() => error);
    }
    const obj = result.value as unknown as Record<string, unknown>;
    return specs.map((s) => toCell(s.kind, obj[s.name], dates));
  });
  // A row of ids with one field reads across, and one id with a column of fields reads down, like their argument.
  if (isRow(accountArg) && specs.length === 1) return [rows.map((r) => r[0]!)];
  if (ids.length === 1 && isColumn(fieldArg)) return rows[0]!.map((v) => [v]);
  return rows;
}

// ── EMI and SCHEDULE (Calculate EMI: a pure calculation, so identical calls share one answer) ──

function calculateFetch(principal: unknown, rate: unknown, tenure: unknown, start: unknown, firstDue: unknown, rounding: unknown, dates: DateSystem): Fetch {
  const body = {
    loan_amount: numberOf(principal, 'principal', { above: 0 }),
    roi: numberOf(rate, 'annualRatePct', { min: 0, max: 100 }),
    emi_count: numberOf(tenure, 'tenureMonths', { integer: true, min: 1, max: 600 }),
    emi_rounding: optionalChoice(rounding, 'rounding', ['rupee', 'paise'] as const) ?? 'rupee',
    start_date: optionalDate(start, 'startDate', dates),
    first_due_date: optionalDate(firstDue, 'firstDueDate', dates),
  };
  if (body.start_date !== undefined && body.first_due_date !== undefined && body.first_due_date <= body.start_date) {
    throw badArgument('firstDueDate must be after startDate');
  }
  // Dates not given are left out of the body (the API's defaults apply), and out of the cache key.
  return { endpoint: 'emis.calculate', body: Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) };
}

export async function emi(rt: FunctionsRuntime, ctx: CallContext, ...args: unknown[]): Promise<number> {
  const dates = await rt.dateSystem();
  const answer = await calculate(rt, ctx, args, dates);
  return toCell('money', answer.emi_amount, dates) as number;
}

export async function schedule(rt: FunctionsRuntime, ctx: CallContext, ...args: unknown[]): Promise<Cell[][]> {
  const dates = await rt.dateSystem();
  const answer = await calculate(rt, ctx, args, dates);
  return toTable(CATALOG.SCHEDULE, (answer.schedule ?? []) as unknown as Record<string, unknown>[], dates);
}

async function calculate(rt: FunctionsRuntime, ctx: CallContext, args: unknown[], dates: DateSystem): Promise<CalculateEmiAnswer> {
  const [principal, rate, tenure, start, firstDue, rounding] = args;
  const fetch = calculateFetch(principal, rate, tenure, start, firstDue, rounding, dates);
  try {
    return await read<CalculateEmiAnswer>(rt, ctx, fetch);
  } catch (error) {
    throw toCellError(error);
  }
}

// ── One object per account: a field, or the field/value table ──────────────────────────────

async function objectField(
  rt: FunctionsRuntime,
  ctx: CallContext,
  what: 'OUTSTANDING' | 'LOANPARAMS' | 'LINE',
  accountArg: unknown,
  fieldArg: unknown,
  fetchFor: (account: string) => Fetch,
  /** Also accept names outside the catalogue that the answer carries (the wide loan-data object). */
  openFields = false,
): Promise<Cell[][]> {
  const account = requireAccountId(accountArg);
  let field: FieldSpec | null;
  let other: string | null = null;
  try {
    field = optionalFieldOf(what, fieldArg);
  } catch (error) {
    if (!openFields || typeof fieldArg !== 'string') throw error;
    field = null;
    other = normalizeFieldName(fieldArg);
  }
  const [obj, dates] = await Promise.all([readAccount<Record<string, unknown>>(rt, ctx, account, fetchFor(account)), rt.dateSystem()]);
  if (other !== null) {
    if (!Object.hasOwn(obj, other)) throw badArgument(`Unknown ${what} field '${String(fieldArg).trim()}'; =CREGO.FIELDS("${what}") lists the valid names`);
    return [[toCell(kindOfValue(obj[other]), obj[other], dates)]];
  }
  if (field) return [[toCell(field.kind, obj[field.name], dates)]];
  return toFieldValueTable(CATALOG[what]!, obj, dates);
}

function kindOfValue(value: unknown): FieldKind {
  if (Array.isArray(value)) return 'slabs';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'text';
}

export async function outstanding(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown, fieldArg: unknown, asOfArg: unknown): Promise<Cell[][]> {
  const asOf = optionalDate(asOfArg, 'asOfDate', await rt.dateSystem());
  return objectField(rt, ctx, 'OUTSTANDING', accountArg, fieldArg, (account) => ({
    endpoint: 'emis.outstanding',
    query: { account, as_of_date: asOf },
  }));
}

export function loanParams(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown, fieldArg: unknown): Promise<Cell[][]> {
  return objectField(rt, ctx, 'LOANPARAMS', accountArg, fieldArg, (account) => ({ endpoint: 'accounts.loan_params', path: { id: account } }), true);
}

export function line(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown, fieldArg: unknown): Promise<Cell[][]> {
  return objectField(rt, ctx, 'LINE', accountArg, fieldArg, (account) => ({ endpoint: 'accounts.refresh_limit', path: { id: account } }));
}

// ── Lists: a table with a header row ─────────────────────────────────────────────────────────

async function list(
  rt: FunctionsRuntime,
  ctx: CallContext,
  what: string,
  endpoint: PagedKey,
  query: Record<string, QueryValue>,
  account?: string,
): Promise<Cell[][]> {
  const fetch: Fetch = { endpoint, query, all: true, account };
  let rows: Record<string, unknown>[];
  let dates: DateSystem;
  try {
    [rows, dates] = await Promise.all([read<Record<string, unknown>[]>(rt, ctx, fetch), rt.dateSystem()]);
  } catch (error) {
    throw toCellError(error, { account });
  }
  // Lists answer an empty page for an account that does not exist; only then is it worth one
  // (cached, shared) Get Summary to tell a typo ("No account 'x'") from an account with no items.
  if (rows.length === 0 && account !== undefined) await readAccount(rt, ctx, account, summaryFetch(account, undefined, false));
  return toTable(CATALOG[what]!, rows, dates);
}

function accountList(what: string, endpoint: PagedKey) {
  return (rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown): Promise<Cell[][]> => {
    const account = requireAccountId(accountArg);
    return list(rt, ctx, what, endpoint, { account }, account);
  };
}

export const emis = accountList('EMIS', 'emis.list');
export const fees = accountList('FEES', 'fees.list');
export const settlements = accountList('SETTLEMENTS', 'emis.settlements');
export const topups = accountList('TOPUPS', 'topups.list');

export async function records(rt: FunctionsRuntime, ctx: CallContext, accountArg: unknown, fromArg: unknown, toArg: unknown): Promise<Cell[][]> {
  const account = requireAccountId(accountArg);
  const dates = await rt.dateSystem();
  const from = optionalDate(fromArg, 'fromDate', dates);
  const to = optionalDate(toArg, 'toDate', dates);
  if (from !== undefined && to !== undefined && from > to) throw badArgument('fromDate is after toDate: swap them');
  return list(rt, ctx, 'RECORDS', 'records.list', { account, date_from: from, date_to: to }, account);
}

export function loans(rt: FunctionsRuntime, ctx: CallContext, statusArg: unknown, typeArg: unknown, categoryArg: unknown, searchArg: unknown): Promise<Cell[][]> {
  const query = {
    status: optionalChoice(statusArg, 'status', ['active', 'closed'] as const),
    type: optionalChoice(typeArg, 'type', ['term_loan', 'credit_line'] as const),
    asset_category: optionalChoice(categoryArg, 'assetCategory', ['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'] as const),
    search: optionalText(searchArg),
  };
  return list(rt, ctx, 'LOANS', 'loans.list', query);
}

// ── FIELDS (no network) ─────────────────────────────────────────────────────────────────────

export function fields(whatArg: unknown): Cell[][] {
  const only = catalogNameOf(whatArg);
  const rows: Cell[][] = [['function', 'field', 'description']];
  for (const [what, specs] of Object.entries(CATALOG)) {
    if (only && what !== only) continue;
    for (const s of specs) rows.push([what, s.name, s.description]);
  }
  return rows;
}

// ── LIVE ────────────────────────────────────────────────────────────────────────────────────

export interface LiveSink {
  setResult(value: unknown): void;
}

/**
 * Start a LIVE cell: a first value at once (from the cache when fresh enough), then an update
 * from the shared poll loop every `seconds` (≥ 30). Returns the stop function for onCanceled.
 */
export function live(rt: FunctionsRuntime, preview: boolean, accountArg: unknown, fieldArg: unknown, secondsArg: unknown, sink: LiveSink): () => void {
  let account: string;
  let field: FieldSpec;
  let intervalMs: number;
  try {
    account = requireAccountId(accountArg);
    field = fieldOf('SUMMARY', fieldArg);
    intervalMs = isBlank(secondsArg) || secondsArg === 0 ? 30_000 : numberOf(secondsArg, 'seconds', { above: 0 }) * 1000;
  } catch (error) {
    sink.setResult(toExcelError(toCellError(error)));
    return () => undefined;
  }
  let stopped = false;
  const deliver = async (ctx: CallContext) => {
    try {
      const [obj, dates] = await Promise.all([readAccount<Record<string, unknown>>(rt, ctx, account, summaryFetch(account, undefined, false)), rt.dateSystem()]);
      if (!stopped) sink.setResult(toCell(field.kind, obj[field.name], dates));
    } catch (error) {
      if (!stopped) sink.setResult(toExcelError(toCellError(error, { account })));
    }
  };
  const cancel = new Cancellation();
  void deliver({ cancel, preview });
  // A preview shows one value; only the committed formula keeps polling.
  if (preview) return () => cancel.cancel();
  const cell: LiveCell = { intervalMs, poll: () => deliver({ cancel, preview: false, fresh: true }) };
  const remove = rt.live.add(cell);
  return () => {
    stopped = true;
    remove();
    cancel.cancel();
  };
}
