/**
 * `crego push <records|fees|topups> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N]`
 *
 * Validates the sheet, posts valid rows exactly once through the bulk endpoint, and writes the
 * result columns back into the same file (atomically, previous file kept as `<file>.bak`). Each
 * write-ahead mark goes to `<file>.crego-journal.jsonl` (flushed) before its chunk is sent, so a
 * killed push is reconciled by the next one. One log line per push goes to `<file>.crego-log.csv`.
 *
 * Connection: CREGO_BASE_URL and CREGO_TOKEN from the environment (never a flag: a token on the
 * command line ends up in shell history and process lists). CREGO_ENVIRONMENT labels the log.
 * Exit: 0 no row failed or was invalid · 1 some did · 2 usage or configuration error.
 */
import { appendFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createNodeClient } from '../../api/node';
import { connectionFromEnv } from '../connection';
import { isCregoError } from '../../api/contract';
import { getKind, KIND_NAMES, type SheetKind } from '../../bulk/kinds';
import { csvLine, LOG_HEADERS, logRow } from '../../bulk/log';
import { applyJournal, Journal, journalPath, type Fingerprint } from '../../bulk/node/journal';
import { FileError, loadSheet } from '../../bulk/node/workbook';
import { DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY, pushSheet, type PushProgress } from '../../bulk/push';
import { locateLayout, SheetError, type SheetLayout } from '../../bulk/sheet';
import { summaryLine } from '../../bulk/results';
import type { ResultValues } from '../../bulk/results';
import { BULK_MAX_ITEMS } from '../../api/types';

export const summary = `Validate and post a bulk sheet exactly once: crego push <${KIND_NAMES.join('|')}> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N]`;

const USAGE = `Usage: crego push <${KIND_NAMES.join('|')}> FILE.xlsx|FILE.csv [--sheet NAME] [--dry-run] [--chunk N] [--concurrency N]
  Environment: CREGO_BASE_URL (e.g. https://preprod.api.crego.io), CREGO_TOKEN (bearer token), CREGO_ENVIRONMENT (label, optional)`;
/** Problems printed before the summary; the rest are in the Message column. */
const MAX_PROBLEMS_SHOWN = 50;

function usage(message: string): number {
  process.stderr.write(`crego push: ${message}\n${USAGE}\n`);
  return 2;
}

