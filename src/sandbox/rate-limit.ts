/**
 * `--rate-limit N`: requests per second per bearer token, as a token bucket (N tokens, at least 1,
 * refilled at N a second), the shape API gateways throttle with. A request finding the bucket empty is refused
 * before any work with 429 and `Retry-After` in whole seconds (HTTP's unit), at least 1.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`rate limit must be a positive number of requests per second, got ${ratePerSecond}`);
  }

  /** 0 when `key` may send now (a token is taken), else the seconds to wait before one is there. */
  take(key: string): number {
    const t = this.now();
    const capacity = Math.max(1, this.ratePerSecond); // one second's worth, and at least one request
    const b = this.buckets.get(key) ?? { tokens: capacity, at: t };
    b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / this.ratePerSecond;
  }
}

/** Retry-After as HTTP sends it: whole seconds, rounded up, never 0. */
export function retryAfterSeconds(waitSeconds: number): number {
  return Math.max(1, Math.ceil(waitSeconds));
}
