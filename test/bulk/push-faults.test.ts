/**
 * A reported status is always true, under the fault mix that once marked 1,100 created rows "Not
 * posted": replies lost (the work done, the answer dropped) and retries that then meet 429s. A row is
 * `failed` only when nothing was created; a row whose fate the push could not settle is `unknown`
 * ("Outcome unknown … the next push checks"), and a re-run after the faults stop leaves every row in
 * Crego exactly once. Checked against the sandbox's own listing, not the push's report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { KINDS, pushSheet } from '../../src/bulk';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { applyResults, clientFor, countsInSandbox, demoAccounts, exactlyOnce, RECORD_HEADERS, recordRows } from './helpers';

let sb: RunningSandbox;
let client: CregoClient;
let loans: string[];

beforeAll(async () => {
  sb = await startSandbox({ accounts: 12, seed: 11, quiet: true, faults: '' });
  client = clientFor(sb);
  ({ loans } = await demoAccounts(client));
});
afterAll(async () => sb?.close());


describe('statuses under lost replies followed by 429s', () => {
  it('1,000 rows, chunk 50, one at a time: no row marked failed exists in Crego, and a re-run leaves each row exactly once', async () => {
    const rows = recordRows(loans, 1000, '9120');
    const values = [RECORD_HEADERS, ...rows];
    const utr = (i: number) => String(values[i][5]);
    // The mix (seed 3); Retry-After 0 only so the test does not sleep through hundreds of 429s.
    sb.setFaults('429=0.6,lost=0.3,seed=3,retry_after=0');
    const faulty = await pushSheet({ kind: KINDS.records, values, client, chunkSize: 50, concurrency: 1 });
    sb.setFaults({});

    const inCrego = await countsInSandbox(client, 'records', loans, '9120');
    const failedButThere = faulty.results.flatMap((r, i) => (i > 0 && r![0] === 'failed' && inCrego.has(utr(i)) ? [utr(i)] : []));
    expect(failedButThere).toEqual([]);
    expect(faulty.results.slice(1).some((r) => /^Not posted/.test(String(r![2])) && inCrego.has(String(r![5])))).toBe(false);
    // The faults did bite: some rows were left for the next push to check, and those say so.
    const unsettled = faulty.results.filter((r, i) => i > 0 && r![0] === 'unknown');
    expect(faulty.counts.unknown).toBe(unsettled.length);
    expect(unsettled.length).toBeGreaterThan(0);
    expect(unsettled.every((r) => /the next push checks UTR \d+/.test(String(r![2])))).toBe(true);
    // Every row the push called posted really is in Crego.
    expect(faulty.results.flatMap((r, i) => (i > 0 && r![0] === 'posted' && !inCrego.has(utr(i)) ? [utr(i)] : []))).toEqual([]);

    const rerun = await pushSheet({ kind: KINDS.records, values: applyResults(values, faulty), client, chunkSize: 50, concurrency: 1 });
    expect(rerun.counts).toMatchObject({ failed: 0, unknown: 0 });
    expect(rerun.counts.posted + rerun.counts.skipped).toBe(1000);
    expect(rerun.results.slice(1).every((r) => r === null || r[0] === 'posted')).toBe(true);
    expect(exactlyOnce(await countsInSandbox(client, 'records', loans, '9120'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  }, 240_000);
});
