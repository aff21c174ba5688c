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
import { lookUpByKey, settlementOf, type Found } from './settle';
import { resultToValues, stamp, type ProblemStatus, type PushCounts, type ResultValues, type RowResult } from './results';
import type { SheetLayout } from './sheet';

/** How many times one run sends a row whose earlier attempt got no answer and was not found. */
const MAX_SENDS_PER_RUN = 2;
const LOOKUP_CONCURRENCY = 8;

export interface PushProgress {
  /** Rows settled in this run (posted, failed, or of unknown outcome). */
  done: number;
  total: number;
  posted: number;
  failed: number;
  /** Outcome unknown: may be in Crego, looked up on the next push. */
  unknown: number;
  /** Seconds left at the current pace; null until the first chunk is answered. */
  etaSeconds: number | null;
  /** Accepted by Crego, not yet applied. */
  pending: number;
  rejected: number;
}

/** A pending row that reached its final state: what the log records. */
export interface Settled {
  row: number;
  key: string;
  status: 'posted' | 'rejected';
  /** Crego's reason, for a rejection. */
  reason: string | null;
}

/** While `--wait` re-checks pending rows: how many are left, and for how long it keeps looking. */
export interface WaitProgress {
  pending: number;
  posted: number;
  rejected: number;
  secondsLeft: number;
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
  problems: Array<{ row: number; status: ProblemStatus; message: string }>;
  requests: { bulk: number; lookups: number };
  /** Rows that were pending and settled in this run (re-checks, `--wait`, Check statuses), in the order they settled. */
  settlements: Settled[];
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
  /** Send nothing: only re-check pending rows. */
  checkOnly?: boolean;
  /** How long to keep re-checking rows left pending (0: not at all). */
  waitMs?: number;
  onWait?(wait: WaitProgress): void;
}

/** First pause between re-checks of pending rows; it doubles up to the cap (Crego drains its queues about once a minute). */
const WAIT_FIRST_POLL_MS = 1000;
const WAIT_MAX_POLL_MS = 15_000;

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

