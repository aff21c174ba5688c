/**
 * `crego push` against Crego's newer platform as the sandbox plays it: payments applied after the call
 * (`--settle-after 2 --reject-share 0.25`), a server that ignores Idempotency-Key, and UTRs unique across
 * the tenant. The CLI runs as a child process; every check of what exists and in which state is read
 * from the sandbox's own listing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { RESULT_HEADERS } from '../../src/bulk';
import { rejectedByShare, startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index';
import { cliEnv, clientFor, countsInSandbox, demoAccounts, exactlyOnce, RECORD_HEADERS, recordRows, spawnCli, writeCsv, type CliRun } from './helpers';

// Several CLI runs (child processes) per test on a shared 2-core machine: more than the default 30 s.
vi.setConfig({ testTimeout: 180_000 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crego-settle-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lastLine = (run: CliRun) => run.stdout.trim().split('\n').at(-1) ?? '';
const STATUS = RECORD_HEADERS.length; // the Status column follows the data columns

async function boot(opts: SandboxOptions) {
  const sb = await startSandbox({ accounts: 8, seed: 11, quiet: true, ...opts });
  const client = clientFor(sb);
  const { loans } = await demoAccounts(client);
  return { sb, client, loans };
}

/** Status and Crego id per UTR, as the file says after a push. */
async function fileStatuses(file: string): Promise<Map<string, { status: string; id: string }>> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n').slice(1);
  return new Map(lines.map((l) => l.split(',')).map((c) => [c[5], { status: c[STATUS], id: c[STATUS + 1] }]));
}

/** Status per UTR, as the sandbox's own Record Listing says. */
async function sandboxStatuses(client: CregoClient, accounts: string[], prefix: string): Promise<Map<string, string>> {
  return new Map([...(await sandboxRecords(client, accounts, prefix))].map(([k, r]) => [k, r.status]));
}

async function sandboxRecords(client: CregoClient, accounts: string[], prefix: string): Promise<Map<string, { status: string; created_at: number }>> {
  const out = new Map<string, { status: string; created_at: number }>();
  for (const account of accounts) {
    const rows = await client.listAll('records.list', { query: { account }, pageSize: 500, cache: 'bypass' });
    for (const r of rows as readonly object[] as Array<{ utr: string; status: string; created_at: number }>) if (r.utr?.startsWith(prefix)) out.set(r.utr, r);
  }
  return out;
}

describe('crego push: payments applied after the call (--settle-after 2 --reject-share 0.25)', () => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({ settleAfter: 2, rejectShare: 0.25 });
  });
  afterAll(() => t.sb.close());

  it('a first push leaves rows pending; --wait settles each as Crego did, sending nothing twice; a re-run sends nothing and changes nothing', async () => {
    const file = join(dir, 'settle.csv');
    const rows = recordRows(t.loans, 40, '8601');
    const keys = rows.map((r) => String(r[5]));
    const rejected = keys.filter((k) => rejectedByShare(k, 0.25));
    // The share must split this sheet both ways, or nothing here would tell posted from rejected.
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.length).toBeLessThan(keys.length);
    await writeCsv(file, [RECORD_HEADERS, ...rows]);
    const env = cliEnv(t.sb);

    t.sb.resetStats();
    const first = await spawnCli(['push', 'records', file, '--chunk', '15'], env);
    expect(first.code, first.stdout + first.stderr).toBe(0); // pending alone is not a failure
    expect(lastLine(first)).toBe(`posted 0, failed 0, invalid 0, skipped 0, pending ${keys.length}, rejected 0`);
    const sent = t.sb.stats().byEndpoint['records.bulk_create'];
    expect(sent).toBe(3);
    // Crego's own listing: every row is there once, and none applied yet.
    expect(exactlyOnce(await countsInSandbox(t.client, 'records', t.loans, '8601'), keys)).toEqual({ missing: [], repeated: [], extra: [] });
    // …and none applied before its 2 s were up (on a loaded machine the oldest may have settled since).
    const listedAt = Date.now() / 1000;
    for (const [utr, r] of await sandboxRecords(t.client, t.loans, '8601'))
      expect(r.status === 'requested' || listedAt - r.created_at >= 2, `${utr} ${r.status}`).toBe(true);
    const afterFirst = await fileStatuses(file);
    expect([...afterFirst.values()].every((r) => r.status === 'pending' && r.id)).toBe(true);

    const waited = await spawnCli(['push', 'records', file, '--wait', '30'], env);
    expect(waited.code, waited.stdout).toBe(1); // rejected rows need a person
    expect(lastLine(waited)).toBe(`posted ${keys.length - rejected.length}, failed 0, invalid 0, skipped 0, pending 0, rejected ${rejected.length}`);
    expect(waited.stderr).toMatch(/waiting for Crego to apply \d+ pending row\(s\)/);
    expect(t.sb.stats().byEndpoint['records.bulk_create']).toBe(sent); // nothing sent again
    const final = await sandboxStatuses(t.client, t.loans, '8601');
    const afterWait = await fileStatuses(file);
    for (const key of keys) {
      const expected = final.get(key) === 'processed' ? 'posted' : final.get(key);
      expect(afterWait.get(key)?.status, key).toBe(expected);
      expect(afterWait.get(key)?.id).toBe(afterFirst.get(key)?.id);
    }
    expect([...final.values()].filter((s) => s === 'rejected').length).toBe(rejected.length);
    const csv = await readFile(file, 'utf8');
    expect(csv).toMatch(/Rejected by Crego after accepting it: Rejected by the payment queue/);
    const log = await readFile(`${file}.crego-log.csv`, 'utf8');
    expect(log.split('\n')[0]).toContain('Pending,Rejected,Settled');
    expect(log).toMatch(new RegExp(`row \\d+ \\(${rejected[0]}\\) rejected: Rejected by the payment queue`));

    const again = await spawnCli(['push', 'records', file], env);
    expect(lastLine(again)).toBe(`posted 0, failed 0, invalid 0, skipped ${keys.length - rejected.length}, pending 0, rejected ${rejected.length}`);
    expect(t.sb.stats().byEndpoint['records.bulk_create']).toBe(sent);
    expect(await fileStatuses(file)).toEqual(afterWait);
    expect(await sandboxStatuses(t.client, t.loans, '8601')).toEqual(final);
    expect(exactlyOnce(await countsInSandbox(t.client, 'records', t.loans, '8601'), keys)).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('--wait ends when the time is up, leaving rows pending (exit 0), and takes no value that is not a number of seconds', async () => {
    const file = join(dir, 'short-wait.csv');
    const rows = recordRows(t.loans, 5, '8602').filter((r) => !rejectedByShare(String(r[5]), 0.25));
    await writeCsv(file, [RECORD_HEADERS, ...rows]);
    const bad = await spawnCli(['push', 'records', file, '--wait', '0'], cliEnv(t.sb));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--wait must be a whole number from 1 to 86400');
    const run = await spawnCli(['push', 'records', file, '--wait', '1'], cliEnv(t.sb));
    expect(run.code).toBe(0);
    expect(lastLine(run)).toMatch(new RegExp(`^posted \\d+, failed 0, invalid 0, skipped 0, pending \\d+, rejected 0$`));
    expect(run.stdout).not.toContain(t.sb.token);
  });
});

