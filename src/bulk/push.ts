/**
 * The bulk push engine: plain 2-D sheet values in, result-column values out. Shared by the task pane
 * (through src/excel) and `crego push`; it writes nothing itself, the host persists what it is given.
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
import { isCregoError, type CregoClient, type CregoError, type ErrorKind } from '../api/contract';
import { todayExcelSerial } from '../api/dates';
import type { BulkAnswer, BulkItemResult } from '../api/types';
import { parseUuid, show, type CellValue } from './cells';
import type { KindName, RowItem, SheetKind } from './kinds/types';
import { findExisting, mapLimited } from './reconcile';
import { EMPTY_RESULT, RESULT_HEADERS, readResult, resultToValues, stamp, type ResultValues, type RowResult } from './results';
import { locateLayout, type SheetLayout } from './sheet';
import { stillExample } from './template';
import { checkRow, DuplicateFinder, isBlankRow } from './validate';
import { BULK_MAX_ITEMS } from '../api/types';

export const DEFAULT_CHUNK_SIZE = 200;
export const DEFAULT_CONCURRENCY = 4;
/** How many times one run sends a row whose earlier attempt got no answer and was not found. */
const MAX_SENDS_PER_RUN = 2;
const LOOKUP_CONCURRENCY = 8;

export interface PushProgress {
  /** Rows settled in this run (posted or failed). */
  done: number;
  total: number;
  posted: number;
  failed: number;
  /** Seconds left at the current pace; null until the first chunk is answered. */
  etaSeconds: number | null;
}

export interface RowUpdate {
  /** 0-based index into `values`. */
  index: number;
  /** Sheet row number. */
  row: number;
  values: ResultValues;
}

export interface ResultUpdate {
  /** `write-ahead`: rows about to be sent; `answer`: outcomes of a chunk or a reconciliation. */
  phase: 'write-ahead' | 'answer';
  batchId: string;
  /** 0-based column of the first result column. */
  resultColumn: number;
  rows: RowUpdate[];
}

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
}

export interface PushCounts {
  /** Created now, or found already in Crego (duplicate answer or reconciliation). */
  posted: number;
  /** Of `posted`, rows that were already in Crego. */
  alreadyThere: number;
  /** Refused by Crego, not sent, or outcome still unknown. */
  failed: number;
  /** Of `failed`, rows still `sending`: outcome unknown, checked on the next push. */
  unresolved: number;
  invalid: number;
  /** Posted by an earlier push. */
  skipped: number;
  /** Dry run: valid rows that would be sent. */
  ready: number;
  /** Data rows (not blank, not the example). */
  rows: number;
}

export interface PushReport {
  kind: KindName;
  batchId: string;
  dryRun: boolean;
  cancelled: boolean;
  /** Set when the push stopped early (sign-in, permission, configuration). */
  fatal: string | null;
  layout: SheetLayout;
  /** One entry per `values` row: the new result cells, or null where nothing changes. */
  results: Array<ResultValues | null>;
  counts: PushCounts;
  /** Messages of invalid and failed rows, in row order. */
  problems: Array<{ row: number; status: 'invalid' | 'failed' | 'sending'; message: string }>;
  requests: { bulk: number; lookups: number };
  startedAt: number;
  finishedAt: number;
}

interface Candidate {
  index: number;
  row: number;
  account: string;
  key: string;
  /** Request item (null for a `sending` row that no longer validates: it can still be reconciled). */
  item: RowItem | null;
  sends: number;
}

/** Error kinds that prove the request was refused before anything was created. */
const REFUSED: ReadonlySet<ErrorKind> = new Set(['validation', 'too_large', 'auth', 'forbidden', 'not_found', 'rate_limited', 'config']);
/** Statuses of a bulk refusal that means "these items are invalid, nothing was created" (docs/api-assumptions.md). */
const WHOLE_CHUNK_INVALID: ReadonlySet<number> = new Set([400, 422]);
/** Refusals that will repeat for every chunk: stop the push. */
const FATAL: ReadonlySet<ErrorKind> = new Set(['auth', 'forbidden', 'config', 'not_found']);

