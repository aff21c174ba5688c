/**
 * Step two of a push: the planned rows sent to Crego in chunks, and each outcome settled into its row.
 * One `PushRun` holds a push's state as fields (the queue, the counts, the fatal stop); each step is a
 * named method: `send` a chunk (write-ahead, then the request), `settleAnswer` / `settleError` from what
 * came back, `reconcile` rows whose outcome is unknown by looking them up by key, and `flush` to hand
 * the changed result cells to the host. Why each step is safe is in src/bulk/push.ts's header.
 */
import { isCregoError, type CregoClient, type CregoError, type ErrorKind } from '../api/contract';
import type { BulkAnswer, BulkItemResult } from '../api/types';
import type { KindName, RowItem, SheetKind } from './kinds/types';
import { describeFieldErrors, pushMessages, REASONS, type PushMessages } from './messages';
import type { Candidate, Plan } from './plan';
import { mapLimited, runPool } from './pool';
import { findExisting } from './reconcile';
import { resultToValues, stamp, type PushCounts, type ResultValues, type RowResult } from './results';
import type { SheetLayout } from './sheet';

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

export interface RunSettings {
  kind: SheetKind;
  layout: SheetLayout;
  client: CregoClient;
  batchId: string;
  chunkSize: number;
  concurrency: number;
  signal?: AbortSignal;
  persist(update: ResultUpdate): Promise<void>;
  onProgress?(progress: PushProgress): void;
  now(): number;
  startedAt: number;
}

/** Error kinds that prove the request was refused before anything was created. */
const REFUSED: ReadonlySet<ErrorKind> = new Set(['validation', 'too_large', 'auth', 'forbidden', 'not_found', 'rate_limited', 'config']);
/** Statuses of a bulk refusal that means "these items are invalid, nothing was created" (docs/api-assumptions.md). */
const WHOLE_CHUNK_INVALID: ReadonlySet<number> = new Set([400, 422]);
/** Refusals that will repeat for every chunk: stop the push. */
const FATAL: ReadonlySet<ErrorKind> = new Set(['auth', 'forbidden', 'config', 'not_found']);

/**
 * What a failed chunk request means for its rows: `cancelled` (the user stopped the push), `invalid`
 * (a whole-chunk validation refusal: nothing created, find the bad rows), `conflict` (a 409 proves
 * nothing either way), `refused` (nothing created, `fatal` when every chunk would be refused alike),
 * or `unknown` (no answer, or a refusal of a retry whose first attempt may have been acted on: the rows
 * may exist, so they are looked up before any status is written). A row is `failed` only when the
 * push knows nothing was created.
 */
export type ChunkFailure =
  | { kind: 'cancelled' }
  | { kind: 'invalid'; error: CregoError }
  | { kind: 'conflict'; message: string }
  | { kind: 'refused'; message: string; fatal: boolean }
  | { kind: 'unknown'; after?: string; fatal?: string };