describe.each([
  ['a server that ignores Idempotency-Key', { ignoreIdempotencyKey: true }, {}],
  ['UTRs unique across the tenant', { utrScope: 'tenant' }, { CREGO_API_PROFILE: '{"utrScope": "tenant"}' }],
] as const)('crego push exactly once against %s', (_name, opts, extraEnv) => {
  let t: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    t = await boot({ faults: '', ...opts });
  });
  afterAll(() => t.sb.close());

  it('survives 5xx, 429, connection resets and lost replies: never a duplicate, every row once after re-runs', async () => {
    const file = join(dir, `faults-${'utrScope' in opts ? 'tenant' : 'nokey'}.csv`);
    const good = recordRows(t.loans, 150, '8603');
    await writeCsv(file, [RECORD_HEADERS, ...good]);
    const keys = good.map((r) => String(r[5]));
    const spec = (seed: number) => `5xx=0.15,429=0.1,reset=0.15,lost=0.2,retry_after=0,seed=${seed}`;
    const env = { ...cliEnv(t.sb), ...extraEnv };
    t.sb.setFaults(spec(9));
    t.sb.resetStats();
    let last: CliRun | null = null;
    const summaries: string[] = [];
    for (let run = 1; run <= 6; run++) {
      last = await spawnCli(['push', 'records', file, '--chunk', '25', '--concurrency', '3'], env);
      summaries.push(lastLine(last));
      if (run === 1) expect(t.sb.stats().byEndpoint['records.bulk_create']).toBeGreaterThan(6); // faults did happen
      t.sb.setFaults({});
      const counts = await countsInSandbox(t.client, 'records', t.loans, '8603');
      expect(exactlyOnce(counts, keys).repeated, `run ${run}`).toEqual([]);
      expect(exactlyOnce(counts, keys).extra).toEqual([]);
      if (last.code === 0) break;
      t.sb.setFaults(spec(9 + run));
    }
    t.sb.setFaults({});
    expect(last!.code, summaries.join(' / ')).toBe(0);
    expect(lastLine(last!)).toMatch(/^posted \d+, failed 0, invalid 0, skipped \d+, pending 0, rejected 0$/);
    expect(exactlyOnce(await countsInSandbox(t.client, 'records', t.loans, '8603'), keys)).toEqual({ missing: [], repeated: [], extra: [] });
    const csv = (await readFile(file, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(`${RECORD_HEADERS.join(',')},${RESULT_HEADERS.join(',')}`);
    expect(csv.slice(1).every((l) => l.split(',')[STATUS] === 'posted')).toBe(true);
  });
});

describe('crego push under utrScope tenant', () => {
  it('refuses the second of two rows with one UTR on two accounts before sending, naming the first row', async () => {
    const t = await boot({ utrScope: 'tenant' });
    try {
      const file = join(dir, 'tenant-dup.csv');
      const rows = recordRows(t.loans, 3, '8604');
      rows[2][5] = rows[0][5]; // row 4 repeats row 2's UTR on another account
      expect(rows[2][0]).not.toBe(rows[0][0]);
      await writeCsv(file, [RECORD_HEADERS, ...rows]);
      t.sb.resetStats();
      const run = await spawnCli(['push', 'records', file], { ...cliEnv(t.sb), CREGO_API_PROFILE: '{"utrScope": "tenant"}' });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`Row 4, UTR: "${rows[0][5]}" is already used by row 2 (account ${rows[0][0]}); Crego keeps a UTR unique across the whole tenant`);
      expect(lastLine(run)).toBe('posted 2, failed 0, invalid 1, skipped 0, pending 0, rejected 0');
      const sent = await countsInSandbox(t.client, 'records', t.loans, '8604');
      expect([...sent.values()]).toEqual([1, 1]);
    } finally {
      await t.sb.close();
    }
  });
});
