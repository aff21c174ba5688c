/**
 * Fault injection, deterministic under a seed: the n-th request to a faultable endpoint always
 * meets the same fate for the same spec. Spec text: `5xx=0.1,429=0.05,reset=0.05,lost=0.05,
 * slow=0.1,latency=20,jitter=10,seed=7` (rates are probabilities 0..1, times are milliseconds).
 */
import { seededRandom } from './ids';

export interface FaultSpec {
  /** Answer 503 without doing the work. */
  rate5xx?: number;
  /** Answer 429 with Retry-After without doing the work. */
  rate429?: number;
  /** Destroy the connection before doing the work. */
  reset?: number;
  /** Do the work (commit it), then destroy the connection before answering. */
  lost?: number;
  /** Trickle the answer body out over `slowMs`. */
  slow?: number;
  slowMs?: number;
  /** Added to every request (ms), plus a uniform 0..jitter. */
  latency?: number;
  jitter?: number;
  /** Seconds sent in Retry-After with a 429. */
  retryAfter?: number;
  seed?: number;
}

export type FaultOutcome = 'none' | '5xx' | '429' | 'reset' | 'lost' | 'slow';

const KEYS: Record<string, keyof FaultSpec> = {
  '5xx': 'rate5xx', '429': 'rate429', reset: 'reset', lost: 'lost', slow: 'slow', slow_ms: 'slowMs', slowms: 'slowMs',
  latency: 'latency', jitter: 'jitter', retry_after: 'retryAfter', seed: 'seed',
  rate5xx: 'rate5xx', rate429: 'rate429', slowMs: 'slowMs', retryAfter: 'retryAfter',
};
const RATES: (keyof FaultSpec)[] = ['rate5xx', 'rate429', 'reset', 'lost', 'slow'];

/** Parses and checks a spec; the message names the bad part and the fix. */
export function parseFaults(spec: string | FaultSpec): FaultSpec {
  const out: FaultSpec = {};
  const entries: [string, unknown][] =
    typeof spec === 'string'
      ? spec.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
          const i = p.indexOf('=');
          if (i < 0) throw new Error(`Fault spec part '${p}' needs a value, e.g. 5xx=0.1`);
          return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
        })
      : Object.entries(spec);
  for (const [k, raw] of entries) {
    const key = KEYS[k];
    if (!key) throw new Error(`Unknown fault '${k}'. Known: 5xx, 429, reset, lost, slow, slow_ms, latency, jitter, retry_after, seed`);
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`Fault '${k}' must be a number ≥ 0, got '${String(raw)}'`);
    if (RATES.includes(key) && n > 1) throw new Error(`Fault rate '${k}' is a probability from 0 to 1, got ${n}`);
    out[key] = n;
  }
  const total = RATES.reduce((s, k) => s + (out[k] ?? 0), 0);
  if (total > 1) throw new Error(`Fault rates add up to ${total.toFixed(3)}; together they must not exceed 1`);
  return out;
}

export function formatFaults(s: FaultSpec): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) if (v !== undefined) out[k] = v as number;
  return out;
}

export class Faults {
  private draw: () => number;
  constructor(public spec: FaultSpec) {
    this.draw = seededRandom(spec.seed ?? 1);
  }

  set(spec: FaultSpec): void {
    this.spec = spec;
    this.draw = seededRandom(spec.seed ?? 1);
  }

  /** The fate of the next faultable request, and its added delay. */
  next(): { outcome: FaultOutcome; delayMs: number } {
    const s = this.spec;
    const u = this.draw();
    const j = this.draw();
    const delayMs = (s.latency ?? 0) + (s.jitter ? j * s.jitter : 0);
    let edge = 0;
    const order: [FaultOutcome, number | undefined][] = [['reset', s.reset], ['5xx', s.rate5xx], ['429', s.rate429], ['lost', s.lost], ['slow', s.slow]];
    for (const [outcome, rate] of order) {
      edge += rate ?? 0;
      if (u < edge) return { outcome, delayMs };
    }
    return { outcome: 'none', delayMs };
  }
}
