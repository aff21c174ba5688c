/** Fault injection over real HTTP: deterministic under a seed, never on /auth/ or the control endpoint. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/sandbox/faults';
import { boot, ist, type Booted } from './helpers';

const running: Booted[] = [];
async function start(faults: string) {
  const t = await boot({ accounts: 12, faults });
  running.push(t);
  return t;
}
afterEach(async () => {
  while (running.length) await running.pop()!.sb.close();
});

/** A request that may be cut off: resolves to the status, or 'dropped' when the connection dies. */
async function attempt(t: Booted, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  try {
    const r = await t.call(method, path, body, headers);
    return r;
  } catch {
    return 'dropped' as const;
  }
}
async function firstAccount(t: Booted) {
  await t.call('POST', '/__sandbox/faults/', { spec: '' });
  const id = (await t.get('/v1/lms/loans/?page_size=1')).body.results[0].account as string;
  return id;
}
const record = (account: string, utr: string) => ({ account, amount: 100, date: ist('2026-01-10'), payment_mode: 'upi', utr });

describe('fault injection', () => {
  it('is deterministic under a seed: two sandboxes with the same spec fail the same requests the same way', async () => {
    const spec = '5xx=0.2,429=0.2,seed=7';
    const runs: (number | string)[][] = [];
    for (const t of [await start(spec), await start(spec)]) {
      const seen: (number | string)[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await attempt(t, 'GET', '/v1/lms/loans/?page_size=1');
        seen.push(r === 'dropped' ? r : r.status);
      }
      runs.push(seen);
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]).toContain(503);
    expect(runs[0]).toContain(429);
    expect(runs[0]).toContain(200);
  });

  it('429 carries Retry-After and the error body; 5xx carries the error body', async () => {
    const t = await start('429=1,retry_after=3');
    const r = await t.get('/v1/lms/loans/');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(r.body).toMatchObject({ code: 'throttled' });
    await t.call('POST', '/__sandbox/faults/', { spec: '5xx=1' });
    const s = await t.get('/v1/lms/loans/');
    expect(s.status).toBe(503);
    expect(s.body.request_id).toBe(s.headers.get('x-request-id'));
  });

  it('never hits /auth/ or the control endpoint', async () => {
    const t = await start('5xx=1');
    expect((await t.get('/v1/lms/loans/')).status).toBe(503);
    const login = await t.call('POST', '/auth/login/', { username: 'demo', password: 'demo' }, { Authorization: '' });
    expect(login.status).toBe(200);
    const ctl = await t.get('/__sandbox/faults/');
    expect(ctl).toMatchObject({ status: 200, body: { faults: { rate5xx: 1 } } });
  });

  it('a reset drops the connection before the work: nothing is created', async () => {
    const t = await start('');
    const account = await firstAccount(t);
    await t.call('POST', '/__sandbox/faults/', { spec: 'reset=1' });
    expect(await attempt(t, 'POST', '/v1/lms/records/', record(account, 'RESET-1'))).toBe('dropped');
    await t.call('POST', '/__sandbox/faults/', { spec: '' });
    expect((await t.get('/v1/lms/records/?utr=RESET-1')).body.count).toBe(0);
  });

  it('a lost reply commits the work, then drops the connection; the Idempotency-Key replay returns that record', async () => {
    const t = await start('');
    const account = await firstAccount(t);
    await t.call('POST', '/__sandbox/faults/', { spec: 'lost=1' });
    const headers = { 'Idempotency-Key': 'lost-1' };
    expect(await attempt(t, 'POST', '/v1/lms/records/', record(account, 'LOST-1'), headers)).toBe('dropped');
    await t.call('POST', '/__sandbox/faults/', { spec: '' });
    const listed = (await t.get('/v1/lms/records/?utr=LOST-1')).body;
    expect(listed.count).toBe(1);
    const replay = await t.post('/v1/lms/records/', record(account, 'LOST-1'), headers);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(listed.results[0].id);
    expect((await t.get('/v1/lms/records/?utr=LOST-1')).body.count).toBe(1);
  });

  it('a slow body still arrives whole', async () => {
    const t = await start('slow=1,slow_ms=80');
    const r = await t.get('/v1/lms/loans/?page_size=5');
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(5);
  });

  it('the control endpoint exists only when faults are enabled, and rejects a bad spec naming it', async () => {
    const plain = await boot({ accounts: 12 });
    try {
      expect((await plain.get('/__sandbox/faults/')).status).toBe(404);
    } finally {
      await plain.sb.close();
    }
    const t = await start('seed=3');
    const bad = await t.call('POST', '/__sandbox/faults/', { spec: '5xx=2' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.spec[0]).toMatch(/probability/);
    expect(() => parseFaults('boom=1')).toThrow(/Unknown fault 'boom'/);
    expect(() => parseFaults('5xx=0.6,429=0.6')).toThrow(/must not exceed 1/);
    t.sb.setFaults('429=1');
    expect((await t.get('/v1/lms/loans/')).status).toBe(429);
  });
});