export function newBatchId(ms: number = Date.now()): string {
  const t = new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `B${t}-${rand}`;
}

/**
 * The key of a row left without one: derived from the row's content (every field but the key), so the
 * same fee pushed again from a copy of the sheet that lost its Key column (a fresh export, a workbook
 * closed without saving after the pane's push) gets the same key, and Crego refuses it as a duplicate
 * instead of levying it twice. FNV-1a over two seeds (64 bits): synchronous, so 50,000 rows stay cheap.
 */
export function contentKey(kind: SheetKind, item: RowItem): string {
  const text = JSON.stringify(kind.columns.filter((c) => c.field !== kind.keyField).map((c) => item[c.field] ?? null));
  const hash = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return `XL-${hash(0x811c9dc5)}${hash(0x050c5d1f)}`;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Same batch + same items → same key, so a retried chunk is recognised; different content → different key.
 * `attempt` > 1 (the same rows sent again after a lookup found them absent) gets a key of its own: the
 * first key may still be held by a request in progress, which would answer 409 forever.
 */
export async function chunkIdempotencyKey(batchId: string, items: readonly RowItem[], attempt = 1): Promise<string> {
  const content = attempt > 1 ? JSON.stringify({ attempt, items }) : JSON.stringify(items);
  return `${batchId}-${(await sha256Hex(content)).slice(0, 32)}`;
}

/** Halving a refused chunk of n rows reaches single rows after ceil(log2 n) levels. */
export function splitLevels(rows: number): number {
  return rows <= 1 ? 0 : Math.ceil(Math.log2(rows));
}

/**
 * The key in the row and the one its result cells say was sent. Leading zeros are ignored between
 * digit-only keys: a Key cell Excel read as a number (`000123` written into a General cell) lost them.
 */
function sameKey(typed: string, sent: string): boolean {
  if (typed.toLowerCase() === sent.toLowerCase()) return true;
  return /^\d+$/.test(typed) && /^\d+$/.test(sent) && typed.replace(/^0+/, '') === sent.replace(/^0+/, '');
}

function describeFieldErrors(kind: SheetKind, errors: Record<string, string[]> | null | undefined): string {
  if (!errors) return 'Crego refused it without a reason';
  return Object.entries(errors)
    .map(([field, msgs]) => {
      const header = kind.columns.find((c) => c.field === field)?.header;
      return header ? `${header}: ${msgs.join(' ')}` : msgs.join(' ');
    })
    .join('; ');
}

/**
 * The field errors of a one-item bulk refusal, less the request-level `items` entry ("1 of 1 items are
 * invalid") when the fields themselves say what is wrong.
 */
function rowFieldErrors(errors: Record<string, string[]> | undefined): Record<string, string[]> | undefined {
  if (!errors || !('items' in errors) || Object.keys(errors).length === 1) return errors;
  const { items: _count, ...fields } = errors;
  return fields;
}

export async function pushSheet(opts: PushOptions): Promise<PushReport> {
  const { kind, values } = opts;
  if (!opts.dryRun && !opts.client) throw new Error('pushSheet needs a Crego client unless dryRun is set');
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > BULK_MAX_ITEMS) {
    throw new RangeError(`Chunk size must be a whole number from 1 to ${BULK_MAX_ITEMS}`);
  }
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const now = opts.now ?? Date.now;
  const firstRow = opts.firstRow ?? 1;
  const todaySerial = opts.todaySerial ?? todayExcelSerial(now());
  const startedAt = now();
  const batchId = opts.batchId ?? newBatchId(startedAt);
  const layout = locateLayout(kind, values);
  const keyHeader = kind.columns.find((c) => c.field === kind.keyField)!.header;
  const keyColumn = layout.columns.get(kind.keyField);

  const results: Array<ResultValues | null> = values.map(() => null);
  const current: RowResult[] = [];
  const counts: PushCounts = { posted: 0, alreadyThere: 0, failed: 0, unresolved: 0, invalid: 0, skipped: 0, ready: 0, rows: 0 };
  const requests = { bulk: 0, lookups: 0 };
  results[layout.headerIndex] = [...RESULT_HEADERS];

  const set = (index: number, r: RowResult) => {
    current[index] = r;
    results[index] = resultToValues(r);
  };
  const update = (c: Candidate): RowUpdate => ({ index: c.index, row: c.row, values: results[c.index]! });

  // ── 1. Read every data row: skip, validate, find duplicates, sort into send / reconcile. ──────────
  const dupes = new DuplicateFinder(kind);
  /** Posted rows whose result cells do not match them: reported as invalid, their Status left as it is. */
  const flagged = new Set<number>();
  const toSend: Candidate[] = [];
  const toReconcile: Candidate[] = [];
  for (let i = layout.headerIndex + 1; i < values.length; i++) {
    const row = values[i] ?? [];
    const rowNumber = firstRow + i;
    const prior = readResult(row, layout.resultColumn);
    current[i] = prior;
    if (isBlankRow(kind, layout, row)) continue;
    if (prior.status === 'example') {
      if (stillExample(kind, layout, row, todaySerial)) continue;
      prior.status = '';
    }
    counts.rows++;
    if (prior.status === 'posted') {
      const account = parseUuid(row[layout.columns.get('account')!]);
      const typed = keyColumn === undefined ? '' : String(row[keyColumn] ?? '').trim();
      const key = prior.key || typed;
      if (account.ok && key) dupes.claim(account.value, key, rowNumber);
      if (prior.key && typed && !sameKey(typed, prior.key)) {
        // The result cells say another key was posted: they belong to another row (a sort or insert that
        // left the result columns behind) or the key was changed after posting. Skipping could lose this
        // row and sending could post a payment twice, so neither happens until a person checks.
        const problem = `Row ${rowNumber}, ${keyHeader}: ${show(typed)} is not the ${keyHeader} this row was posted with (${prior.key}, Crego id ${prior.id || 'unknown'}). ` +
          'The result cells may belong to another row (sorted or inserted without them?) or the reference was changed after posting. ' +
          'Check both in Crego, then correct this row or clear its result cells to send it.';
        set(i, { ...prior, message: problem });
        flagged.add(i);
        counts.invalid++;
        continue;
      }
      // Posted rows are never re-sent; their keys still count for duplicates further down.
      counts.skipped++;
      continue;
    }
    const check = checkRow(kind, layout, row, rowNumber, todaySerial);
    if (prior.status === 'sending') {
      // Sent before without a known outcome: look it up by the key that was sent before anything else.
      const account = check.item ? String(check.item.account) : (() => {
        const a = parseUuid(row[layout.columns.get('account')!]);
        return a.ok ? a.value : '';
      })();
      const key = prior.key || (check.item ? String(check.item[kind.keyField] ?? '') : '');
      if (!account || !key) {
        set(i, { ...prior, message: `An earlier push may have sent this row but it cannot be checked: ${check.problems.join(' ') || 'it has no key'}. Check it in Crego before changing the status.` });
        counts.failed++;
        counts.unresolved++;
        continue;
      }
      if (check.item) check.item[kind.keyField] = check.item[kind.keyField] || key;
      dupes.claim(account, key, rowNumber);
      toReconcile.push({ index: i, row: rowNumber, account, key, item: check.item, sends: 0 });
      continue;
    }
    if (!check.item) {
      set(i, { ...EMPTY_RESULT, status: 'invalid', message: check.problems.join(' | '), at: stamp(now()), key: prior.key });
      counts.invalid++;
      continue;
    }
    const item = check.item;
    // A generated key, once written, is the row's key for good: reuse it rather than making a new one.
    const typedKey = String(item[kind.keyField] ?? '');
    const key = typedKey || prior.key || contentKey(kind, item);
    item[kind.keyField] = key;
    const dup = dupes.claim(String(item.account), key, rowNumber, !typedKey && !prior.key);
    if (dup) {
      set(i, { ...EMPTY_RESULT, status: 'invalid', message: dup, at: stamp(now()), key: prior.key });
      counts.invalid++;
      continue;
    }
    toSend.push({ index: i, row: rowNumber, account: String(item.account), key, item, sends: 0 });
  }

  const finish = (cancelled: boolean, fatal: string | null): PushReport => {
    const problems: PushReport['problems'] = [];
    for (let i = layout.headerIndex + 1; i < values.length; i++) {
      const r = results[i] ? current[i] : null;
      if (r && (r.status === 'invalid' || r.status === 'failed' || r.status === 'sending')) {
        problems.push({ row: firstRow + i, status: r.status, message: r.message });
      } else if (r && flagged.has(i)) {
        problems.push({ row: firstRow + i, status: 'invalid', message: r.message });
      }
    }
    return { kind: kind.name, batchId, dryRun: !!opts.dryRun, cancelled, fatal, layout, results, counts, problems, requests, startedAt, finishedAt: now() };
  };

  if (opts.dryRun) {
    for (const c of toSend) {
      set(c.index, { ...current[c.index], status: 'ready', message: 'Valid: would be posted (dry run)', at: stamp(now()), batch: '', key: current[c.index].key });
      counts.ready++;
    }
    for (const c of toReconcile) {
      results[c.index] = resultToValues({ ...current[c.index], message: `An earlier push may have sent this row: the next push looks up ${keyHeader} ${c.key} in Crego before sending it` });
    }
    return finish(false, null);
  }

  const client = opts.client!;
  const signal = opts.signal;
  const persist = opts.persist ?? (async () => {});
  const total = toSend.length + toReconcile.length;
  let done = 0;
  let fatal: string | null = null;
  const progress = () => {
    const elapsed = (now() - startedAt) / 1000;
    const etaSeconds = done > 0 ? Math.round((elapsed / done) * (total - done)) : null;
    opts.onProgress?.({ done, total, posted: counts.posted, failed: counts.failed, etaSeconds });
  };

  const settlePosted = (c: Candidate, id: string, message: string, already: boolean) => {
    set(c.index, { status: 'posted', id, message, at: stamp(now()), batch: batchId, key: c.key });
    counts.posted++;
    if (already) counts.alreadyThere++;
    done++;
  };
  const settleFailed = (c: Candidate, message: string) => {
    set(c.index, { status: 'failed', id: '', message, at: stamp(now()), batch: batchId, key: c.key });
    counts.failed++;
    done++;
  };
  const leaveSending = (c: Candidate, message: string) => {
    set(c.index, { ...current[c.index], status: 'sending', message, at: stamp(now()), key: c.key });
    counts.failed++;
    counts.unresolved++;
    done++;
  };

  const queue: Candidate[] = [];

  /**
   * Look rows up by key. Found → posted (already there). Not found → queued to send (or, past the
   * per-run limit, failed: checked absent, safe to retry). The lookup itself failing → stays `sending`.
   */
  const reconcile = async (rows: Candidate[], why: string) => {
    const requeued = new Set<Candidate>();
    const found = await mapLimited(rows, LOOKUP_CONCURRENCY, async (c) => {
      if (signal?.aborted) return { c, error: 'cancelled' as const };
      requests.lookups++;
      try {
        return { c, id: await findExisting(client, kind, c, signal) };
      } catch (err) {
        return { c, error: err instanceof Error ? err.message : String(err) };
      }
    });
    for (const f of found) {
      const { c } = f;
      if ('error' in f) {
        leaveSending(c, f.error === 'cancelled'
          ? `Push cancelled before Crego could be checked for this row (${why}); the next push checks ${keyHeader} ${c.key} before sending it again`
          : `Outcome unknown (${why}) and Crego could not be checked (${f.error}); push again: the next push checks ${keyHeader} ${c.key} first`);
      } else if (f.id) {
        settlePosted(c, f.id, `Already in Crego: found by ${keyHeader} ${c.key} after ${why}; not sent again`, true);
      } else if (!c.item) {
        settleFailed(c, `Not in Crego (checked by ${keyHeader} ${c.key} after ${why}), and the row no longer validates; fix it and push again`);
      } else if (c.sends >= MAX_SENDS_PER_RUN) {
        settleFailed(c, `Not created: after ${why}, ${keyHeader} ${c.key} was looked up and is not in Crego. Push again to retry`);
      } else {
        c.key = String(c.item[kind.keyField]); // the key it is sent with now (a person may have corrected it)
        queue.push(c);
        requeued.add(c);
      }
    }
    await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: found.filter((f) => !requeued.has(f.c)).map((f) => update(f.c)) });
    progress();
  };

  /** The row's own refusal: a key-field error may mean "already there" (a unique check), so look it up first. */
  const settleRefusedRow = async (c: Candidate, errors: Record<string, string[]> | undefined, fallback: string) => {
    const message = errors && Object.keys(errors).length > 0 ? `Refused by Crego: ${describeFieldErrors(kind, errors)}` : fallback;
    if (errors && kind.keyField in errors) {
      requests.lookups++;
      const id = await findExisting(client, kind, c, signal).catch(() => null);
      if (id) return settlePosted(c, id, `Already in Crego: a ${kind.noun} with ${keyHeader} ${c.key} exists on this account (${id}); not created again`, true);
    }
    settleFailed(c, message);
  };

  /**
   * A chunk refused as a whole with a validation error: nothing was created, so every row may be sent
   * again, just not with its bad neighbours. Aligned per-item errors name the bad rows; otherwise halve.
   * `level` bounds the work: past splitLevels(chunk) aligned rounds, only halving remains.
   */
  const refusedChunk = async (chunk: Candidate[], err: CregoError, level: number, maxAligned: number) => {
    for (const c of chunk) c.sends--; // refused before anything was created: that send does not count
    const aligned = err.itemErrors && err.itemErrors.length === chunk.length ? err.itemErrors : null;
    if (chunk.length === 1) {
      const own = aligned?.[0];
      await settleRefusedRow(chunk[0], own && Object.keys(own).length > 0 ? own : rowFieldErrors(err.fieldErrors), `Not posted: ${err.message}`);
      await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: chunk.map(update) });
      progress();
      return;
    }
    const bad = aligned ? chunk.filter((_, i) => Object.keys(aligned[i]).length > 0) : [];
    if (aligned && bad.length > 0 && level < maxAligned) {
      for (const c of bad) await settleRefusedRow(c, aligned[chunk.indexOf(c)], `Not posted: ${err.message}`);
      await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: bad.map(update) });
      progress();
      const rest = chunk.filter((c) => !bad.includes(c));
      if (rest.length > 0) await sendChunk(rest, level + 1, maxAligned);
      return;
    }
    const half = Math.ceil(chunk.length / 2);
    await sendChunk(chunk.slice(0, half), level + 1, maxAligned);
    await sendChunk(chunk.slice(half), level + 1, maxAligned);
  };

  const sendChunk = async (chunk: Candidate[], level = 0, maxAligned = splitLevels(chunk.length)) => {
    if (level > 0 && (signal?.aborted || fatal)) {
      // The remainder of a refused chunk: nothing of it was created, so it is simply not sent.
      for (const c of chunk) settleFailed(c, fatal ? `Not sent: ${fatal}` : 'Not sent: the push was cancelled');
      await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: chunk.map(update) });
      return;
    }
    const at = stamp(now());
    for (const c of chunk) set(c.index, { status: 'sending', id: '', message: `Sending to Crego (batch ${batchId})`, at, batch: batchId, key: c.key });
    await persist({ phase: 'write-ahead', batchId, resultColumn: layout.resultColumn, rows: chunk.map(update) });
    const items = chunk.map((c) => c.item!);
    for (const c of chunk) c.sends++;
    let answer: BulkAnswer;
    try {
      requests.bulk++;
      answer = await client.call<BulkAnswer>(kind.bulkEndpoint, {
        body: { items },
        idempotencyKey: await chunkIdempotencyKey(batchId, items, Math.max(...chunk.map((c) => c.sends))),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) {
        for (const c of chunk) {
          leaveSending(c, `Push cancelled while this row was being sent; the next push checks ${keyHeader} ${c.key} in Crego before sending it again`);
        }
        await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: chunk.map(update) });
        return;
      }
      const kindOf = isCregoError(err) ? err.kind : null;
      const message = err instanceof Error ? err.message : String(err);
      if (isCregoError(err) && err.kind === 'validation' && err.status !== undefined && WHOLE_CHUNK_INVALID.has(err.status)) {
        await refusedChunk(chunk, err, level, maxAligned);
        return;
      }
      if (kindOf === 'conflict') {
        // Key in use by a request still running, or reused: whether these rows exist is unknown until looked up.
        await reconcile(chunk, `a 409 answer to the whole chunk (${message})`);
        return;
      }
      if (kindOf && REFUSED.has(kindOf)) {
        for (const c of chunk) settleFailed(c, `Not posted: ${message}`);
        if (FATAL.has(kindOf)) fatal = message;
        await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: chunk.map(update) });
        progress();
        return;
      }
      await reconcile(chunk, 'a request that got no answer');
      return;
    }
    const byIndex = new Map<number, BulkItemResult>();
    for (const r of answer?.results ?? []) byIndex.set(r.index, r);
    const unanswered: Candidate[] = [];
    chunk.forEach((c, i) => {
      const r = byIndex.get(i);
      if (!r) unanswered.push(c);
      else if (r.status === 'created') settlePosted(c, r.id ?? '', 'Created', false);
      else if (r.status === 'duplicate') {
        settlePosted(c, r.id ?? '', `Already in Crego: a ${kind.noun} with ${keyHeader} ${c.key} exists on this account${r.id ? ` (${r.id})` : ''}; not created again`, true);
      } else settleFailed(c, `Refused by Crego: ${describeFieldErrors(kind, r.errors)}`);
    });
    const answered = chunk.filter((c) => !unanswered.includes(c));
    await persist({ phase: 'answer', batchId, resultColumn: layout.resultColumn, rows: answered.map(update) });
    progress();
    if (unanswered.length > 0) await reconcile(unanswered, 'an answer that left the row out');
  };

  // ── 2. Reconcile rows an earlier push left `sending`, before sending anything. ─────────────────
  if (toReconcile.length > 0) await reconcile(toReconcile, 'an earlier push that stopped before its answer');
  queue.push(...toSend);

  // ── 3. Send the queue in chunks, a bounded number in flight. ────────────────────────────────────
  const worker = async () => {
    while (queue.length > 0 && !signal?.aborted && !fatal) {
      await sendChunk(queue.splice(0, chunkSize));
    }
  };
  // Reconciliation may refill the queue after a worker has found it empty: loop until it stays empty.
  while (queue.length > 0 && !signal?.aborted && !fatal) {
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  if (signal?.aborted || fatal) {
    // Rows never sent keep their earlier status; say why they are still waiting.
    for (const c of queue) {
      results[c.index] = resultToValues({ ...current[c.index], message: fatal ? `Not sent: ${fatal}` : 'Not sent: the push was cancelled' });
      counts.failed++;
    }
  }
  return finish(!!signal?.aborted, fatal);
}
