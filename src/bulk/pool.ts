/**
 * The one worker pool: `limit` workers, each taking the next job until none is left. Used for the
 * push's chunks (a queue that reconciliation may refill) and for lookups (`mapLimited`).
 */

/** Run `work` on each job `next()` hands out (until it returns undefined), at most `limit` at once. */
export async function runPool<J>(limit: number, next: () => J | undefined, work: (job: J) => Promise<void>): Promise<void> {
  const worker = async () => {
    for (let job = next(); job !== undefined; job = next()) await work(job);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  if (items.length === 0) return out;
  let at = 0;
  await runPool(Math.min(limit, items.length), () => (at < items.length ? at++ : undefined), async (i) => {
    out[i] = await fn(items[i]);
  });
  return out;
}