/** Wait `ms`; false when the signal fired first. */
function pauseUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class PushRun {
  readonly requests = { bulk: 0, lookups: 0 };
  readonly settlements: Settled[] = [];
  /** Set when a refusal will repeat for every chunk (sign-in, permission, configuration): nothing more is sent. */
  fatal: string | null = null;
  private readonly say: PushMessages;
  private readonly queue: Candidate[] = [];
  /** Rows Crego accepted and has not applied yet, as this run last saw them. */
  private readonly pending: Candidate[] = [];
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
    const { toSend, toReconcile, toSettle } = this.plan;
    this.total = toSettle.length + (this.s.checkOnly ? 0 : toSend.length + toReconcile.length);
    // Rows accepted earlier are settled first: never sent again, whatever else happens.
    if (toSettle.length > 0) await this.checkPending(toSettle);
    if (!this.s.checkOnly) await this.sendAll(toSend, toReconcile);
    if (this.s.waitMs) await this.waitForPending(this.s.waitMs);
  }

  private async sendAll(toSend: Candidate[], toReconcile: Candidate[]): Promise<void> {
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

  /**
   * Crego has (or already had) the row: posted, pending or rejected by what the object's own status says
   * (settle.ts). `fromBulkAnswer`: a bulk answer without a status says "created", not "applied".
   */
  private settleAccepted(c: Candidate, id: string, status: string | null | undefined, reason: string | null, postedMessage: string, already: boolean, fromBulkAnswer: boolean): void {
    const state = settlementOf(this.s.kind, status, fromBulkAnswer);
    const at = stamp(this.s.now());
    if (state === 'posted') return this.settlePosted(c, id, postedMessage, already);
    c.id = id;
    this.done++;
    if (state === 'pending') {
      this.set(c.index, { status: 'pending', id, message: this.say.pending(status ?? null, id), at, batch: this.s.batchId, key: c.key });
      this.plan.counts.pending++;
      this.pending.push(c);
    } else {
      this.set(c.index, { status: 'rejected', id, message: this.say.rejected(reason), at, batch: this.s.batchId, key: c.key });
      this.plan.counts.rejected++;
    }
  }

  private settleFailed(c: Candidate, message: string): void {
    this.set(c.index, { status: 'failed', id: '', message, at: stamp(this.s.now()), batch: this.s.batchId, key: c.key });
    this.plan.counts.failed++;
    this.done++;
  }

  /**
   * Outcome unknown: never `failed` (it may be in Crego, and a row marked "Not posted" invites a retype with a
   * new UTR, posting the payment twice). `unknown` rows are looked up by key first on the next push.
   */
  private settleUnknown(c: Candidate, message: string): void {
    this.set(c.index, { ...this.plan.current[c.index], status: 'unknown', message, at: stamp(this.s.now()), key: c.key });
    this.plan.counts.unknown++;
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
    const { posted, failed, unknown, pending, rejected } = this.plan.counts;
    this.s.onProgress?.({ done: this.done, total: this.total, posted, failed, unknown, etaSeconds, pending, rejected });
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
      else if (r.status === 'created') this.settleAccepted(c, r.id ?? '', r.object_status, null, this.say.created, false, true);
      else if (r.status === 'duplicate' && r.existing_account && r.existing_account !== c.account)
        this.settleFailed(c, this.say.usedByOtherAccount(c.key, r.existing_account));
      else if (r.status === 'duplicate') this.settleAccepted(c, r.id ?? '', r.object_status, null, this.say.alreadyThere(c.key, r.id ?? undefined), true, true);
      else this.settleFailed(c, this.say.refused(describeFieldErrors(this.s.kind, r.errors)));
    });
    await this.flush(chunk.filter((c) => !unanswered.includes(c)));
    if (unanswered.length > 0) await this.reconcile(unanswered, REASONS.leftOut);
  }

  private async settleError(chunk: Candidate[], err: unknown, level: number, maxAligned: number): Promise<void> {
    const failure = classifyChunkFailure(err, this.cancelled);
    switch (failure.kind) {
      case 'cancelled':
        for (const c of chunk) this.settleUnknown(c, this.say.cancelledWhileSending(c.key));
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
   * per-run limit, failed: checked absent, safe to retry). The lookup itself failing → `unknown` (looked up again next run).
   */
  private async reconcile(rows: Candidate[], why: string): Promise<void> {
    const found = await mapLimited(rows, LOOKUP_CONCURRENCY, (c) => this.lookUp(c));
    const settled: Candidate[] = [];
    for (const f of found) {
      const { c } = f;
      if ('error' in f) {
        this.settleUnknown(c, f.error === 'cancelled' ? this.say.cancelledBeforeCheck(c.key, why) : this.say.lookupFailed(c.key, why, f.error));
      } else if (f.found) {
        this.settleAccepted(c, f.found.id, f.found.status, f.found.reason, this.say.foundAfter(c.key, why), true, false);
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

  /** The row's object in Crego; one held by another account (a tenant-wide UTR) is not this row's, so not found. */
  private async lookUp(c: Candidate): Promise<{ c: Candidate; found: Found | null } | { c: Candidate; error: string }> {
    if (this.cancelled) return { c, error: 'cancelled' };
    this.requests.lookups++;
    try {
      const found = await lookUpByKey(this.s.client, this.s.kind, c, this.s.signal);
      return { c, found: found && found.account === c.account ? found : null };
    } catch (err) {
      return { c, error: err instanceof Error ? err.message : String(err) };
    }
  }

  // ── Following accepted rows to their final state ─────────────────────────────────────────────

  /**
   * Re-check rows Crego accepted but had not applied, by key: applied → posted, refused → rejected, still
   * queued → pending. Never sends anything: a pending row that cannot be found or checked stays pending.
   */
  private async checkPending(rows: Candidate[]): Promise<void> {
    const found = await mapLimited(rows, LOOKUP_CONCURRENCY, (c) => this.lookUp(c));
    for (const f of found) {
      const { c } = f;
      if ('found' in f && f.found) {
        this.settleAccepted(c, f.found.id, f.found.status, f.found.reason, this.say.applied(f.found.status), true, false);
        const now = this.plan.current[c.index].status;
        if (now === 'posted' || now === 'rejected') this.settlements.push({ row: c.row, key: c.key, status: now, reason: now === 'rejected' ? f.found.reason : null });
        continue;
      }
      const message = 'error' in f ? this.say.pendingUncheckable(c.key, f.error) : this.say.pendingNotFound(c.key);
      this.set(c.index, { ...this.plan.current[c.index], status: 'pending', message, at: stamp(this.s.now()), key: c.key });
      this.plan.counts.pending++;
      this.pending.push(c);
      this.done++;
    }
    await this.flush(rows);
  }

  /** `--wait`: re-check pending rows, pausing longer each round, until none is left or the time is up. */
  private async waitForPending(waitMs: number): Promise<void> {
    const deadline = this.s.now() + waitMs;
    let pause = WAIT_FIRST_POLL_MS;
    while (this.pending.length > 0 && !this.cancelled) {
      const left = deadline - this.s.now();
      this.s.onWait?.({ pending: this.pending.length, posted: this.plan.counts.posted, rejected: this.plan.counts.rejected, secondsLeft: Math.max(0, Math.ceil(left / 1000)) });
      if (left <= 0) return;
      if (!(await pauseUnlessAborted(Math.min(pause, left), this.s.signal))) return;
      pause = Math.min(pause * 2, WAIT_MAX_POLL_MS);
      const rows = this.pending.splice(0);
      this.plan.counts.pending -= rows.length;
      this.done -= rows.length;
      await this.checkPending(rows);
    }
    this.s.onWait?.({ pending: this.pending.length, posted: this.plan.counts.posted, rejected: this.plan.counts.rejected, secondsLeft: Math.max(0, Math.ceil((deadline - this.s.now()) / 1000)) });
  }
}