export function classifyChunkFailure(err: unknown, aborted: boolean): ChunkFailure {
  if (aborted) return { kind: 'cancelled' };
  const message = err instanceof Error ? err.message : String(err);
  if (!isCregoError(err)) return { kind: 'unknown' };
  // An earlier attempt may have created the rows (its answer was lost) before this refusal: look first.
  if (err.earlierAttemptUnknown) return { kind: 'unknown', after: message, fatal: FATAL.has(err.kind) ? message : undefined };
  if (err.kind === 'validation' && err.status !== undefined && WHOLE_CHUNK_INVALID.has(err.status)) return { kind: 'invalid', error: err };
  if (err.kind === 'conflict') return { kind: 'conflict', message };
  if (REFUSED.has(err.kind)) return { kind: 'refused', message, fatal: FATAL.has(err.kind) };
  return { kind: 'unknown' };
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

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Halving a refused chunk of n rows reaches single rows after ceil(log2 n) levels. */
export function splitLevels(rows: number): number {
  return rows <= 1 ? 0 : Math.ceil(Math.log2(rows));
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

export class PushRun {
  readonly requests = { bulk: 0, lookups: 0 };
  /** Set when a refusal will repeat for every chunk (sign-in, permission, configuration): nothing more is sent. */
  fatal: string | null = null;
  private readonly say: PushMessages;
  private readonly queue: Candidate[] = [];
  private done = 0;
  private total = 0;

  constructor(
    private readonly s: RunSettings,
    private readonly plan: Plan,
  ) {
    this.say = pushMessages(s.kind);
  }

  get cancelled(): boolean {
    return !!this.s.signal?.aborted;
  }

  private get stopped(): boolean {
    return this.cancelled || !!this.fatal;
  }

  /** Reconcile what an earlier push left `sending`, then send the queue, a bounded number of chunks at once. */
  async run(): Promise<void> {
    const { toSend, toReconcile } = this.plan;
    this.total = toSend.length + toReconcile.length;
    if (toReconcile.length > 0) await this.reconcile(toReconcile, REASONS.earlierPush);
    for (const c of toSend) this.queue.push(c); // not push(...toSend): 200,000 arguments overflow the call stack
    const next = () => (this.queue.length > 0 && !this.stopped ? this.queue.splice(0, this.s.chunkSize) : undefined);
    // Reconciliation may refill the queue after a worker has found it empty: loop until it stays empty.
    while (this.queue.length > 0 && !this.stopped) await runPool(this.s.concurrency, next, (chunk) => this.send(chunk));
    if (this.stopped) this.markUnsent();
  }

  // ── Settling rows ─────────────────────────────────────────────────────────────────────────────

  private set(index: number, r: RowResult): void {
    this.plan.current[index] = r;
    this.plan.results[index] = resultToValues(r);
  }

  private settlePosted(c: Candidate, id: string, message: string, already: boolean): void {
    this.set(c.index, { status: 'posted', id, message, at: stamp(this.s.now()), batch: this.s.batchId, key: c.key });
    this.plan.counts.posted++;
    if (already) this.plan.counts.alreadyThere++;
    this.done++;
  }

  private settleFailed(c: Candidate, message: string): void {
    this.set(c.index, { status: 'failed', id: '', message, at: stamp(this.s.now()), batch: this.s.batchId, key: c.key });
    this.plan.counts.failed++;
    this.done++;
  }

  /** Outcome unknown: the row stays `sending`, so the next push looks it up before sending it. */
  private leaveSending(c: Candidate, message: string): void {
    this.set(c.index, { ...this.plan.current[c.index], status: 'sending', message, at: stamp(this.s.now()), key: c.key });
    this.plan.counts.failed++;
    this.plan.counts.unresolved++;
    this.done++;
  }

  /** Rows never sent keep their earlier status; say why they are still waiting. */
  private markUnsent(): void {
    for (const c of this.queue) {
      this.plan.results[c.index] = resultToValues({ ...this.plan.current[c.index], message: this.say.notSent(this.fatal) });
      this.plan.counts.failed++;
    }
  }

  /** Hand the rows' new result cells to the host (awaited), then report progress after an answer. */
  private async flush(rows: readonly Candidate[], phase: ResultUpdate['phase'] = 'answer'): Promise<void> {
    const updates = rows.map((c) => ({ index: c.index, row: c.row, values: this.plan.results[c.index]! }));
    await this.s.persist({ phase, batchId: this.s.batchId, resultColumn: this.s.layout.resultColumn, rows: updates });
    if (phase === 'answer') this.progress();
  }

  private progress(): void {
    const elapsed = (this.s.now() - this.s.startedAt) / 1000;
    const etaSeconds = this.done > 0 ? Math.round((elapsed / this.done) * (this.total - this.done)) : null;
    const { posted, failed } = this.plan.counts;
    this.s.onProgress?.({ done: this.done, total: this.total, posted, failed, etaSeconds });
  }

  // ── Sending a chunk ──────────────────────────────────────────────────────────────────────────

  /** Mark the chunk `sending` and persist that (write-ahead), send it, settle what came back. */
  private async send(chunk: Candidate[], level = 0, maxAligned = splitLevels(chunk.length)): Promise<void> {
    if (level > 0 && this.stopped) {
      // The remainder of a refused chunk: nothing of it was created, so it is simply not sent.
      for (const c of chunk) this.settleFailed(c, this.say.notSent(this.fatal));
      return this.flush(chunk);
    }
    const at = stamp(this.s.now());
    for (const c of chunk) this.set(c.index, { status: 'sending', id: '', message: this.say.sending(this.s.batchId), at, batch: this.s.batchId, key: c.key });
    await this.flush(chunk, 'write-ahead');
    let answer: BulkAnswer;
    try {
      answer = await this.post(chunk);
    } catch (err) {
      return this.settleError(chunk, err, level, maxAligned);
    }
    await this.settleAnswer(chunk, answer);
  }

  private async post(chunk: Candidate[]): Promise<BulkAnswer> {
    const items = chunk.map((c) => c.item!);
    for (const c of chunk) c.sends++;
    this.requests.bulk++;
    return this.s.client.call(this.s.kind.bulkEndpoint, {
      body: { items },
      idempotencyKey: await chunkIdempotencyKey(this.s.batchId, items, Math.max(...chunk.map((c) => c.sends))),
      signal: this.s.signal,
    });
  }

  /** Each item's result to its row; rows the answer left out are looked up. */
  private async settleAnswer(chunk: Candidate[], answer: BulkAnswer): Promise<void> {
    const byIndex = new Map<number, BulkItemResult>();
    for (const r of answer?.results ?? []) byIndex.set(r.index, r);
    const unanswered: Candidate[] = [];
    chunk.forEach((c, i) => {
      const r = byIndex.get(i);
      if (!r) unanswered.push(c);
      else if (r.status === 'created') this.settlePosted(c, r.id ?? '', this.say.created, false);
      else if (r.status === 'duplicate') this.settlePosted(c, r.id ?? '', this.say.alreadyThere(c.key, r.id ?? undefined), true);
      else this.settleFailed(c, this.say.refused(describeFieldErrors(this.s.kind, r.errors)));
    });
    await this.flush(chunk.filter((c) => !unanswered.includes(c)));
    if (unanswered.length > 0) await this.reconcile(unanswered, REASONS.leftOut);
  }

  private async settleError(chunk: Candidate[], err: unknown, level: number, maxAligned: number): Promise<void> {
    const failure = classifyChunkFailure(err, this.cancelled);
    switch (failure.kind) {
      case 'cancelled':
        for (const c of chunk) this.leaveSending(c, this.say.cancelledWhileSending(c.key));
        return this.flush(chunk);
      case 'invalid':
        return this.refusedChunk(chunk, failure.error, level, maxAligned);
      case 'conflict':
        // Key in use by a request still running, or reused: whether these rows exist is unknown until looked up.
        return this.reconcile(chunk, REASONS.conflict(failure.message));
      case 'refused':
        for (const c of chunk) this.settleFailed(c, this.say.notPosted(failure.message));
        if (failure.fatal) this.fatal = failure.message;
        return this.flush(chunk);
      case 'unknown':
        if (failure.fatal) this.fatal = failure.fatal;
        return this.reconcile(chunk, failure.after ? REASONS.refusedAfterLost(failure.after) : REASONS.noAnswer);
    }
  }

  // ── A chunk refused for its content ──────────────────────────────────────────────────────────

  /**
   * A chunk refused as a whole with a validation error: nothing was created, so every row may be sent
   * again, just not with its bad neighbours. Aligned per-item errors name the bad rows; otherwise halve.
   * `level` bounds the work: past splitLevels(chunk) aligned rounds, only halving remains.
   */
  private async refusedChunk(chunk: Candidate[], err: CregoError, level: number, maxAligned: number): Promise<void> {
    for (const c of chunk) c.sends--; // refused before anything was created: that send does not count
    const aligned = err.itemErrors && err.itemErrors.length === chunk.length ? err.itemErrors : null;
    if (chunk.length === 1) {
      const own = aligned?.[0];
      await this.settleRefusedRow(chunk[0], own && Object.keys(own).length > 0 ? own : rowFieldErrors(err.fieldErrors), this.say.notPosted(err.message));
      return this.flush(chunk);
    }
    const bad = aligned ? chunk.filter((_, i) => Object.keys(aligned[i]).length > 0) : [];
    if (aligned && bad.length > 0 && level < maxAligned) {
      for (const c of bad) await this.settleRefusedRow(c, aligned[chunk.indexOf(c)], this.say.notPosted(err.message));
      await this.flush(bad);
      const rest = chunk.filter((c) => !bad.includes(c));
      if (rest.length > 0) await this.send(rest, level + 1, maxAligned);
      return;
    }
    const half = Math.ceil(chunk.length / 2);
    await this.send(chunk.slice(0, half), level + 1, maxAligned);
    await this.send(chunk.slice(half), level + 1, maxAligned);
  }

  /** The row's own refusal: a key-field error may mean "already there" (a unique check), so look it up first. */
  private async settleRefusedRow(c: Candidate, errors: Record<string, string[]> | undefined, fallback: string): Promise<void> {
    const { kind } = this.s;
    const message = errors && Object.keys(errors).length > 0 ? this.say.refused(describeFieldErrors(kind, errors)) : fallback;
    if (errors && kind.keyField in errors) {
      this.requests.lookups++;
      const id = await findExisting(this.s.client, kind, c, this.s.signal).catch(() => null);
      if (id) return this.settlePosted(c, id, this.say.alreadyThere(c.key, id), true);
    }
    this.settleFailed(c, message);
  }

  // ── Looking rows up by key ───────────────────────────────────────────────────────────────────

  /**
   * Look rows up by key. Found → posted (already there). Not found → queued to send (or, past the
   * per-run limit, failed: checked absent, safe to retry). The lookup itself failing → stays `sending`.
   */
  private async reconcile(rows: Candidate[], why: string): Promise<void> {
    const found = await mapLimited(rows, LOOKUP_CONCURRENCY, (c) => this.lookUp(c));
    const settled: Candidate[] = [];
    for (const f of found) {
      const { c } = f;
      if ('error' in f) {
        this.leaveSending(c, f.error === 'cancelled' ? this.say.cancelledBeforeCheck(c.key, why) : this.say.lookupFailed(c.key, why, f.error));
      } else if (f.id) {
        this.settlePosted(c, f.id, this.say.foundAfter(c.key, why), true);
      } else if (!c.item) {
        this.settleFailed(c, this.say.absentNoLongerValid(c.key, why));
      } else if (c.sends >= MAX_SENDS_PER_RUN) {
        this.settleFailed(c, this.say.absentAfterRetries(c.key, why));
      } else {
        c.key = String(c.item[this.s.kind.keyField]); // the key it is sent with now (a person may have corrected it)
        this.queue.push(c);
        continue;
      }
      settled.push(c);
    }
    await this.flush(settled);
  }

  private async lookUp(c: Candidate): Promise<{ c: Candidate; id: string | null } | { c: Candidate; error: string }> {
    if (this.cancelled) return { c, error: 'cancelled' };
    this.requests.lookups++;
    try {
      return { c, id: await findExisting(this.s.client, this.s.kind, c, this.s.signal) };
    } catch (err) {
      return { c, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
