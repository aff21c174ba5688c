/**
 * `crego push <records|fees|topups> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N] [--wait [SECONDS]]`
 *
 * Validates the sheet, posts valid rows exactly once through the bulk endpoint, and writes the
 * result columns back into the same file (atomically, previous file kept as `<file>.bak`). Each
 * write-ahead mark goes to `<file>.crego-journal.jsonl` (flushed) before its chunk is sent, so a
 * killed push is reconciled by the next one. One log line per push goes to `<file>.crego-log.csv`.
 *
 * Connection: CREGO_BASE_URL and CREGO_TOKEN from the environment (never a flag: a token on the
 * command line ends up in shell history and process lists). CREGO_ENVIRONMENT labels the log.
 * `--wait`: after sending, follow rows Crego accepted but has not applied (`pending`) until each is
 * posted or rejected, or the time is up (default 120 s). Without it the push ends once everything is sent.
 * Exit: 0 no row failed, was invalid, was rejected or is of unknown outcome (rows still pending alone exit 0) · 1 some did
 * · 2 usage, configuration, file or connection error
 * (then no row was sent and the file is as it was), or another push holds the file.
 *
 * `run` reads as the steps a push takes: options, connection, lock, sheet, check the connection,
 * push the rows, write the results back, report.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createNodeClient } from '../../api/node';
import type { CregoClient } from '../../api/contract';
import { isCregoError } from '../../api/contract';
import { connectionCause } from '../cause';
import { connectionFromEnv, type CliConnection } from '../connection';
import { getKind, KIND_NAMES, type SheetKind } from '../../bulk/kinds';
import { csvLine, csvWithCurrentHeader, LOG_HEADERS, logRow } from '../../bulk/log';
import { applyJournal, Journal, journalPath, type Fingerprint } from '../../bulk/node/journal';
import { PushLock } from '../../bulk/node/lock';
import { FileError, fileErrorInWords, loadSheet, type LoadedSheet } from '../../bulk/node/workbook';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, pushSheet, type PushProgress, type PushReport, type WaitProgress } from '../../bulk/push';
import { locateLayout, SheetError, type SheetLayout } from '../../bulk/sheet';
import { needsAttention, summaryLine, type ResultValues } from '../../bulk/results';
import { BULK_MAX_ITEMS } from '../../api/types';

export const summary = `Validate and post a bulk sheet exactly once: crego push <${KIND_NAMES.join('|')}> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N]`;

/** How long `--wait` without a number follows pending rows. */
const DEFAULT_WAIT_SECONDS = 120;

const USAGE = `Usage: crego push <${KIND_NAMES.join('|')}> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N] [--concurrency N] [--wait [SECONDS]]
  --wait [S]  after sending, wait until no row is pending (accepted by Crego, not yet applied) or S seconds pass (default ${DEFAULT_WAIT_SECONDS})
  Environment: CREGO_BASE_URL (e.g. https://preprod.api.crego.io), CREGO_TOKEN (bearer token), CREGO_ENVIRONMENT (label, optional)`;
/** Problems printed before the summary; the rest are in the Message column. */
const MAX_PROBLEMS_SHOWN = 50;

/** A mistake in the command line: the message, then the usage text. */
function usage(message: string): number {
  process.stderr.write(`crego push: ${message}\n${USAGE}\n`);
  return 2;
}

/** Anything else that stops a push before a row is sent (the file, the connection): the message alone. */
function stop(message: string): number {
  process.stderr.write(`crego push: ${message}\n`);
  return 2;
}

interface Options {
  kind: SheetKind;
  file: string;
  sheet?: string;
  dryRun: boolean;
  chunkSize: number;
  concurrency: number;
  /** Seconds `--wait` follows pending rows (0: not at all). */
  waitSeconds: number;
}

/** `--wait` takes an optional number: a bare `--wait` becomes `--wait=120` before node's parser sees it. */
function withWaitValue(args: string[]): string[] {
  return args.flatMap((a, i) => (a === '--wait' && !/^\d+$/.test(args[i + 1] ?? '') ? [`--wait=${DEFAULT_WAIT_SECONDS}`] : [a]));
}

