/**
 * `crego fn` evaluates the same functions headless against the sandbox: values printed, tables as
 * tab-separated rows, errors as their Excel code with the message on stderr.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isoDateToEpoch, isoDateToExcelSerial } from '../../src/api/dates';
import { roundMoney } from '../../src/api/money';
import { createNodeClient } from '../../src/api/node';
import { formatResult, parseArg, run } from '../../src/cli/commands/fn';
import { testTls } from '../server/helpers';
import { activeRuntime } from '../../src/functions/runtime';
import { bootPortfolio, type Portfolio } from './helpers';

let p: Portfolio;
const env = { ...process.env };

beforeAll(async () => {
  p = await bootPortfolio();
});
afterAll(() => p.sandbox.close());
afterEach(() => {
  process.env = { ...env };
  vi.restoreAllMocks();
  activeRuntime()?.disconnect();
});

async function crego(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  const code = await run(args);
  vi.restoreAllMocks();
  return { code, out, err };
}

function useSandbox(): void {
  process.env.CREGO_BASE_URL = p.sandbox.url;
  process.env.CREGO_TOKEN = p.sandbox.token;
}

async function summaryOf(id: string): Promise<Record<string, number | string>> {
  const res = await fetch(`${p.sandbox.url}/v1/lms/accounts/${id}/summary/`, { headers: { Authorization: `Bearer ${p.sandbox.token}` } });
  return (await res.json()) as Record<string, number | string>;
}

describe('crego fn', () => {
  it('prints one value', async () => {
    useSandbox();
    const id = p.termAccounts[0]!;
    const { code, out } = await crego('SUMMARY', id, 'total_outstanding');
    expect(code).toBe(0);
    expect(out).toBe(`${roundMoney((await summaryOf(id)).total_outstanding as number)}\n`);
  });

  it('prints an accounts × fields spill as tab-separated rows', async () => {
    useSandbox();
    const [a, b] = p.termAccounts;
    const { code, out } = await crego('crego.summary', `${a},${b}`, 'dpd,asset_category');
    expect(code).toBe(0);
    const sa = await summaryOf(a!);
    const sb = await summaryOf(b!);
    expect(out).toBe(`${sa.dpd}\t${sa.asset_category}\n${sb.dpd}\t${sb.asset_category}\n`);
  });

  it('prints a table with its header row', async () => {
    useSandbox();
    const { code, out } = await crego('SCHEDULE', '120000', '12', '6');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('index\tdue_date\temi_amount\tprincipal\tinterest\tclosing_balance');
    expect(lines).toHaveLength(7);
  });

  it('--verbose reports the requests sent and the concurrency limit; CregoRuntime.status() has the limit too', async () => {
    useSandbox();
    const [a, b, c] = p.termAccounts;
    const { code, out, err } = await crego('SUMMARY', `${a},${b},${c}`, 'dpd', '--verbose');
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n')).toHaveLength(3);
    expect(err).toMatch(/^crego fn: 3 requests sent, 0 retried, peak [1-3] in flight, concurrency limit 6 \(ceiling 64\)\n$/);

    const runtime = activeRuntime()!;
    runtime.configure({ client: createNodeClient({ baseUrl: p.sandbox.url, token: p.sandbox.token, maxConcurrency: 8 }) });
    expect(runtime.status().concurrency).toEqual({ limit: 6, ceiling: 8, pausedMs: 0 });
    runtime.disconnect();
    expect(runtime.status().concurrency).toBeUndefined();
  });

  it('FIELDS needs no connection', async () => {
    delete process.env.CREGO_BASE_URL;
    const { code, out } = await crego('FIELDS', 'LINE');
    expect(code).toBe(0);
    expect(out.split('\n')[1]).toBe('LINE\taccount\tAccount id');
  });

  it('shows an error as its Excel code, the message on stderr, exit code 1', async () => {
    useSandbox();
    const { code, out, err } = await crego('SUMMARY', 'no-such-account', 'dpd');
    expect(code).toBe(1);
    expect(out).toBe('#N/A\n');
    expect(err).toBe("#N/A No account 'no-such-account'\n");
  });

  it('LIVE prints its first value and stops', async () => {
    useSandbox();
    const id = p.termAccounts[0]!;
    const { code, out } = await crego('LIVE', id, 'dpd');
    expect(code).toBe(0);
    expect(out).toBe(`${(await summaryOf(id)).dpd}\n`);
    expect(activeRuntime()!.live.size).toBe(0);
  });

  it('explains usage problems with exit code 2', async () => {
    delete process.env.CREGO_BASE_URL;
    expect((await crego('SUMMARY', 'x', 'dpd')).err).toContain('set CREGO_BASE_URL to the Crego API address');
    expect(await crego('PRICE', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('no function') });
    useSandbox();
    expect(await crego('FEES', 'a', 'b')).toMatchObject({ code: 2, err: expect.stringContaining('at most 1 arguments') });
    expect((await crego()).out).toContain('SUMMARY(accountId, field, asOfDate, includeClosed)');
  });

  it('shows dates as YYYY-MM-DD on a terminal (Excel serials with --serials)', async () => {
    useSandbox();
    const { out } = await crego('SCHEDULE', '120000', '12', '3', '2026-02-01');
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t')[1])).toEqual(['due_date', '2026-03-01', '2026-04-01', '2026-05-01']);
    const raw = await crego('SCHEDULE', '120000', '12', '3', '2026-02-01', '--serials');
    expect(raw.out.split('\n')[1]!.split('\t')[1]).toBe(String(isoDateToExcelSerial('2026-03-01')));
    // A date field asked for by name, and a field/value table, read the same way.
    const id = p.termAccounts[0]!;
    expect((await crego('OUTSTANDING', id, 'as_of_date')).out).toBe('2026-01-15\n');
    expect((await crego('OUTSTANDING', id)).out).toContain('as_of_date\t2026-01-15\n');
  });

  it("escapes control characters and marks formula-like text from Crego, so neither acts on the terminal or a pasted sheet", async () => {
    useSandbox();
    const account = p.termAccounts[1]!;
    const client = createNodeClient({ baseUrl: p.sandbox.url, token: p.sandbox.token });
    const remark = '=HYPERLINK("http://evil.example","pay")\u001b]0;pwned\u0007\u202e';
    await client.call('records.create', { body: { account, type: 'repayment', amount: 10, date: isoDateToEpoch('2026-01-10'), payment_mode: 'upi', utr: '918273645501', remark } });
    await client.close();
    const { out } = await crego('RECORDS', account);
    expect(out).toContain(`'=HYPERLINK("http://evil.example","pay")\\e]0;pwned\\x07\\u202e`);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    // The formatter itself: a leading TAB or a formula trigger is marked, a number is left alone.
    expect(formatResult([['\t=1+1', '+91 98', -5, 'NEFT\nnext']]).lines).toEqual(["'\\t=1+1\t'+91 98\t-5\tNEFT\\nnext"]);
  });

  it('names the cause when it cannot use Crego, never the cell\'s pane or refresh wording', async () => {
    const id = p.termAccounts[0]!;
    const said = async () => {
      const r = await crego('SUMMARY', id, 'dpd');
      expect(r.out).toBe('#N/A\n');
      expect(r.err).not.toMatch(/task pane|retry on refresh/);
      return r.err;
    };
    useSandbox();
    process.env.CREGO_TOKEN = 'not-the-token';
    expect(await said()).toMatch(/^#N\/A Crego at http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401\)\. Set a valid CREGO_TOKEN/);
    // A server that is down.
    process.env.CREGO_TOKEN = p.sandbox.token;
    process.env.CREGO_BASE_URL = 'http://127.0.0.1:9';
    expect(await said()).toContain('Nothing is listening at http://127.0.0.1:9 (connection refused)');
    // An https server whose certificate this machine does not trust (the add-in server's development CA).
    const tls = await testTls();
    const https = createHttpsServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('{}'));
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    try {
      process.env.CREGO_BASE_URL = `https://localhost:${(https.address() as AddressInfo).port}`;
      expect(await said()).toMatch(/certificate of localhost:\d+ is not trusted by Node \([A-Z_]+\).*NODE_EXTRA_CA_CERTS=\.certs\/ca\.crt/);
    } finally {
      https.close();
    }
    // https spoken to the plain-http sandbox.
    process.env.CREGO_BASE_URL = p.sandbox.url.replace('http:', 'https:');
    expect(await said()).toContain('does not speak https');
  });

  it('refuses plain http to another machine before sending the token, and never echoes URL secrets', async () => {
    process.env.CREGO_TOKEN = p.sandbox.token;
    process.env.CREGO_BASE_URL = 'http://10.255.0.1:4010';
    await expect(run(['SUMMARY', 'x', 'dpd'])).rejects.toThrow(/plain http to another machine.*use https:\/\//);
    for (const url of ['http://ops:hunter2@10.255.0.1/?api_key=SEKRIT', 'ftp://ops:hunter2@crego.example/']) {
      process.env.CREGO_BASE_URL = url;
      await expect(run(['SUMMARY', 'x', 'dpd'])).rejects.toThrow(/^(?![\s\S]*(hunter2|SEKRIT))/);
    }
  });

  it('--help names the port `crego sandbox` really listens on, and where account ids come from', async () => {
    const { out } = await crego('--help');
    expect(out).toContain('CREGO_BASE_URL (e.g. http://127.0.0.1:4010, what `crego sandbox` prints)');
    expect(out).toContain('Account ids: the account column of `crego fn LOANS`');
    const { parseArgs } = await import('../../src/cli/commands/sandbox');
    expect(parseArgs([])).toMatchObject({ port: 4010 });
  });

  it('reads arguments the way Excel would pass them', () => {
    expect(parseArg('')).toBeNull();
    expect(parseArg('TRUE')).toBe(true);
    expect(parseArg('12.5')).toBe(12.5);
    expect(parseArg('2026-01-15')).toBe('2026-01-15');
    expect(parseArg('a,b', 'column')).toEqual([['a'], ['b']]);
    expect(parseArg('dpd,total_paid', 'row')).toEqual([['dpd', 'total_paid']]);
  });
});
