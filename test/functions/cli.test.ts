/**
 * `crego fn` evaluates the same functions headless against the sandbox: values printed, tables as
 * tab-separated rows, errors as their Excel code with the message on stderr.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { roundMoney } from '../../src/api/money';
import { parseArg, run } from '../../src/cli/commands/fn';
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

  it('reads arguments the way Excel would pass them', () => {
    expect(parseArg('')).toBeNull();
    expect(parseArg('TRUE')).toBe(true);
    expect(parseArg('12.5')).toBe(12.5);
    expect(parseArg('2026-01-15')).toBe('2026-01-15');
    expect(parseArg('a,b', 'column')).toEqual([['a'], ['b']]);
    expect(parseArg('dpd,total_paid', 'row')).toEqual([['dpd', 'total_paid']]);
  });
});
