/**
 * `crego fn NAME [args…]`: evaluate any CREGO function headless, through exactly the code Excel
 * runs (the same exported functions, batcher and error messages). Values print as they would
 * sit in cells; a table prints as tab-separated rows. Connection: CREGO_BASE_URL and CREGO_TOKEN.
 */
import { connectionFromEnv } from '../connection';
import { connectionCause } from '../cause';
import { cellForTerminal, escapeControls } from '../terminal';
import * as functions from '../../functions/functions';
import { CellError, SIGN_IN_MESSAGE } from '../../functions/errors';
import { activeRuntime } from '../../functions/runtime';
import { findField, normalizeFieldName } from '../../functions/catalog';
import { excelDateTimeToEpoch, epochToIsoDate, excelSerialToIsoDate, formatIstTime } from '../../api/dates';
import { DEFAULT_SANDBOX_URL } from '../sandbox-defaults';
import type { CregoClient } from '../../api/contract';

export const summary = 'Evaluate a CREGO function, e.g. `crego fn SUMMARY <account> total_outstanding`';

type Shape = 'scalar' | 'column' | 'row';

interface FnEntry {
  run: (...args: any[]) => unknown;
  /** Parameter names, in order, without the invocation (as functions.json lists them). */
  params: string[];
  /** Parameters that take a range: a comma-separated argument becomes a column or a row. */
  ranges?: Partial<Record<number, Shape>>;
  streaming?: boolean;
  /** Needs no connection. */
  offline?: boolean;
}

/** Every CREGO function by its Excel id (test/functions checks this against functions.json). */
export const FUNCTIONS: Record<string, FnEntry> = {
  SUMMARY: { run: functions.summary, params: ['accountId', 'field', 'asOfDate', 'includeClosed'], ranges: { 0: 'column', 1: 'row' } },
  EMI: { run: functions.emi, params: ['principal', 'annualRatePct', 'tenureMonths', 'startDate', 'firstDueDate', 'rounding'] },
  SCHEDULE: { run: functions.schedule, params: ['principal', 'annualRatePct', 'tenureMonths', 'startDate', 'firstDueDate', 'rounding'] },
  EMIS: { run: functions.emis, params: ['accountId'] },
  OUTSTANDING: { run: functions.outstanding, params: ['accountId', 'field', 'asOfDate'] },
  LOANPARAMS: { run: functions.loanParams, params: ['accountId', 'field'] },
  LOANS: { run: functions.loans, params: ['status', 'type', 'assetCategory', 'search'] },
  RECORDS: { run: functions.records, params: ['accountId', 'fromDate', 'toDate'] },
  FEES: { run: functions.fees, params: ['accountId'] },
  SETTLEMENTS: { run: functions.settlements, params: ['accountId'] },
  TOPUPS: { run: functions.topups, params: ['accountId'] },
  LINE: { run: functions.line, params: ['accountId', 'field'] },
  FIELDS: { run: functions.fields, params: ['what'], offline: true },
  LIVE: { run: functions.live, params: ['accountId', 'field', 'seconds'], streaming: true },
  // The card's properties as name/value rows (a terminal shows no card).
  LOAN: { run: functions.loanProperties, params: ['accountId'] },
  PORTFOLIO: { run: functions.portfolio, params: ['asOfDate', 'groupBy'] },
  ROLLRATES: { run: functions.rollRates, params: ['fromDate', 'toDate', 'measure'] },
};

const USAGE = `Usage: crego fn NAME [args…] [--follow] [--serials] [--verbose]

  Arguments are given as in Excel: text, numbers, TRUE/FALSE, dates as YYYY-MM-DD (or serials);
  an empty argument ('') is an omitted one. For SUMMARY, comma-separated ids make a column and
  comma-separated fields a row: crego fn SUMMARY ACC1,ACC2 total_outstanding,dpd
  LIVE prints the first value, or every update with --follow (Ctrl-C stops).
  Account ids: the account column of \`crego fn LOANS\`. Dates print as YYYY-MM-DD (Excel's serials with --serials).
  --verbose adds, on stderr, the requests sent and the client's concurrency limit (it adapts to Crego's answers).
  Environment: CREGO_BASE_URL (e.g. ${DEFAULT_SANDBOX_URL}, what \`crego sandbox\` prints), CREGO_TOKEN
  (or CREGO_USERNAME and CREGO_PASSWORD), optional CREGO_ENVIRONMENT.

Functions:
${Object.entries(FUNCTIONS)
  .map(([name, e]) => `  ${name}(${e.params.join(', ')})`)
  .join('\n')}
`;

