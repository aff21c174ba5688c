/**
 * Coalescing identical GETs: a call for a request already on the wire joins it instead of sending a
 * second one. The request is aborted only when every caller waiting on it gave up. The CLI and the
 * pane rely on this. The formula path never comes here: the batcher (src/functions/batcher.ts) is its
 * one dedupe layer and calls with `cache: 'caller'`, because it must keep apart what this would join
 * (a LIVE read and the request from before its tick).
 */
import { raceAbort } from './backoff';
import type { WireResponse } from './transport';

interface Flight {
  promise: Promise<WireResponse>;
  controller: AbortController;
  waiters: number;
  generation: number;
}

export class Coalescer {
  private readonly flights = new Map<string, Flight>();
  /** Calls that joined a request already in flight. */
  joined = 0;

  constructor(private readonly cancelled: (key: string) => Error) {}

  /**
   * Join the request in flight for `key` from the same cache generation, or start one. `generation`
   * changes on every invalidation, so an answer fetched before it is never joined after it.
   */
  join(key: string, generation: number, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<WireResponse>): Promise<WireResponse> {
    let flight = this.flights.get(key);
    if (flight && flight.generation === generation) {
      this.joined++;
    } else {
      const controller = new AbortController();
      const f: Flight = { controller, waiters: 0, generation, promise: undefined as never };
      f.promise = start(controller.signal).finally(() => {
        if (this.flights.get(key) === f) this.flights.delete(key);
      });
      // Nobody may be listening any more when it settles; that is not an unhandled rejection.
      f.promise.catch(() => {});
      this.flights.set(key, f);
      flight = f;
    }
    const f = flight;
    f.waiters++;
    if (!signal) return f.promise;
    return raceAbort(f.promise, signal, () => {
      f.waiters--;
      if (f.waiters === 0) f.controller.abort(signal.reason);
      return this.cancelled(key);
    });
  }
}
