/**
 * The client's adaptive concurrency limit: how many requests may be on the wire at once, found
 * from how Crego answers rather than fixed (docs/api-assumptions.md, "Concurrency").
 *
 * - It starts at `initial` (6, what a browser allows per host over HTTP/1.1) and grows by one
 *   request per round trip while the smoothed round trip stays within `NEAR`× the lowest seen and the
 *   limit is in use: no queue is building anywhere, so there is room (TCP's additive increase). The
 *   factors are wide on purpose: a busy machine (Excel recalculating, a loaded laptop) delays every
 *   answer in the event loop, and that must not read as Crego queueing.
 * - It halves when Crego refuses (429, 503) or gives no answer in time (our timeout, a 504), and drops
 *   by a fifth on a clear rise in latency (the smoothed round trip `RISE`× the lowest): requests are
 *   queueing somewhere. At most one cut per round trip: answers to requests sent before the last cut
 *   say nothing about the new limit. A refusal can cut down to 1; slowness (a rise, a timeout) never
 *   below `initial`, since a few slow answers are as often one slow account as a server in trouble,
 *   and they must not starve every other cell.
 * - After the first cut it grows four times slower: the limit it was cut from is near the server's,
 *   and a token bucket (Crego's rate limit) only shows its limit once the burst allowance is spent, so
 *   fast probing would pay for every probe with a burst of 429s.
 * - It never goes above `ceiling` (64 by default).
 * - `pause(ms)` (a Retry-After) holds every new send of the client, queued ones included, until then.
 *
 * Same code in the browser and in Node; the clock is injectable for tests. Waiting callers can give up
 * through their AbortSignal without ever taking a slot.
 */

export interface LimiterClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LimiterOptions {
  /** The limit to start from (default 6). */
  initial?: number;
  /** The limit never goes above this (default 64). */
  ceiling?: number;
  clock?: LimiterClock;
}

/** What one request came to, as far as the limit is concerned. */
export type LimitSample =
  /** An answer, and how long it took from send to answer. */
  | { rttMs: number }
  /** The server refused for now: 429, 503. */
  | 'refused'
  /** No answer in time: our timeout, a gateway's 504. */
  | 'timeout'
  /** Nothing to learn (cancelled, connection failed). */
  | 'none';

/** Gives the slot back, with what the request came to. */
export type Release = (sample?: LimitSample) => void;

export const DEFAULT_INITIAL_LIMIT = 6;
export const DEFAULT_LIMIT_CEILING = 64;

/** Growth while the smoothed round trip is within this factor of the lowest seen (plus SLACK_MS). */
const NEAR = 3;
/** A cut when the smoothed round trip reaches this factor of the lowest seen (plus SLACK_MS). */
const RISE = 4;
/**
 * Timer and scheduling jitter that is not queueing: matters when round trips are a few milliseconds,
 * and on a busy machine, where the event loop alone delays an answer by that much.
 */
const SLACK_MS = 10;
/** Weight of a new sample in the smoothed round trip. */
const SMOOTHING = 0.2;
const PUSHBACK_CUT = 0.5;
const LATENCY_CUT = 0.8;
/** After a cut: one step per this many round trips' worth of good answers. */
const CAUTIOUS = 4;

const systemClock: LimiterClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Waiter {
  grant: () => void;
}

export class Limiter {
  readonly ceiling: number;
  private readonly floorForLatency: number;
  private readonly clock: LimiterClock;
  /** The limit, fractional: a good answer adds a fraction of one request. */
  private window: number;
  private active = 0;
  private peak = 0;
  private readonly queue: Waiter[] = [];
  /** Sequence number of each send; a cut remembers the next one, see `mayCut`. */
  private sends = 0;
  private cutAt = -1;
  private cuts = 0;
  private minRtt = Infinity;
  private smoothedRtt: number | undefined;
  private pausedUntil = 0;
  private wakeTimer: unknown;

  constructor(options: LimiterOptions = {}) {
    const initial = options.initial ?? DEFAULT_INITIAL_LIMIT;
    const ceiling = options.ceiling ?? Math.max(DEFAULT_LIMIT_CEILING, initial);
    for (const [name, v] of [['concurrency', initial], ['concurrency ceiling', ceiling]] as const)
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number ≥ 1`);
    if (ceiling < initial) throw new RangeError(`concurrency ceiling (${ceiling}) is below the starting concurrency (${initial})`);
    this.ceiling = ceiling;
    this.window = initial;
    this.floorForLatency = initial;
    this.clock = options.clock ?? systemClock;
  }

  /** Requests allowed on the wire at once right now. */
  get limit(): number {
    return Math.floor(this.window);
  }

  get inFlight(): number {
    return this.active;
  }

  get peakInFlight(): number {
    return this.peak;
  }

  /** Milliseconds until new sends may go out again (0 when not paused). */
  get pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.clock.now());
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
      this.pump();
    });
  }

  /** Hold every new send (queued ones included) for `ms`: a Retry-After speaks for the whole client. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.pump();
  }

  private pump(): void {
    const wait = this.pausedForMs;
    if (wait > 0) {
      if (this.wakeTimer === undefined && this.queue.length > 0) {
        this.wakeTimer = this.clock.setTimeout(() => {
          this.wakeTimer = undefined;
          this.pump();
        }, wait);
      }
      return;
    }
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()!.grant();
  }

  private take(): Release {
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    const seq = this.sends++;
    // Growth is earned only while the limit is in use (RFC 7661): an idle client learns nothing about room.
    const busy = this.active >= this.limit / 2;
    let released = false;
    return (sample: LimitSample = 'none') => {
      if (released) return;
      released = true;
      this.active--;
      this.learn(sample, seq, busy);
      this.pump();
    };
  }

  private learn(sample: LimitSample, seq: number, busy: boolean): void {
    if (sample === 'none') return;
    if (sample === 'refused') return this.cut(PUSHBACK_CUT, 1, seq);
    if (sample === 'timeout') return this.cut(PUSHBACK_CUT, this.floorForLatency, seq);
    const rtt = Math.max(0, sample.rttMs);
    this.minRtt = Math.min(this.minRtt, rtt);
    // Sent before the last cut: its round trip describes the old limit's queue, not this one's.
    if (seq < this.cutAt) return;
    this.smoothedRtt = this.smoothedRtt === undefined ? rtt : this.smoothedRtt + SMOOTHING * (rtt - this.smoothedRtt);
    if (this.smoothedRtt >= RISE * this.minRtt + SLACK_MS) return this.cut(LATENCY_CUT, this.floorForLatency, seq);
    if (busy && this.smoothedRtt <= NEAR * this.minRtt + SLACK_MS) {
      // One request per round trip's worth of good answers (a window of `limit` answers), slower after a cut.
      const step = 1 / (this.window * (this.cuts > 0 ? CAUTIOUS : 1));
      this.window = Math.min(this.ceiling, this.window + step);
    }
  }

  private cut(factor: number, floor: number, seq: number): void {
    if (seq < this.cutAt) return; // sent under the old limit: already answered for by the last cut
    this.cutAt = this.sends;
    this.cuts++;
    this.window = Math.max(Math.min(floor, this.window), Math.floor(this.window * factor), 1);
    // The queue that raised the round trip drains with the cut: judge the new limit on its own samples.
    this.smoothedRtt = undefined;
  }
}