/** One command-line word → what Excel would pass for it. */
export function parseArg(text: string, shape: Shape = 'scalar'): unknown {
  if (shape !== 'scalar' && text.includes(',')) {
    const cells = text.split(',').map((t) => parseArg(t.trim()));
    return shape === 'column' ? cells.map((c) => [c]) : [cells];
  }
  if (shape !== 'scalar') return [[parseArg(text)]];
  if (text === '') return null;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function isError(value: unknown): value is { code: string; message?: string } {
  return value instanceof CellError || (typeof value === 'object' && value !== null && 'code' in value && !Array.isArray(value));
}

/** How a column's numbers read on a terminal: Excel date serials as dates, the rest as they are. */
type ColumnKind = 'date' | 'datetime' | undefined;

/**
 * Cells as text: errors as their code (messages listed after), numbers as they are, dates as
 * `YYYY-MM-DD` (instants with their IST time) where `kinds` says a column holds dates, and text
 * marked and escaped for a terminal (terminal.ts).
 */
export function formatResult(value: unknown, kinds: (row: number, col: number) => ColumnKind = () => undefined): { lines: string[]; errors: string[] } {
  const errors: string[] = [];
  const show = (v: unknown, row: number, col: number): string => {
    if (isError(v)) {
      if (v.message && !errors.includes(`${v.code} ${v.message}`)) errors.push(`${v.code} ${v.message}`);
      return v.code;
    }
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return showNumber(v, kinds(row, col));
    return typeof v === 'string' ? cellForTerminal(v) : String(v);
  };
  const rows = Array.isArray(value) ? (value as unknown[][]) : [[value]];
  return { lines: rows.map((cells, r) => cells.map((c, col) => show(c, r, col)).join('\t')), errors };
}

function showNumber(n: number, kind: ColumnKind): string {
  if (kind === 'date' && Number.isFinite(n)) return excelSerialToIsoDate(n);
  if (kind === 'datetime' && Number.isFinite(n)) {
    const epoch = excelDateTimeToEpoch(n);
    return `${epochToIsoDate(epoch)} ${formatIstTime(epoch)}`;
  }
  return String(n);
}

/**
 * Which cells of a result hold dates, from the field names: the `field` argument (a value, or the
 * columns of a SUMMARY spill), a header row of field names, or a field/value table's first column.
 */
export function dateCells(name: string, params: string[], argv: unknown[], value: unknown): (row: number, col: number) => ColumnKind {
  const kindOf = (field: unknown): ColumnKind => {
    if (typeof field !== 'string') return undefined;
    const k = findField(name, field)?.kind;
    return k === 'date' || k === 'datetime' ? k : undefined;
  };
  const fieldArg = argv[params.indexOf('field')];
  const fields = Array.isArray(fieldArg) ? (fieldArg as unknown[][]).flat() : fieldArg !== undefined && fieldArg !== null ? [fieldArg] : [];
  if (fields.length) return (_row, col) => kindOf(fields.length === 1 ? fields[0] : fields[col]);
  if (!Array.isArray(value) || !Array.isArray(value[0])) return () => undefined;
  const rows = value as unknown[][];
  const header = rows[0]!;
  const known = (c: unknown) => typeof c === 'string' && findField(name, c)?.name === normalizeFieldName(c);
  if (header.length > 1 && header.every(known)) return (row, col) => (row === 0 ? undefined : kindOf(header[col]));
  if (rows.every((r) => r.length === 2 && known(r[0]))) return (row, col) => (col === 1 ? kindOf(rows[row]![0]) : undefined);
  return () => undefined;
}

export async function run(args: string[]): Promise<number> {
  const follow = args.includes('--follow');
  const serials = args.includes('--serials');
  const verbose = args.includes('--verbose') || args.includes('-v');
  const words = args.filter((a) => !['--follow', '--serials', '--verbose', '-v'].includes(a));
  const [rawName, ...rest] = words;
  if (!rawName || rawName === '--help' || rawName === '-h') {
    process.stdout.write(USAGE);
    return rawName ? 0 : 2;
  }
  const name = rawName.toUpperCase().replace(/^CREGO\./, '');
  const entry = FUNCTIONS[name];
  if (!entry) {
    process.stderr.write(`crego fn: no function '${rawName}'. Known: ${Object.keys(FUNCTIONS).join(', ')}\n`);
    return 2;
  }
  if (rest.length > entry.params.length) {
    process.stderr.write(`crego fn: ${name} takes at most ${entry.params.length} arguments (${entry.params.join(', ')})\n`);
    return 2;
  }
  if (!entry.offline) {
    const code = await connect();
    if (code !== 0) return code;
  }
  const argv = entry.params.map((_, i) => (i < rest.length ? parseArg(rest[i]!, entry.ranges?.[i]) : null));
  const print = (value: unknown): number =>
    write(formatResult(value, serials ? undefined : dateCells(name, entry.params, argv, value)));
  try {
    if (entry.streaming) return await runStreaming(entry, argv, follow, print);
    return print(await entry.run(...argv, { isInValuePreview: false }));
  } catch (error) {
    // An Excel error (CellError, or CustomFunctions.Error where that runtime exists) prints as a cell would.
    return print(isError(error) ? error : new CellError('#N/A', error instanceof Error ? error.message : String(error)));
  } finally {
    if (verbose && !entry.offline) process.stderr.write(`${verboseLine()}\n`);
    failure = undefined;
    await closeClient();
  }
}

/** The last failure to use Crego in this run (recorded by the client wrapper of connect()), with its base URL. */
let failure: { error: unknown; baseUrl: string } | undefined;

/** Cell messages that speak of the task pane or of Excel's Refresh: a terminal says the cause instead. */
const CELL_ONLY = /^Sign in to Crego in the task pane$|[;,] will retry on refresh$/;

/** A cell's message as a terminal shows it: the connection's cause where there is one (cause.ts), never pane wording. */
export function terminalMessage(message: string, lastFailure: { error: unknown; baseUrl: string } | undefined): string {
  if (CELL_ONLY.test(message)) {
    const cause = lastFailure && connectionCause(lastFailure.error, lastFailure.baseUrl);
    if (cause) return cause;
    if (message === SIGN_IN_MESSAGE) return 'Not connected to Crego: set CREGO_BASE_URL and CREGO_TOKEN (see crego fn --help).';
    return `${message.replace(CELL_ONLY, '')}: run it again; \`crego doctor\` checks the connection.`;
  }
  return escapeControls(message);
}

function write({ lines, errors }: { lines: string[]; errors: string[] }): number {
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const e of errors) {
    const [code, ...words] = e.split(' ');
    process.stderr.write(`${code} ${terminalMessage(words.join(' '), failure)}\n`);
  }
  return errors.length ? 1 : 0;
}