function wholeNumber(text: string | undefined, fallback: number, min: number, max: number, name: string): number | string {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} must be a whole number from ${min} to ${max} (got '${text}')`;
}

/** Step 1: the command line, or the exit code after saying what is wrong with it. */
function parseOptions(args: string[]): Options | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: withWaitValue(args),
      allowPositionals: true,
      options: {
        sheet: { type: 'string' }, 'dry-run': { type: 'boolean' }, chunk: { type: 'string' }, concurrency: { type: 'string' }, wait: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [kindName, file] = parsed.positionals;
  const kind = kindName ? getKind(kindName) : undefined;
  if (!kind) return usage(kindName ? `unknown sheet kind '${kindName}'` : 'missing arguments');
  if (!file || parsed.positionals.length > 2) return usage('give exactly one FILE.xlsx or FILE.csv');
  const chunkSize = wholeNumber(parsed.values.chunk, DEFAULT_CHUNK_SIZE, 1, BULK_MAX_ITEMS, 'chunk');
  if (typeof chunkSize === 'string') return usage(chunkSize);
  const concurrency = wholeNumber(parsed.values.concurrency, DEFAULT_CONCURRENCY, 1, 16, 'concurrency');
  if (typeof concurrency === 'string') return usage(concurrency);
  const waitSeconds = wholeNumber(parsed.values.wait, 0, 1, 86_400, 'wait');
  if (typeof waitSeconds === 'string') return usage(waitSeconds);
  return { kind, file, sheet: parsed.values.sheet, dryRun: !!parsed.values['dry-run'], chunkSize, concurrency, waitSeconds };
}

interface Connected {
  connection: CliConnection;
  client: CregoClient;
}

/** Step 2: the connection from the environment (none for a dry run), or the exit code. */
function connect(opts: Options): Connected | null | number {
  if (opts.dryRun) return null;
  const connection = connectionFromEnv(process.env);
  if (typeof connection === 'string') return usage(connection);
  try {
    return { connection, client: createNodeClient({ ...connection, concurrency: opts.concurrency + 2 }) };
  } catch (err) {
    if (isCregoError(err)) return usage(err.message);
    throw err;
  }
}

function fingerprintFor(kind: SheetKind, layout: SheetLayout): Fingerprint {
  const cols = ['account', kind.keyField, 'amount'].map((f) => layout.columns.get(f)).filter((c): c is number => c !== undefined);
  return (row) => cols.map((c) => String(row[c] ?? '')).join('|');
}

interface Sheet {
  loaded: LoadedSheet;
  layout: SheetLayout;
  /** Result cells an interrupted push left in the journal, by values index. */
  restored: Map<number, ResultValues>;
}

/** Step 4: the sheet, its layout, and the journal of an interrupted push laid over it. Throws FileError/SheetError. */
async function readSheet(opts: Options): Promise<Sheet> {
  const loaded = await loadSheet(opts.file, opts.sheet);
  const layout = locateLayout(opts.kind, loaded.values);
  const journalFile = journalPath(opts.file);
  let restored: Map<number, ResultValues>;
  try {
    restored = await applyJournal(journalFile, loaded.sheetName, loaded.values, fingerprintFor(opts.kind, layout));
  } catch (err) {
    throw new FileError((err as Error).message);
  }
  if (restored.size > 0) process.stderr.write(`Resuming: ${restored.size} row(s) from an interrupted push found in ${journalFile}\n`);
  return { loaded, layout, restored };
}

/**
 * Step 5: one cheap request before any row, so a refused token, an untrusted certificate or a server
 * that is down stops the push with its cause, and no row is marked.
 */
async function checkConnection(c: Connected): Promise<string | undefined> {
  try {
    for await (const page of c.client.pages('loans.list', { pageSize: 1 })) {
      void page;
      break;
    }
  } catch (err) {
    if (isCregoError(err) && ['auth', 'network', 'config', 'timeout'].includes(err.kind)) return connectionCause(err, c.connection.baseUrl);
  }
  return undefined;
}

function progressPrinter(): ((p: PushProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const eta = p.etaSeconds === null ? '' : ` · about ${p.etaSeconds}s left`;
    const unknown = p.unknown ? ` · unknown ${p.unknown}` : '';
    process.stderr.write(`\r${p.done}/${p.total} rows · posted ${p.posted} · failed ${p.failed}${unknown}${eta}   `);
  };
}

function waitPrinter(): (w: WaitProgress) => void {
  const tty = process.stderr.isTTY;
  return (w) =>
    process.stderr.write(`${tty ? '\r' : ''}waiting for Crego to apply ${w.pending} pending row(s) · posted ${w.posted} · rejected ${w.rejected} · ${w.secondsLeft}s left${tty ? '   ' : '\n'}`);
}

/** Step 6: the rows through the engine, each write-ahead mark in the journal first; Ctrl-C stops cleanly. */
async function pushRows(opts: Options, sheet: Sheet, client: CregoClient | undefined, journal: Journal): Promise<PushReport> {
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nStopping: rows already sent are kept, the rest stay for the next push…\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    return await pushSheet({
      kind: opts.kind, values: sheet.loaded.values, client, dryRun: opts.dryRun, chunkSize: opts.chunkSize, concurrency: opts.concurrency,
      signal: abort.signal, onProgress: progressPrinter(), persist: (update) => journal.append(update),
      waitSeconds: opts.waitSeconds, onWait: opts.waitSeconds ? waitPrinter() : undefined,
    });
  } finally {
    process.off('SIGINT', onSigint);
    await journal.close();
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

async function appendLog(opts: Options, report: PushReport, environment: string, sheetName: string): Promise<void> {
  const path = `${opts.file}.crego-log.csv`;
  const row = csvLine(logRow(report, { environment, sheet: `${opts.file} › ${sheetName}` }));
  const existing = await readFile(path, 'utf8').catch(() => null);
  if (existing === null) return appendFile(path, csvLine([...LOG_HEADERS]) + row);
  // A log an older version started: its header gets the columns added since (Unknown), its rows stay.
  const upgraded = csvWithCurrentHeader(existing);
  if (upgraded !== null) return writeFile(path, upgraded + row);
  await appendFile(path, row);
}

/**
 * Step 7: the results into the file (and the journal removed), or, when the file cannot be written,
 * kept in the journal for the next push: the exit code then, else null.
 */
async function writeBack(opts: Options, sheet: Sheet, report: PushReport, journal: Journal): Promise<number | null> {
  // Rows this push left alone (e.g. posted by the interrupted run) still need the journal's cells.
  const results = report.results.map((r, i) => r ?? sheet.restored.get(i) ?? null);
  sheet.loaded.values.length = 0; // the write-back streams the file again: let the values go first (peak memory)
  try {
    await sheet.loaded.save(results, report.layout.resultColumn);
  } catch (err) {
    // The rows are in Crego and their outcomes in the journal: keep it, so the next push writes them
    // into the file and skips those rows, rather than losing them to a system error.
    process.stdout.write(`${summaryLine(report)}\n`);
    process.stderr.write(
      `crego push: the results could not be written into ${opts.file} (${fileErrorInWords(err, opts.file, 'write').message}). ` +
        `Nothing is lost: they are kept in ${journal.path}. Close the file if Excel has it open, then run the same push again: ` +
        'it writes them in and sends nothing twice.\n',
    );
    return 2;
  }
  await journal.remove(); // the file now holds everything the journal did
  return null;
}

/** Step 8: the problems, what happened, the summary line; the exit code. */
function printReport(opts: Options, report: PushReport): number {
  const shown = report.problems.slice(0, MAX_PROBLEMS_SHOWN);
  for (const p of shown) {
    if (p.status === 'invalid') for (const line of p.message.split(' | ')) process.stdout.write(`${line}\n`);
    else process.stdout.write(`Row ${p.row} (${p.status}): ${p.message}\n`);
  }
  if (report.problems.length > shown.length) {
    process.stdout.write(`… and ${report.problems.length - shown.length} more: see the Message column${opts.dryRun ? ' (run without --dry-run to write it)' : ''}\n`);
  }
  if (report.fatal) process.stdout.write(`Stopped early: ${report.fatal}\n`);
  if (report.cancelled) process.stdout.write('Cancelled: push again to finish (rows already sent are checked, not sent twice)\n');
  if (opts.dryRun) process.stdout.write(`Dry run: ${report.counts.ready} row(s) would be posted; nothing was sent or written\n`);
  else if (report.counts.alreadyThere > 0) process.stdout.write(`${report.counts.alreadyThere} row(s) were already in Crego and were not created again\n`);
  if (report.counts.pending > 0)
    process.stdout.write(`${report.counts.pending} row(s) accepted by Crego but not yet applied: push again (or with --wait) to follow them; they are never sent twice\n`);
  process.stdout.write(`${summaryLine(report)}\n`);
  return needsAttention(report) ? 1 : 0;
}

export async function run(args: string[]): Promise<number> {
  const opts = parseOptions(args);
  if (typeof opts === 'number') return opts;
  const connected = connect(opts);
  if (typeof connected === 'number') return connected;
  // A dry run writes nothing (no lock, no journal, no log), so it never waits for a push.
  const lock = opts.dryRun ? null : await PushLock.acquire(opts.file, (m) => process.stderr.write(`${m}\n`)).catch((err: unknown) => err as Error);
  if (lock instanceof Error) return lock instanceof FileError ? stop(lock.message) : stop(fileErrorInWords(lock, opts.file, 'write').message);
  try {
    return await pushLocked(opts, connected);
  } finally {
    await lock?.release();
  }
}

async function pushLocked(opts: Options, connected: Connected | null): Promise<number> {
  let sheet: Sheet;
  try {
    sheet = await readSheet(opts);
  } catch (err) {
    if (err instanceof FileError || err instanceof SheetError) return stop(err.message);
    throw err;
  }
  const cause = connected ? await checkConnection(connected) : undefined;
  if (cause) return stop(`${cause} Nothing was sent and ${opts.file} is unchanged.`);
  const journal = new Journal(journalPath(opts.file), sheet.loaded.sheetName, sheet.layout.headerIndex, sheet.loaded.values, fingerprintFor(opts.kind, sheet.layout));
  let report: PushReport;
  try {
    report = await pushRows(opts, sheet, connected?.client, journal);
  } catch (err) {
    if (err instanceof SheetError || err instanceof RangeError) return stop(err.message);
    throw err;
  }
  if (opts.dryRun) return printReport(opts, report);
  const environment = connected?.client.environment ?? connected?.connection.environment ?? '';
  const failedWrite = await writeBack(opts, sheet, report, journal);
  await appendLog(opts, report, environment, sheet.loaded.sheetName);
  return failedWrite ?? printReport(opts, report);
}
