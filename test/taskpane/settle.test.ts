/** Excel audit finding 6: the "Data as of" stamp waits for the cells' answers, not for calculate() to return. */
import { describe, expect, it } from 'vitest';
import type { BatcherStats } from '../../src/functions/batcher';
import { cellsSettled } from '../../src/taskpane/settle';

const stats = (over: Partial<BatcherStats> = {}): BatcherStats => ({ sent: 0, cacheHits: 0, joined: 0, aborted: 0, timeouts: 0, pending: 0, cached: 0, ...over });

/** A hand-driven clock: each sleep moves time and plays the next scripted batcher state. */
function scripted(states: BatcherStats[]) {
  let t = 0;
  let i = 0;
  const seenAt: number[] = [];
  return {
    status: () => states[Math.min(i, states.length - 1)]!,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
      i++;
      seenAt.push(t);
    },
    at: () => t,
  };
}

describe('cellsSettled', () => {
  it('waits while the refreshed cells fetch (even when their calls start late), and settles after a quiet spell', async () => {
    // 0–300 ms: Excel has not called the cells yet; then 3 fetches go out, answer one by one.
    const s = scripted([stats(), stats(), stats(), stats({ sent: 3, pending: 3 }), stats({ sent: 3, pending: 2 }), stats({ sent: 3, pending: 0 })]);
    expect(await cellsSettled(s.status, { now: s.now, sleep: s.sleep, everyMs: 100, quietMs: 400, idleStartMs: 2000 })).toBe(true);
    expect(s.at()).toBeGreaterThanOrEqual(300 + 400); // not before the last fetch has answered and things stayed quiet
    expect(s.at()).toBeLessThan(2000);
  });

  it('with no CREGO cell asking for anything, settles after the idle start; gives up at the bound while fetches hang', async () => {
    const idle = scripted([stats()]);
    expect(await cellsSettled(idle.status, { now: idle.now, sleep: idle.sleep, idleStartMs: 1000 })).toBe(true);
    expect(idle.at()).toBe(1000);
    const hung = scripted([stats({ sent: 1, pending: 1 })]);
    expect(await cellsSettled(hung.status, { now: hung.now, sleep: hung.sleep, maxMs: 5000 })).toBe(false);
  });
});
