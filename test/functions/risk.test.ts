/**
 * CREGO.PORTFOLIO, CREGO.ROLLRATES and CREGO.LOAN against the sandbox over real HTTP. Every figure
 * is checked against a computation written here, from the sandbox's own List Loans and Get Summary
 * answers for every account (raw HTTP, not the add-in's client), at two month-ends, for every
 * groupBy and measure.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { excelSerialToEpoch, isoDateToExcelSerial } from '../../src/api/dates';
import { roundMoney } from '../../src/api/money';
import { run as cregoFn } from '../../src/cli/commands/fn';
import { CATALOG, toFieldValueTable } from '../../src/functions/catalog';
import * as CREGO from '../../src/functions/functions';
import { activeRuntime } from '../../src/functions/runtime';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { errorOf, invocation } from './custom-functions-stub';
import { nextTurn, requestsTo, useRuntime, type TestRuntime } from './helpers';

const TODAY = '2026-11-15';
const DATES = ['2026-09-30', '2026-10-31'] as const;

interface Loan {
  account: string;
  type: string;
  status: string;
  borrower_name: string;
}
type Summary = Record<string, number | string | null> & { principal_outstanding: number; dpd: number; asset_category: string };

let sb: RunningSandbox;
let t: TestRuntime;
let loans: Loan[];
/** The sandbox's own Get Summary answer for every account, per date. */
const summaries = new Map<string, Map<string, Summary>>();

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${sb.url}${path}`, { headers: { Authorization: `Bearer ${sb.token}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The epoch Crego takes for a business date (the end of that day in India). */
const asOf = (iso: string) => excelSerialToEpoch(isoDateToExcelSerial(iso)!);

beforeAll(async () => {
  // The stressed book: every bucket well populated, so each figure is exercised.
  sb = await startSandbox({ accounts: 72, today: TODAY, mix: 'stressed', quiet: true });
  loans = (await get<{ results: Loan[] }>('/v1/lms/loans/?page_size=500')).results;
  for (const d of DATES) {
    const byAccount = new Map<string, Summary>();
    for (const l of loans) byAccount.set(l.account, await get<Summary>(`/v1/lms/accounts/${l.account}/summary/?as_of_date=${asOf(d)}`));
    summaries.set(d, byAccount);
  }
});
afterAll(() => sb.close());
afterEach(() => {
  t?.runtime.disconnect();
  delete (globalThis as { Office?: unknown }).Office;
});

const inv = () => invocation();
const paise = (rupees: unknown) => Math.round(Number(rupees) * 100);