/** The client, seen through a wrapper that remembers why a call failed (the cells only keep their own wording). */
function recordingFailures(client: CregoClient, baseUrl: string): CregoClient {
  return new Proxy(client, {
    get(target, prop) {
      const member = Reflect.get(target, prop, target) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        const result = (member as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (connectionCause(error, baseUrl)) failure = { error, baseUrl };
          });
        }
        return result;
      };
    },
  });
}

async function connect(): Promise<number> {
  const connection = connectionFromEnv(process.env);
  if (typeof connection === 'string') {
    process.stderr.write(`crego fn: ${connection}\n`);
    return 2;
  }
  // The Node carrier (keep-alive pool); the functions themselves are the browser build's code.
  const { createNodeClient } = await import('../../api/node');
  const client = createNodeClient(connection);
  activeRuntime()!.configure({ client: recordingFailures(client, connection.baseUrl) });
  return 0;
}

/** `--verbose`: what the run cost on the wire and where the adaptive concurrency limit stands. */
export function verboseLine(): string {
  const stats = activeRuntime()?.client()?.stats();
  if (!stats) return 'crego fn: not connected';
  const parts = [`${stats.sent} requests sent`, `${stats.retries} retried`, `peak ${stats.peakInFlight} in flight`];
  const c = stats.concurrency;
  if (c) parts.push(`concurrency limit ${c.limit} (ceiling ${c.ceiling})${c.pausedMs > 0 ? `, held ${Math.ceil(c.pausedMs / 1000)} s by Retry-After` : ''}`);
  return `crego fn: ${parts.join(', ')}`;
}

async function closeClient(): Promise<void> {
  const client = activeRuntime()?.client() as { close?: () => Promise<void> } | null;
  await client?.close?.();
}

function runStreaming(entry: FnEntry, argv: unknown[], follow: boolean, print: (value: unknown) => number): Promise<number> {
  return new Promise((resolve) => {
    let last = 0;
    const invocation = {
      isInValuePreview: false,
      onCanceled: undefined as undefined | (() => void),
      setResult: (value: unknown) => {
        last = print(value);
        if (!follow) stop();
      },
    };
    const stop = () => {
      invocation.onCanceled?.();
      process.off('SIGINT', stop);
      resolve(last);
    };
    process.on('SIGINT', stop);
    entry.run(...argv, invocation);
  });
}
