/** `crego sandbox` as a real process, and `--data FILE` keeping state across restarts. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../src/cli/commands/sandbox';
import { boot, ist } from './helpers';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGTERM');
});

/** Starts `crego sandbox` and resolves with its two announced lines. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; token: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/crego.mjs', 'sandbox', ...args], { cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const url = /^sandbox listening on (http:\/\/\S+)$/m.exec(out);
      const token = /^token: (\S+)$/m.exec(out);
      if (url && token) resolve({ url: url[1], token: token[1], child });
    });
    child.on('exit', (code) => reject(new Error(`crego sandbox exited ${code}: ${err}`)));
  });
}

describe('crego sandbox', () => {
  it('prints the URL and token lines and serves the demo portfolio with that token (CREGO_SANDBOX_TOKEN honoured)', async () => {
    const { url, token, child } = await startCli(['--port', '0', '--accounts', '12', '--seed', '9'], { CREGO_SANDBOX_TOKEN: 'sbx-test-token' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token).toBe('sbx-test-token');
    const res = await fetch(`${url}/v1/lms/loans/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).count).toBe(12);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('parses its options and rejects bad ones with the usage', () => {
    expect(parseArgs(['--port', '0', '--host', '0.0.0.0', '--seed', '3', '--accounts', '50', '--latency', '20', '--faults', '5xx=0.1', '--data', 'x.json'])).toEqual({
      port: 0, host: '0.0.0.0', seed: 3, accounts: 50, latencyMs: 20, faults: '5xx=0.1', dataFile: 'x.json',
    });
    expect(parseArgs([])).toEqual({ port: 4010 });
    expect(parseArgs(['--port', 'abc'])).toMatch(/--port must be a whole number/);
    expect(parseArgs(['--colour', 'red'])).toMatch(/Unknown option '--colour'/);
    expect(parseArgs(['--seed'])).toMatch(/needs a value/);
  });
});

describe('--data FILE', () => {
  it('keeps accounts, records and fees across a restart (atomic JSON snapshot)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crego-sbx-')), 'state.json');
    const first = await boot({ accounts: 12, dataFile: file });
    const acc = (await first.post('/v1/lms/accounts/', { borrower_name: 'Persisted', loan_amount: 10000, roi: 12, emi_count: 3, disbursal_date: ist('2025-12-01') })).body.id;
    await first.post('/v1/lms/records/', { account: acc, amount: 500, date: ist('2026-01-02'), payment_mode: 'upi', utr: 'KEEP-1' });
    await first.post('/v1/lms/fees/', { account: acc, type: 'other', amount: 100, date: ist('2026-01-02'), ref_id: 'KEEP-F' });
    const before = (await first.get(`/v1/lms/accounts/${acc}/summary/`)).body;
    await first.sb.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).records.some((r: any) => r.utr === 'KEEP-1')).toBe(true);

    const second = await boot({ accounts: 12, dataFile: file, seed: 999 });
    try {
      expect((await second.get(`/v1/lms/accounts/${acc}/summary/`)).body).toEqual(before);
      expect((await second.get('/v1/lms/records/?utr=KEEP-1')).body.count).toBe(1);
      expect((await second.get('/v1/lms/loans/')).body.count).toBe(13);
      const dup = await second.post('/v1/lms/records/', { account: acc, amount: 500, date: ist('2026-01-02'), payment_mode: 'upi', utr: 'KEEP-1' });
      expect(dup.status).toBe(409);
    } finally {
      await second.sb.close();
    }
  });
});
