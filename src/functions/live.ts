/**
 * One poll loop for every LIVE cell. Each tick polls all the cells that are due *together*, so
 * their reads land in one batcher wave (one request per account, however many cells show it).
 * The loop runs only while at least one LIVE cell exists and stops when the last is cancelled.
 * The clock is injectable so tests drive ticks without waiting.
 */

export interface LiveClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Crego data changes on payments and end-of-day runs; faster polling only burns API quota. */
export const MIN_LIVE_INTERVAL_MS = 30_000;
/** Cells due within this of a tick ride along with it, so cells drift into shared ticks. */
const ALIGN_MS = 1_000;

export interface LiveCell {
  intervalMs: number;
  /** Fetch and deliver one update; reports its own errors to its cell (never rejects). */
  poll(): Promise<void>;
}

const systemClock: LiveClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class LivePoller {
  private readonly due = new Map<LiveCell, number>();
  private timer: unknown = undefined;
  private ticking = false;
  private paused = false;
  private ticks = 0;

  constructor(private readonly clock: LiveClock = systemClock) {}

  get size(): number {
    return this.due.size;
  }

  /** Number of ticks run so far. */
  get tickCount(): number {
    return this.ticks;
  }

  /** Whether a tick is scheduled (false once the last cell is gone). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Stop ticking (e.g. while the pane pushes a bulk sheet) or resume; cells keep their last value. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.schedule();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Start polling a cell (its first value is the caller's job); returns the cell's stop function. */
  add(cell: LiveCell): () => void {
    this.due.set(cell, this.clock.now() + Math.max(cell.intervalMs, MIN_LIVE_INTERVAL_MS));
    this.schedule();
    return () => {
      this.due.delete(cell);
      this.schedule();
    };
  }

  /** Poll every due cell now, all in the same turn so their reads share one wave. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    this.ticks++;
    try {
      const now = this.clock.now();
      const batch: LiveCell[] = [];
      for (const [cell, at] of this.due) {
        if (at > now + ALIGN_MS) continue;
        batch.push(cell);
        this.due.set(cell, now + Math.max(cell.intervalMs, MIN_LIVE_INTERVAL_MS));
      }
      await Promise.all(batch.map((cell) => cell.poll().catch(() => undefined)));
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.due.size === 0 || this.ticking || this.paused) return;
    const next = Math.min(...this.due.values());
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        void this.tick();
      },
      Math.max(0, next - this.clock.now()),
    );
  }
}