/** The test's own PAR/NPA arithmetic: plain sums in paise, ratios rounded to 4 decimals. */
function expectedPortfolio(date: string, groupBy: '' | 'asset_category' | 'type' | 'status') {
  const groups = new Map<string, Summary[]>();
  for (const l of loans) {
    const s = summaries.get(date)!.get(l.account)!;
    if (!(s.principal_outstanding > 0)) continue;
    const key = groupBy === '' ? 'All' : groupBy === 'asset_category' ? s.asset_category : l[groupBy];
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const share = (members: Summary[], keep: (s: Summary) => boolean) => {
    const all = members.reduce((n, s) => n + paise(s.principal_outstanding), 0);
    const part = members.filter(keep).reduce((n, s) => n + paise(s.principal_outstanding), 0);
    return Math.round((part / all) * 10_000) / 10_000;
  };
  const total = (members: Summary[], field: string) => members.reduce((n, s) => n + paise(s[field]), 0) / 100;
  return new Map(
    [...groups].map(([key, m]) => [
      key,
      [
        key,
        m.length,
        total(m, 'principal_outstanding'),
        total(m, 'total_outstanding'),
        total(m, 'overdue_outstanding'),
        share(m, (s) => s.dpd >= 1),
        share(m, (s) => s.dpd > 30),
        share(m, (s) => s.dpd > 60),
        share(m, (s) => s.dpd > 90),
        share(m, (s) => s.asset_category === 'NPA'),
      ],
    ]),
  );
}

function bucket(s: Summary): string {
  if (!(s.principal_outstanding > 0)) return 'Closed';
  if (s.dpd === 0) return 'Current';
  return s.dpd <= 30 ? '1-30' : s.dpd <= 60 ? '31-60' : s.dpd <= 90 ? '61-90' : '90+';
}

function expectRow(actual: unknown[], expected: unknown[]): void {
  expect(actual.slice(0, 5)).toEqual(expected.slice(0, 5));
  actual.slice(5).forEach((ratio, i) => expect(ratio as number).toBeCloseTo(expected[5 + i] as number, 10));
}

describe('PORTFOLIO', () => {
  for (const date of DATES) {
    for (const groupBy of ['', 'asset_category', 'type', 'status'] as const) {
      it(`as of ${date}, grouped by ${groupBy || '(nothing)'}: every figure matches the Summaries of every account`, async () => {
        t = useRuntime(sb);
        const table = await CREGO.portfolio(date as unknown as number, groupBy, inv());
        expect(table[0]).toEqual(['group', 'accounts', 'principal_outstanding', 'total_outstanding', 'overdue_outstanding', 'par_1', 'par_30', 'par_60', 'par_90', 'npa_share']);
        const expected = expectedPortfolio(date, groupBy);
        expect(table.slice(1).map((r) => r[0]).sort()).toEqual([...expected.keys()].sort());
        for (const row of table.slice(1)) expectRow(row, expected.get(row[0] as string)!);
        if (groupBy === 'asset_category') expect(table.slice(1).map((r) => r[0])).toEqual(['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'].filter((c) => expected.has(c)));
      });
    }
  }

  it('takes an Excel date as well as ISO text, and defaults to today', async () => {
    t = useRuntime(sb);
    const serial = isoDateToExcelSerial(DATES[1])!;
    expect(await CREGO.portfolio(serial, '', inv())).toEqual(await CREGO.portfolio(DATES[1] as unknown as number, '', inv()));
    const today = await CREGO.portfolio(0, '', inv());
    const todays = await Promise.all(loans.map((l) => get<Summary>(`/v1/lms/accounts/${l.account}/summary/`)));
    expect(today[1]![1]).toBe(todays.filter((s) => s.principal_outstanding > 0).length);
  });

  it('refuses a groupBy it does not know, naming the valid ones', async () => {
    t = useRuntime(sb);
    const e = await errorOf(CREGO.portfolio(0, 'branch', inv()));
    expect(e.code).toBe('#VALUE!');
    expect(e.message).toMatch(/groupBy must be one of asset_category, type, status/);
  });
});

describe('ROLLRATES', () => {
  for (const measure of ['count', 'principal'] as const) {
    it(`${measure}: each cell is the accounts moving between those buckets from ${DATES[0]} to ${DATES[1]}`, async () => {
      t = useRuntime(sb);
      const table = await CREGO.rollRates(DATES[0] as unknown as number, DATES[1] as unknown as number, measure === 'count' ? '' : measure, inv());
      const buckets = ['Current', '1-30', '31-60', '61-90', '90+', 'Closed'];
      expect(table[0]).toEqual(['from \\ to', ...buckets]);
      expect(table.slice(1).map((r) => r[0])).toEqual(buckets);
      const expected = buckets.map(() => buckets.map(() => 0));
      for (const l of loans) {
        const from = summaries.get(DATES[0])!.get(l.account)!;
        if (!(from.principal_outstanding > 0)) continue;
        const to = summaries.get(DATES[1])!.get(l.account)!;
        expected[buckets.indexOf(bucket(from))]![buckets.indexOf(bucket(to))]! += measure === 'count' ? 1 : paise(from.principal_outstanding);
      }
      const shown = expected.map((row) => row.map((v) => (measure === 'count' ? v : v / 100)));
      expect(table.slice(1).map((r) => r.slice(1))).toEqual(shown);
      // Not a trivial book: accounts both stay and move.
      expect(expected.flat().filter((v) => v > 0).length).toBeGreaterThan(3);
    });
  }

  it('refuses dates in the wrong order, a missing date and an unknown measure', async () => {
    t = useRuntime(sb);
    expect((await errorOf(CREGO.rollRates(DATES[1] as unknown as number, DATES[0] as unknown as number, '', inv()))).message).toMatch(/fromDate is after toDate/);
    expect((await errorOf(CREGO.rollRates(null as unknown as number, DATES[0] as unknown as number, '', inv()))).message).toMatch(/fromDate is empty/);
    expect((await errorOf(CREGO.rollRates(DATES[0] as unknown as number, DATES[1] as unknown as number, 'amount', inv()))).message).toMatch(/measure must be one of count, principal/);
  });
});

describe('a dashboard of PORTFOLIO, ROLLRATES and SUMMARY cells', () => {
  it('sends one List Loans and each Summary once per date, however many cells ask', async () => {
    t = useRuntime(sb);
    sb.resetStats();
    const [d1, d2] = DATES.map((d) => d as unknown as number);
    const someIds = loans.slice(0, 10).map((l) => [l.account]);
    // One recalculation wave, as Excel starts it.
    const cells = [
      CREGO.portfolio(d2!, 'asset_category', inv()),
      CREGO.portfolio(d2!, '', inv()),
      CREGO.rollRates(d1!, d2!, '', inv()),
      CREGO.rollRates(d1!, d2!, 'principal', inv()),
      CREGO.summary(someIds, [['dpd', 'principal_outstanding']], d2!, false, inv()),
      CREGO.loans('', '', '', '', inv()),
    ];
    await Promise.all(cells);
    expect(requestsTo(sb, 'loans.list')).toBe(1);
    expect(requestsTo(sb, 'accounts.summary')).toBe(2 * loans.length);
    // A recalculation that changes nothing sends nothing.
    await Promise.all([CREGO.portfolio(d2!, 'status', inv()), CREGO.rollRates(d1!, d2!, '', inv())]);
    expect(sb.stats().requests).toBe(1 + 2 * loans.length);
  });
});

describe('LOAN', () => {
  const supportEntities = (yes: boolean) => {
    (globalThis as { Office?: unknown }).Office = { context: { requirements: { isSetSupported: (set: string, v: string) => yes && set === 'CustomFunctionsRuntime' && Number(v) <= 1.4 } } };
  };

  it('is a card: the borrower as its text, the Summary and the terms as fields, grouped in four sections', async () => {
    supportEntities(true);
    t = useRuntime(sb);
    const loan = loans.find((l) => l.type === 'term_loan' && l.status === 'active')!;
    const [[card]] = (await CREGO.loan(loan.account, inv())) as [[any]];
    const today = await get<Summary>(`/v1/lms/accounts/${loan.account}/summary/`);
    expect(card.type).toBe('Entity');
    expect(card.text).toBe(loan.borrower_name);
    expect(card.layouts.card.title).toEqual({ property: 'borrower_name' });
    expect(card.layouts.card.sections.map((s: any) => s.title)).toEqual(['Dues', 'Paid', 'Risk', 'Terms']);
    // Every property sits in exactly one section, and every Summary field is a property.
    const placed = card.layouts.card.sections.flatMap((s: any) => s.properties);
    expect([...placed].sort()).toEqual(Object.keys(card.properties).sort());
    expect(new Set(placed).size).toBe(placed.length);
    for (const f of CATALOG.SUMMARY!) expect(card.properties, f.name).toHaveProperty(f.name);
    expect(card.properties.dpd).toEqual({ type: 'FormattedNumber', basicValue: today.dpd, numberFormat: '0' });
    expect(card.properties.principal_outstanding).toEqual({ type: 'FormattedNumber', basicValue: roundMoney(today.principal_outstanding), numberFormat: '₹ #,##,##0.00' });
    expect(card.properties.asset_category).toEqual({ type: 'String', basicValue: today.asset_category });
    const listed = (await get<{ results: Record<string, number | string>[] }>(`/v1/lms/loans/?account=${loan.account}`)).results[0]!;
    expect(card.properties.disbursal_date).toEqual({ type: 'FormattedNumber', basicValue: isoDateToExcelSerial(new Date((Number(listed.disbursal_date) + 19_800) * 1000).toISOString().slice(0, 10)), numberFormat: 'dd-mmm-yyyy' });
    expect(card.properties.roi_value.basicValue).toBe(listed.roi_value);
    expect(card.properties.emi_count.basicValue).toBe(listed.emi_count);
    expect(card.properties.type.basicValue).toBe('term_loan');
  });

  it('shares its Summary with SUMMARY cells of the same account (one request)', async () => {
    supportEntities(true);
    t = useRuntime(sb);
    sb.resetStats();
    const id = loans[1]!.account;
    await Promise.all([CREGO.loan(id, inv()), CREGO.summary([[id]], [['dpd']], 0, false, inv())]);
    expect(requestsTo(sb, 'accounts.summary')).toBe(1);
    expect(requestsTo(sb, 'loans.list')).toBe(1);
  });

  it('without entity values in the host: the 23-row field/value table SUMMARY shows', async () => {
    supportEntities(false);
    t = useRuntime(sb);
    const id = loans[2]!.account;
    const table = await CREGO.loan(id, inv());
    expect(table).toHaveLength(23);
    expect(table).toEqual(toFieldValueTable(CATALOG.SUMMARY!, await get<Summary>(`/v1/lms/accounts/${id}/summary/`), 1900));
    expect(table).toEqual(await CREGO.summary([[id]], [], 0, false, inv()));
  });

  it('says when there is no such account', async () => {
    supportEntities(true);
    t = useRuntime(sb);
    const e = await errorOf(CREGO.loan('no-such-account', inv()));
    expect([e.code, e.message]).toEqual(['#N/A', "No account 'no-such-account'"]);
  });
});

describe('crego fn', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
    vi.restoreAllMocks();
    activeRuntime()?.disconnect();
  });

  async function crego(...args: string[]) {
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
    process.env.CREGO_BASE_URL = sb.url;
    process.env.CREGO_TOKEN = sb.token;
    const code = await cregoFn(args);
    vi.restoreAllMocks();
    return { code, lines: out.trimEnd().split('\n').map((l) => l.split('\t')), err };
  }

  it('PORTFOLIO 2026-10-31 asset_category prints the table, tab-separated, header first', async () => {
    const { code, lines } = await crego('PORTFOLIO', '2026-10-31', 'asset_category');
    expect(code).toBe(0);
    expect(lines[0]).toEqual(['group', 'accounts', 'principal_outstanding', 'total_outstanding', 'overdue_outstanding', 'par_1', 'par_30', 'par_60', 'par_90', 'npa_share']);
    const expected = expectedPortfolio('2026-10-31', 'asset_category');
    expect(lines.slice(1).map((l) => l[0])).toEqual(['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'].filter((c) => expected.has(c)));
    for (const l of lines.slice(1)) expect(l.slice(0, 5)).toEqual(expected.get(l[0]!)!.slice(0, 5).map(String));
  });

  it('ROLLRATES 2026-09-30 2026-10-31 prints the matrix; LOAN prints the card as name/value rows', async () => {
    const rolls = await crego('ROLLRATES', '2026-09-30', '2026-10-31');
    expect(rolls.code).toBe(0);
    expect(rolls.lines[0]).toEqual(['from \\ to', 'Current', '1-30', '31-60', '61-90', '90+', 'Closed']);
    expect(rolls.lines).toHaveLength(7);
    await nextTurn();
    const id = loans[0]!.account;
    const card = await crego('LOAN', id);
    expect(card.code).toBe(0);
    const rows = new Map(card.lines.map((l) => [l[0], l[1]]));
    const today = await get<Summary>(`/v1/lms/accounts/${id}/summary/`);
    expect(rows.get('dpd')).toBe(String(today.dpd));
    expect(rows.get('principal_outstanding')).toBe(String(roundMoney(today.principal_outstanding)));
    expect(rows.get('borrower_name')).toBe(loans[0]!.borrower_name);
    expect(card.lines.length).toBe(33);
  });
});