function wholeNumber(text: string | undefined, fallback: number, min: number, max: number, name: string): number | string {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} must be a whole number from ${min} to ${max} (got '${text}')`;
}

function fingerprintFor(kind: SheetKind, layout: SheetLayout): Fingerprint {
  const cols = ['account', kind.keyField, 'amount'].map((f) => layout.columns.get(f)).filter((c): c is number => c !== undefined);
  return (row) => cols.map((c) => String(row[c] ?? '')).join('|');
}

function progressPrinter(): ((p: PushProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const eta = p.etaSeconds === null ? '' : ` · about ${p.etaSeconds}s left`;
    process.stderr.write(`\r${p.done}/${p.total} rows · posted ${p.posted} · failed ${p.failed}${eta}   `);
  };
}

async function appendLog(file: string, row: Array<string | number>): Promise<void> {
  const path = `${file}.crego-log.csv`;
  const exists = await stat(path).then(() => true, () => false);
  await appendFile(path, (exists ? '' : csvLine([...LOG_HEADERS])) + csvLine(row));
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        sheet: { type: 'string' },
        'dry-run': { type: 'boolean' },
        chunk: { type: 'string' },
        concurrency: { type: 'string' },
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
  const dryRun = !!parsed.values['dry-run'];

  const connection = dryRun ? undefined : connectionFromEnv(process.env);
  if (typeof connection === 'string') return usage(connection);
  const environment = connection?.environment ?? 'dry run';

  let sheet;
  try {
    sheet = await loadSheet(file, parsed.values.sheet);
  } catch (err) {
    if (err instanceof FileError) return usage(err.message);
    throw err;
  }
  const journalFile = journalPath(file);
  let restored = new Map<number, ResultValues>();
  try {
    const fingerprint = fingerprintFor(kind, locateLayout(kind, sheet.values));
    restored = await applyJournal(journalFile, sheet.sheetName, sheet.values, fingerprint);
  } catch (err) {
    return usage((err as Error).message);
  }
  if (restored.size > 0) process.stderr.write(`Resuming: ${restored.size} row(s) from an interrupted push found in ${journalFile}\n`);

  let client;
  try {
    client = connection ? createNodeClient({ ...connection, concurrency: concurrency + 2 }) : undefined;
  } catch (err) {
    if (isCregoError(err)) return usage(err.message);
    throw err;
  }

  const layout = locateLayout(kind, sheet.values);
  const journal = new Journal(journalFile, sheet.sheetName, layout.headerIndex, sheet.values, fingerprintFor(kind, layout));
  const abort = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nStopping: rows already sent are kept, the rest stay for the next push…\n');
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  let report;
  try {
    report = await pushSheet({
      kind,
      values: sheet.values,
      client,
      dryRun,
      chunkSize,
      concurrency,
      signal: abort.signal,
      onProgress: progressPrinter(),
      persist: (update) => journal.append(update),
    });
  } catch (err) {
    await journal.close();
    if (err instanceof SheetError || err instanceof RangeError) return usage(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  if (!dryRun) {
    await journal.close();
    // Rows this push left alone (e.g. posted by the interrupted run) still need the journal's cells.
    const results = report.results.map((r, i) => r ?? restored.get(i) ?? null);
    // The write-back streams the file again: let the values go first (peak memory).
    sheet.values.length = 0;
    try {
      await sheet.save(results, report.layout.resultColumn);
    } catch (err) {
      // The rows are in Crego and their outcomes in the journal: keep it, so the next push writes them
      // into the file and skips those rows, rather than losing them with a bare system error.
      await appendLog(file, logRow(report, { environment: client?.environment ?? environment, sheet: `${file} › ${sheet.sheetName}` }));
      process.stdout.write(`${summaryLine(report)}\n`);
      process.stderr.write(
        `crego push: the results could not be written into ${file} (${(err as Error).message}). ` +
          `Nothing is lost: they are kept in ${journalFile}. Close the file if Excel has it open, then run the same push again: ` +
          'it writes them in and sends nothing twice.\n',
      );
      return 2;
    }
    await journal.remove(); // the file now holds everything the journal did
  }
  await appendLog(file, logRow(report, { environment: client?.environment ?? environment, sheet: `${file} › ${sheet.sheetName}` }));

  const shown = report.problems.slice(0, MAX_PROBLEMS_SHOWN);
  for (const p of shown) {
    if (p.status === 'invalid') for (const line of p.message.split(' | ')) process.stdout.write(`${line}\n`);
    else process.stdout.write(`Row ${p.row} (${p.status}): ${p.message}\n`);
  }
  if (report.problems.length > shown.length) {
    process.stdout.write(`… and ${report.problems.length - shown.length} more: see the Message column${dryRun ? ' (run without --dry-run to write it)' : ''}\n`);
  }
  if (report.fatal) process.stdout.write(`Stopped early: ${report.fatal}\n`);
  if (report.cancelled) process.stdout.write('Cancelled: push again to finish (rows already sent are checked, not sent twice)\n');
  if (dryRun) process.stdout.write(`Dry run: ${report.counts.ready} row(s) would be posted; nothing was sent or written\n`);
  else if (report.counts.alreadyThere > 0) process.stdout.write(`${report.counts.alreadyThere} row(s) were already in Crego and were not created again\n`);
  process.stdout.write(`${summaryLine(report)}\n`);
  return report.counts.failed > 0 || report.counts.invalid > 0 ? 1 : 0;
}
