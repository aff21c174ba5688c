/**
 * The bulk push engine: plain 2-D sheet values in, result-column values out. Shared by the task pane
 * and `crego push`; it writes nothing itself, the host persists what it is given. Two steps: `planRows`
 * (./plan.ts: read, validate, key, skip) and a `PushRun` (./push-run.ts: send, settle, reconcile).
 *
 * Exactly once, in order of defence:
 * 1. Every row carries a stable key (its UTR / reference, or a generated one kept in the Key column)
 *    which the API refuses to create twice on an account.
 * 2. Before a chunk is sent, its rows are marked `sending` with the batch id and key, and the host's
 *    `persist` is awaited (write-ahead), so a crash leaves a trace of what may have reached Crego.
 * 3. A row found `sending` by a later run, or in a chunk whose answer was lost, is looked up in Crego
 *    by its key before anything is sent again (reconcile); it is never re-posted blind.
 * 4. Each chunk carries an Idempotency-Key made of the batch id and a hash of its content, so the
 *    client may retry it safely and the API replays the first answer.
 * 5. A chunk refused as a whole (400: nothing created, as DRF's `many=True` answers one bad item) loses
 *    only its bad rows: per-item errors mark them failed and the rest go again in a new chunk; when the
 *    answer does not say which items are bad, the chunk is halved until each bad row stands alone.
 *    A 409 on the chunk (its key in use or reused) proves nothing either way: its rows are looked up.
 */
import type { CregoClient } from '../api/contract';
import { todayExcelSerial } from '../api/dates';
import { BULK_MAX_ITEMS } from '../api/types';
import type { CellValue } from './cells';
import type { SheetKind } from './kinds/types';
import { pushMessages } from './messages';
import { planRows, type Plan } from './plan';
import type { UtrScope } from '../api/profile';
import { PushRun, type PushProgress, type PushReport, type ResultUpdate, type WaitProgress } from './push-run';
import { isProblemStatus, resultToValues, stamp } from './results';
import { locateLayout, type SheetLayout } from './sheet';

export { contentKey, planRows, type Candidate, type Plan } from './plan';
export { chunkIdempotencyKey, splitLevels, type Settled, type PushProgress, type PushReport, type ResultUpdate, type RowUpdate, type WaitProgress } from './push-run';
export type { PushCounts } from './results';

export const DEFAULT_CHUNK_SIZE = 200;
export const DEFAULT_CONCURRENCY = 4;

export interface PushOptions {
  kind: SheetKind;
  /** The sheet's values: optional stamp row, the header row, data rows, and any earlier result columns. */
  values: readonly (readonly CellValue[])[];
  /** Sheet row number of `values[0]` (default 1). */
  firstRow?: number;
  /** Needed unless `dryRun`. */
  client?: CregoClient;
  dryRun?: boolean;
  chunkSize?: number;
  /** Chunks in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?(progress: PushProgress): void;
  /** Awaited before a chunk is sent (write-ahead) and after each outcome: the host stores these result cells. */
  persist?(update: ResultUpdate): Promise<void>;
  /** Clock (ms) and today's Indian date as an Excel serial; injectable for tests. */
  now?(): number;
  todaySerial?: number;
  batchId?: string;
  /** Where a UTR must be unique when there is no client to say (a dry run); the client's profile wins. */
  utrScope?: UtrScope;
  /** Send nothing: only re-check rows Crego accepted but had not applied (the pane's "Check statuses", Refresh). */
  checkOnly?: boolean;
  /** After sending, keep re-checking pending rows until none is left or this many seconds have passed (`--wait`). */
  waitSeconds?: number;
  /** While waiting: rows still pending and seconds left. */
  onWait?(wait: WaitProgress): void;
}

export function newBatchId(ms: number = Date.now()): string {
  const t = new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `B${t}-${rand}`;
}

export async function pushSheet(opts: PushOptions): Promise<PushReport> {
  const { kind, values } = opts;
  if (!opts.dryRun && !opts.client) throw new Error('pushSheet needs a Crego client unless dryRun is set');
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > BULK_MAX_ITEMS) {
    throw new RangeError(`Chunk size must be a whole number from 1 to ${BULK_MAX_ITEMS}`);
  }
  const now = opts.now ?? Date.now;
  const firstRow = opts.firstRow ?? 1;
  const startedAt = now();
  const batchId = opts.batchId ?? newBatchId(startedAt);
  const layout = locateLayout(kind, values);
  const plan = planRows(kind, layout, values, {
    firstRow, todaySerial: opts.todaySerial ?? todayExcelSerial(startedAt), now, utrScope: opts.client?.settings?.utrScope ?? opts.utrScope,
  });
  const report = (run: PushRun | null): PushReport => ({
    kind: kind.name, batchId, dryRun: !!opts.dryRun, cancelled: run?.cancelled ?? false, fatal: run?.fatal ?? null, layout,
    results: plan.results, counts: plan.counts, problems: problemsOf(plan, layout, firstRow, values.length),
    requests: run?.requests ?? { bulk: 0, lookups: 0 }, settlements: run?.settlements ?? [], startedAt, finishedAt: now(),
  });
  if (opts.dryRun) {
    settleDryRun(kind, plan, now);
    return report(null);
  }
  const run = new PushRun({
    kind, layout, client: opts.client!, batchId, chunkSize, concurrency: Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY),
    signal: opts.signal, persist: opts.persist ?? (async () => {}), onProgress: opts.onProgress, now, startedAt,
    checkOnly: !!opts.checkOnly, waitMs: Math.max(0, (opts.waitSeconds ?? 0) * 1000), onWait: opts.onWait,
  }, plan);
  await run.run();
  if (opts.checkOnly) keepOnly(plan, new Set(plan.toSettle.map((c) => c.index)));
  return report(run);
}

/** A status check reports and changes only the rows it checked (a row that fails validation is Validate's business). */
function keepOnly(plan: Plan, indexes: ReadonlySet<number>): void {
  plan.results.forEach((r, i) => {
    if (r && !indexes.has(i)) plan.results[i] = null;
  });
  plan.flagged.clear();
}

/** A dry run sends nothing: valid rows become `ready`, and rows to look up say the next push will. */
function settleDryRun(kind: SheetKind, plan: Plan, now: () => number): void {
  const say = pushMessages(kind);
  for (const c of plan.toSend) {
    const r = { ...plan.current[c.index], status: 'ready' as const, message: say.wouldPost, at: stamp(now()), batch: '' };
    plan.current[c.index] = r;
    plan.results[c.index] = resultToValues(r);
    plan.counts.ready++;
  }
  for (const c of plan.toReconcile) {
    plan.results[c.index] = resultToValues({ ...plan.current[c.index], message: say.wouldLookUp(c.key) });
  }
}

/** Messages of invalid, failed and unsettled rows (and posted rows flagged as mismatched), in row order. */
function problemsOf(plan: Plan, layout: SheetLayout, firstRow: number, rows: number): PushReport['problems'] {
  const problems: PushReport['problems'] = [];
  for (let i = layout.headerIndex + 1; i < rows; i++) {
    const r = plan.results[i] ? plan.current[i] : null;
    if (r && isProblemStatus(r.status)) {
      problems.push({ row: firstRow + i, status: r.status, message: r.message });
    } else if (r && plan.flagged.has(i)) {
      problems.push({ row: firstRow + i, status: 'invalid', message: r.message });
    }
  }
  return problems;
}