describe('the demo book', () => {
  it('by default looks like a working lender at the last month-end: PAR 30 a few percent, NPA under 5 %, every category present', async () => {
    const demo = await startSandbox({ today: TODAY, quiet: true });
    try {
      t = useRuntime(demo);
      const [header, all] = await CREGO.portfolio('2026-10-31' as unknown as number, '', inv());
      const at = (name: string) => all![header!.indexOf(name)] as number;
      expect(at('accounts')).toBeGreaterThan(300);
      expect(at('par_30')).toBeGreaterThan(0);
      expect(at('par_30')).toBeLessThan(0.08);
      expect(at('npa_share')).toBeGreaterThan(0);
      expect(at('npa_share')).toBeLessThan(0.05);
      const byCategory = await CREGO.portfolio('2026-10-31' as unknown as number, 'asset_category', inv());
      expect(byCategory.slice(1).map((r) => r[0])).toEqual(['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA']);
      // The stressed option keeps the old shape for tests that need it.
      t.runtime.disconnect();
      t = useRuntime(sb);
      const [, stressed] = await CREGO.portfolio('2026-10-31' as unknown as number, '', inv());
      expect(stressed![header!.indexOf('par_1')] as number).toBeGreaterThan(0.3);
    } finally {
      await demo.close();
    }
  });
});
