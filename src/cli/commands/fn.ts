/**
 * `crego fn NAME [args…]`: evaluate any CREGO function headless, through exactly the code Excel
 * runs (the same exported functions, batcher and error messages). Values print as they would
 * sit in cells; a table prints as tab-separated rows. Connection: CREGO_BASE_URL and CREGO_TOKEN.
 */
import { connectionFromEnv } from '../connection';
import * as functions from '../../functions/functions';
import { CellError } from '../../functions/errors';
import { activeRuntime } from '../../functions/runtime';

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

const USAGE = `Usage: crego fn NAME [args…] [--follow]

  Arguments are given as in Excel: text, numbers, TRUE/FALSE, dates as YYYY-MM-DD (or serials);
  an empty argument ('') is an omitted one. For SUMMARY, comma-separated ids make a column and
  comma-separated fields a row: crego fn SUMMARY ACC1,ACC2 total_outstanding,dpd
  LIVE prints the first value, or every update with --follow (Ctrl-C stops).
  Environment: CREGO_BASE_URL (e.g. http://127.0.0.1:8787), CREGO_TOKEN, optional CREGO_ENVIRONMENT.

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

/** Cells as text: errors as their code (messages listed after), numbers and text as they are. */
export function formatResult(value: unknown): { lines: string[]; errors: string[] } {
  const errors: string[] = [];
  const show = (v: unknown): string => {
    if (isError(v)) {
      if (v.message && !errors.includes(`${v.code} ${v.message}`)) errors.push(`${v.code} ${v.message}`);
      return v.code;
    }
    return v === null || v === undefined ? '' : String(v);
  };
  const rows = Array.isArray(value) ? (value as unknown[][]) : [[value]];
  return { lines: rows.map((row) => row.map(show).join('\t')), errors };
}

export async function run(args: string[]): Promise<number> {
  const follow = args.includes('--follow');
  const words = args.filter((a) => a !== '--follow');
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
  try {
    if (entry.streaming) return await runStreaming(entry, argv, follow);
    return print(await entry.run(...argv, { isInValuePreview: false }));
  } catch (error) {
    // An Excel error (CellError, or CustomFunctions.Error where that runtime exists) prints as a cell would.
    return print(isError(error) ? error : new CellError('#N/A', error instanceof Error ? error.message : String(error)));
  } finally {
    await closeClient();
  }
}

function print(value: unknown): number {
  const { lines, errors } = formatResult(value);
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const e of errors) process.stderr.write(`${e}\n`);
  return errors.length ? 1 : 0;
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
  activeRuntime()!.configure({ client });
  return 0;
}

async function closeClient(): Promise<void> {
  const client = activeRuntime()?.client() as { close?: () => Promise<void> } | null;
  await client?.close?.();
}

function runStreaming(entry: FnEntry, argv: unknown[], follow: boolean): Promise<number> {
  return new Promise((resolve) => {
    let last = 0;
    const invocation = {
      isInValuePreview: false,
      onCanceled: undefined as undefined | (() => void),
      setResult: (value: unknown) => {
        const { lines, errors } = formatResult(value);
        process.stdout.write(`${lines.join('\n')}\n`);
        for (const e of errors) process.stderr.write(`${e}\n`);
        last = errors.length ? 1 : 0;
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
