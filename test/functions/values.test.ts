/**
 * Every CREGO function against the sandbox over real HTTP: values, spills, tables, and the
 * argument errors a person can make. Expected values come from the API answers themselves,
 * converted by the shared money/date modules, never from numbers typed into the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import { epochToExcelSerial, excelSerialToEpoch, isoDateToExcelSerial } from '../../src/api/dates';
import { SUMMARY_FIELDS } from '../../src/api/endpoints';
import { roundMoney, sumMoney } from '../../src/api/money';
import type { AccountSummary, CalculateEmiAnswer } from '../../src/api/types';
import { CATALOG } from '../../src/functions/catalog';
import * as CREGO from '../../src/functions/functions';
import { errorOf, invocation, StubCustomFunctionError } from './custom-functions-stub';
import { sharePortfolio, useRuntime, type Portfolio, type TestRuntime } from './helpers';

let p: Portfolio;
let api: CregoHttpClient;
let t: TestRuntime;

sharePortfolio((portfolio, client) => ([p, api] = [portfolio, client]));
afterEach(() => t?.runtime.disconnect());

const inv = () => invocation();
const summaryOf = (id: string) => api.call('accounts.summary', { path: { id }, cache: 'bypass' });

describe('SUMMARY', () => {
  it('returns one field of one account, money rounded to paise', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const expected = await summaryOf(id);
    expect(await CREGO.summary([[id]], [['total_outstanding']], 0, false, inv())).toEqual([[roundMoney(expected.total_outstanding)]]);
    expect(await CREGO.summary([[id]], [['asset_category']], 0, false, inv())).toEqual([[expected.asset_category]]);
  });

  it('accepts field names the way people type them', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const expected = await summaryOf(id);
    expect(await CREGO.summary([[id]], [['Total Outstanding']], 0, false, inv())).toEqual([[roundMoney(expected.total_outstanding)]]);
  });

  it('spills a column of ids × a row of fields into one table, blank ids giving blank rows', async () => {
    t = useRuntime(p.sandbox);
    const ids = p.termAccounts.slice(0, 3);
    const fields = ['principal_outstanding', 'dpd', 'asset_category'];
    const table = await CREGO.summary([[ids[0]], [''], [ids[1]], [ids[2]]], [fields], 0, false, inv());
    expect(table).toHaveLength(4);
    expect(table[1]).toEqual(['', '', '']);
    for (const [row, id] of [[0, ids[0]], [2, ids[1]], [3, ids[2]]] as const) {
      const s = await summaryOf(id!);
      expect(table[row]).toEqual([roundMoney(s.principal_outstanding), s.dpd, s.asset_category]);
    }
  });

  it('reads across when the ids are a row and there is one field', async () => {
    t = useRuntime(p.sandbox);
    const ids = p.termAccounts.slice(0, 3);
    const row = await CREGO.summary([ids], [['total_paid']], 0, false, inv());
    const expected = await Promise.all(ids.map(async (id) => roundMoney((await summaryOf(id)).total_paid)));
    expect(row).toEqual([expected]);
  });

  it('lines its spill up with a column of field names, and refuses a block of several rows and columns', async () => {
    t = useRuntime(p.sandbox);
    const [a, b] = p.termAccounts;
    const s = await summaryOf(a!);
    expect(await CREGO.summary([[a]], [['dpd'], ['total_paid']], 0, false, inv())).toEqual([[s.dpd], [roundMoney(s.total_paid)]]);
    // Ids selected together with the borrower column next to them.
    expect(await errorOf(CREGO.summary([[a, 'Sara Pharma'], [b, 'Kavya Steel']], [['dpd']], 0, false, inv()))).toEqual({
      code: '#VALUE!',
      message: 'accountId takes one column or one row of account ids, not a 2×2 range',
    });
    expect(await errorOf(CREGO.summary([[a]], [['dpd', 'total_paid'], ['peak_dpd', 'fee_paid']], 0, false, inv()))).toEqual({
      code: '#VALUE!',
      message: 'field takes one column or one row of field names, not a 2×2 range',
    });
  });

  it('without a field gives the 23-row field/value table of the account', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[1]!;
    const table = await CREGO.summary([[id]], [], 0, false, inv());
    const s = (await summaryOf(id)) as unknown as Record<string, unknown>;
    expect(table.map((r) => r[0])).toEqual([...SUMMARY_FIELDS]);
    expect(table.find((r) => r[0] === 'loan_amount')![1]).toBe(roundMoney(s.loan_amount as number));
  });

  it('passes an Excel date as the as-of date (end of that day in India)', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const serial = isoDateToExcelSerial('2025-06-30')!;
    const expected = await api.call('accounts.summary', { path: { id }, query: { as_of_date: excelSerialToEpoch(serial) } });
    const today = await summaryOf(id);
    expect(expected.total_paid).not.toBe(today.total_paid); // the date really changes the answer
    expect(await CREGO.summary([[id]], [['total_paid']], serial, false, inv())).toEqual([[roundMoney(expected.total_paid)]]);
  });

  it('shows a failing account only in its own row of a spill', async () => {
    t = useRuntime(p.sandbox);
    const good = p.termAccounts[0]!;
    const table = await CREGO.summary([[good], ['no-such-account']], [['dpd', 'total_paid']], 0, false, inv());
    expect(table[0]).toEqual([(await summaryOf(good)).dpd, roundMoney((await summaryOf(good)).total_paid)]);
    for (const cell of table[1]!) {
      expect(cell).toBeInstanceOf(StubCustomFunctionError);
      expect(cell).toMatchObject({ code: '#N/A', message: "No account 'no-such-account'" });
    }
  });

  it('says #N/A "No account" for an unknown id and #VALUE! for an unknown field, pointing at FIELDS', async () => {
    t = useRuntime(p.sandbox);
    expect(await errorOf(CREGO.summary([['no-such-account']], [['dpd']], 0, false, inv()))).toEqual({
      code: '#N/A',
      message: "No account 'no-such-account'",
    });
    const bad = await errorOf(CREGO.summary([[p.termAccounts[0]!]], [['total_owed']], 0, false, inv()));
    expect(bad.code).toBe('#VALUE!');
    expect(bad.message).toContain("'total_owed'");
    expect(bad.message).toContain('CREGO.FIELDS("SUMMARY")');
  });

  it('refuses empty ids, ids with spaces, and non-dates with #VALUE! naming the argument', async () => {
    t = useRuntime(p.sandbox);
    expect(await errorOf(CREGO.summary([['']], [['dpd']], 0, false, inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('accountId is empty') });
    expect(await errorOf(CREGO.summary([['a b']], [['dpd']], 0, false, inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('accountId') });
    const id = p.termAccounts[0]!;
    expect(await errorOf(CREGO.summary([[id]], [['dpd']], -3, false, inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('asOfDate') });
    expect(await errorOf(CREGO.summary([[id]], [['dpd']], 0, 'maybe' as unknown as boolean, inv()))).toMatchObject({
      code: '#VALUE!',
      message: expect.stringContaining('includeClosed must be TRUE or FALSE'),
    });
  });
});

describe('omitted arguments', () => {
  it('takes null for every omitted optional argument, as Excel passes them', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const none = null as never;
    expect((await CREGO.summary([[id]], none, none, none, inv())).map((r) => r[0])).toEqual([...SUMMARY_FIELDS]);
    expect(await CREGO.emi(100000, 12, 12, none, none, none, inv())).toBe(await CREGO.emi(100000, 12, 12, 0, 0, 'rupee', inv()));
    expect((await CREGO.outstanding(id, none, none, inv())).length).toBe(CATALOG.OUTSTANDING!.length);
    expect((await CREGO.records(id, none, none, inv()))[0]![0]).toBe('date');
    expect((await CREGO.loans(none, none, none, none, inv())).length).toBeGreaterThan(1);
    expect(CREGO.fields(none)[0]).toEqual(['function', 'field', 'description']);
  });
});

describe('EMI and SCHEDULE', () => {
  it('EMI is Calculate EMI’s instalment; SCHEDULE is its instalment table that repays the principal', async () => {
    t = useRuntime(p.sandbox);
    const expected = await api.call('emis.calculate', { body: { loan_amount: 250000, roi: 13.5, emi_count: 12, emi_rounding: 'rupee' } });
    expect(await CREGO.emi(250000, 13.5, 12, 0, 0, '', inv())).toBe(roundMoney(expected.emi_amount));

    const table = await CREGO.schedule(250000, 13.5, 12, 0, 0, '', inv());
    expect(table[0]).toEqual(['index', 'due_date', 'emi_amount', 'principal', 'interest', 'closing_balance']);
    expect(table).toHaveLength(13);
    expect(sumMoney(table.slice(1).map((r) => r[3] as number))).toBe(250000);
    expect(table[12]![5]).toBe(0);
    const dueDates = table.slice(1).map((r) => r[1] as number);
    expect(dueDates.every(Number.isInteger)).toBe(true);
    expect([...dueDates].sort((a, b) => a - b)).toEqual(dueDates);
    expect(dueDates[0]).toBe(epochToExcelSerial(expected.schedule[0]!.due_date!));
  });

  it('uses the start and first due dates given as Excel dates', async () => {
    t = useRuntime(p.sandbox);
    const start = isoDateToExcelSerial('2026-02-10')!;
    const first = isoDateToExcelSerial('2026-03-05')!;
    const table = await CREGO.schedule(100000, 12, 3, start, first, 'paise', inv());
    expect(table[1]![1]).toBe(first);
  });

  it('refuses impossible loans with #VALUE! saying what is wrong', async () => {
    t = useRuntime(p.sandbox);
    expect(await errorOf(CREGO.emi(-5, 12, 12, 0, 0, '', inv()))).toMatchObject({ code: '#VALUE!', message: 'principal must be a number above 0, got -5' });
    expect(await errorOf(CREGO.emi(1000, 12, 2.5, 0, 0, '', inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('tenureMonths must be a whole number') });
    expect(await errorOf(CREGO.emi(1000, 12, 12, 0, 0, 'dollar', inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('rupee, paise') });
    expect(await errorOf(CREGO.schedule(1000, 12, 12, 46100, 46000, '', inv()))).toMatchObject({ code: '#VALUE!', message: 'firstDueDate must be after startDate' });
  });
});

describe('account tables', () => {
  const cases = [
    ['EMIS', CREGO.emis, 'emis.list'],
    ['FEES', CREGO.fees, 'fees.list'],
    ['SETTLEMENTS', CREGO.settlements, 'emis.settlements'],
    ['RECORDS', (id: string, i: CustomFunctions.CancelableInvocation) => CREGO.records(id, 0, 0, i), 'records.list'],
  ] as const;
  for (const [what, fn, endpoint] of cases) {
    it(`${what} spills a header row and one row per item, money in paise and dates as serials`, async () => {
      t = useRuntime(p.sandbox);
      const id = p.termAccounts[0]!;
      const rows = await api.listAll(endpoint, { query: { account: id }, pageSize: 500 });
      const table = await fn(id, inv());
      const specs = CATALOG[what]!;
      expect(table[0]).toEqual(specs.map((s) => s.name));
      expect(table).toHaveLength(rows.length + 1);
      if (rows.length) {
        const first = rows[0]! as object as Record<string, unknown>;
        specs.forEach((s, col) => {
          const v = first[s.name];
          if (v === null || v === undefined) expect(table[1]![col]).toBe('');
          else if (s.kind === 'money') expect(table[1]![col]).toBe(roundMoney(v as number));
          else if (s.kind === 'date') expect(table[1]![col]).toBe(epochToExcelSerial(v as number));
        });
      }
    });
  }

  it('an empty table is a header row for a real account, #N/A "No account" for a typo', async () => {
    t = useRuntime(p.sandbox);
    const noTopups = p.termAccounts[0]!;
    expect(await api.listAll('topups.list', { query: { account: noTopups } })).toHaveLength(0);
    expect(await CREGO.topups(noTopups, inv())).toEqual([CATALOG.TOPUPS!.map((s) => s.name)]);
    expect(await errorOf(CREGO.fees('no-such-account', inv()))).toEqual({ code: '#N/A', message: "No account 'no-such-account'" });
  });

  it('TOPUPS lists a credit line’s drawdowns', async () => {
    t = useRuntime(p.sandbox);
    const id = p.creditLines[0]!;
    const rows = await api.listAll('topups.list', { query: { account: id }, pageSize: 500 });
    expect(rows.length).toBeGreaterThan(0);
    const table = await CREGO.topups(id, inv());
    expect(table).toHaveLength(rows.length + 1);
    expect(table[0]).toEqual(CATALOG.TOPUPS!.map((s) => s.name));
  });

  it('RECORDS keeps only the records between the two dates', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const all = await CREGO.records(id, 0, 0, inv());
    const dates = all.slice(1).map((r) => r[0] as number).sort((a, b) => a - b);
    expect(dates.length).toBeGreaterThan(3);
    const from = dates[1]!;
    const to = dates[dates.length - 2]!;
    const some = await CREGO.records(id, from, to, inv());
    const kept = some.slice(1).map((r) => r[0] as number);
    expect(kept.length).toBe(dates.filter((d) => d >= from && d <= to).length);
    expect(await errorOf(CREGO.records(id, to, from, inv()))).toMatchObject({ code: '#VALUE!', message: 'fromDate is after toDate: swap them' });
  });

  it('LOANS filters the portfolio and lists account ids usable in the other functions', async () => {
    t = useRuntime(p.sandbox);
    const lines = await CREGO.loans('', 'credit_line', '', '', inv());
    expect(lines[0]).toEqual(CATALOG.LOANS!.map((s) => s.name));
    const typeCol = lines[0]!.indexOf('type');
    expect(lines.slice(1).every((r) => r[typeCol] === 'credit_line')).toBe(true);
    expect(lines.slice(1).map((r) => r[0])).toEqual(expect.arrayContaining(p.creditLines));
    expect(await errorOf(CREGO.loans('open', '', '', '', inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('status must be one of active, closed') });
  });
});

describe('a workbook in the 1904 date system (old Mac files)', () => {
  // The same day is a serial 1,462 lower there: dates typed in and shown must both follow it.
  const OFFSET = 1462;
  const day = '2025-06-30';

  it('SUMMARY and OUTSTANDING read an as-of date as a 1904 serial and show their dates as 1904 serials', async () => {
    t = useRuntime(p.sandbox);
    t.runtime.setDateSystem(1904); // handed over by the pane or the ribbon
    const id = p.termAccounts[0]!;
    const asOf = excelSerialToEpoch(isoDateToExcelSerial(day)!);
    const asOf1904 = isoDateToExcelSerial(day)! - OFFSET;
    const summary = await api.call('accounts.summary', { path: { id }, query: { as_of_date: asOf } });
    const owed = await api.call('emis.outstanding', { query: { account: id, as_of_date: asOf } });
    expect(summary.total_paid).not.toBe((await summaryOf(id)).total_paid); // the date really changes the answer
    // A spill (the general path), then one id and one field (the batcher's fast path once connected).
    expect(await CREGO.summary([[id]], [['total_paid', 'dpd']], asOf1904, false, inv())).toEqual([[roundMoney(summary.total_paid), summary.dpd]]);
    expect(await CREGO.summary([[id]], [['total_paid']], asOf1904, false, inv())).toEqual([[roundMoney(summary.total_paid)]]);
    // ISO text names the day itself, whatever the workbook counts from.
    expect(await CREGO.summary([[id]], [['total_paid']], day as unknown as number, false, inv())).toEqual([[roundMoney(summary.total_paid)]]);
    const table = await CREGO.outstanding(id, '', asOf1904, inv());
    const row = (name: string) => table.find((r) => r[0] === name)![1];
    expect(row('as_of_date')).toBe(asOf1904);
    expect(row('next_due_date')).toBe(epochToExcelSerial(owed.next_due_date!) - OFFSET);
    expect(t.runtime.status().dateSystem).toBe(1904);
  });

  it('a one-cell SUMMARY date field shows the 1904 serial too', async () => {
    let id: string | undefined;
    let changed: number | null = null;
    for (const candidate of [...p.termAccounts, ...p.creditLines]) {
      changed = (await summaryOf(candidate)).asset_category_date ?? null;
      if (typeof changed === 'number') {
        id = candidate;
        break;
      }
    }
    expect(id).toBeDefined();
    t = useRuntime(p.sandbox);
    t.runtime.setDateSystem(1904); // handed over by the pane or the ribbon
    await CREGO.summary([[id!]], [['dpd', 'asset_category']], 0, false, inv()); // connects and reads the date system
    expect(await CREGO.summary([[id!]], [['asset_category_date']], 0, false, inv())).toEqual([[epochToExcelSerial(changed!) - OFFSET]]);
  });

  it('SCHEDULE takes its start and first due dates, and shows its due dates, as 1904 serials', async () => {
    t = useRuntime(p.sandbox);
    t.runtime.setDateSystem(1904); // handed over by the pane or the ribbon
    const start = isoDateToExcelSerial('2026-02-10')! - OFFSET;
    const first = isoDateToExcelSerial('2026-03-05')! - OFFSET;
    const table = await CREGO.schedule(100000, 12, 3, start, first, 'paise', inv());
    expect(table[1]![1]).toBe(first);
    expect(table.slice(1).map((r) => r[1] as number).every((d) => d > first - 1 && d < first + 100)).toBe(true);
  });

  it('cells never ask Excel: they use the system the pane last handed over, and follow a new one after Refresh', async () => {
    const order: string[] = [];
    t = useRuntime(p.sandbox, { recalc: async () => void order.push('recalculate') });
    const id = p.termAccounts[0]!;
    const before = (await CREGO.outstanding(id, 'next_due_date', 0, inv()))[0]![0] as number;
    expect(before).toBeGreaterThan(45000); // nothing handed over yet: Excel's default, 1900
    expect(t.runtime.status().dateSystem).toBeNull();
    expect(t.runtime.setDateSystem(1900)).toBe(false); // the same serials: nothing to recalculate
    expect(t.runtime.setDateSystem(1904)).toBe(true); // the cells' dates change: the caller recalculates
    await t.runtime.refresh();
    expect(order).toEqual(['recalculate']);
    expect((await CREGO.outstanding(id, 'next_due_date', 0, inv()))[0]![0]).toBe(before - OFFSET);
    expect(t.runtime.status().dateSystem).toBe(1904);
    expect(t.runtime.setDateSystem(null)).toBe(true); // Excel would not say: back to the default
    expect((await CREGO.outstanding(id, 'next_due_date', 0, inv()))[0]![0]).toBe(before);
  });
});

describe('one-object functions', () => {
  it('OUTSTANDING gives one field or the field/value table, as of a date', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const o = await api.call('emis.outstanding', { query: { account: id } });
    expect(await CREGO.outstanding(id, 'total_outstanding', 0, inv())).toEqual([[roundMoney(o.total_outstanding!)]]);
    const table = await CREGO.outstanding(id, '', 0, inv());
    expect(table.map((r) => r[0])).toEqual(CATALOG.OUTSTANDING!.map((s) => s.name));
    expect(table.find((r) => r[0] === 'as_of_date')![1]).toBe(epochToExcelSerial(o.as_of_date!));
  });

  it('LOANPARAMS shows a single-slab rate as a number and takes names beyond the catalogue', async () => {
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const params = await api.call('accounts.loan_params', { path: { id } });
    const slabs = params.roi_value as Array<{ value: number }>;
    expect(await CREGO.loanParams(id, 'roi_value', inv())).toEqual([[slabs.length === 1 ? slabs[0]!.value : expect.any(String)]]);
    expect(await CREGO.loanParams(id, 'interest_type', inv())).toEqual([[params.interest_type]]);
    expect(await CREGO.loanParams(id, 'tenure_starts_at', inv())).toEqual([[params.tenure_starts_at]]);
    expect(await errorOf(CREGO.loanParams(id, 'colour', inv()))).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('CREGO.FIELDS("LOANPARAMS")') });
    expect(await errorOf(CREGO.loanParams(id, 'constructor', inv()))).toMatchObject({ code: '#VALUE!' });
  });

  it('LINE gives a credit line’s limit figures and refuses a term loan with Crego’s reason', async () => {
    t = useRuntime(p.sandbox);
    const id = p.creditLines[0]!;
    const l = await api.call('accounts.refresh_limit', { path: { id } });
    expect(await CREGO.line(id, 'available_amount', inv())).toEqual([[roundMoney(l.available_amount!)]]);
    expect((await CREGO.line(id, '', inv())).map((r) => r[0])).toEqual(CATALOG.LINE!.map((s) => s.name));
    const err = await errorOf(CREGO.line(p.termAccounts[0]!, 'available_amount', inv()));
    expect(err.code).toBe('#VALUE!');
    expect(err.message).toContain('credit line');
  });
});

describe('FIELDS', () => {
  it('lists every function’s fields with descriptions, all or one function', () => {
    const all = CREGO.fields('');
    expect(all[0]).toEqual(['function', 'field', 'description']);
    expect(all).toHaveLength(1 + Object.values(CATALOG).reduce((n, specs) => n + specs.length, 0));
    const summary = CREGO.fields('summary');
    expect(summary.slice(1).map((r) => r[1])).toEqual([...SUMMARY_FIELDS]);
    expect(summary.slice(1).every((r) => typeof r[2] === 'string' && (r[2] as string).length > 5)).toBe(true);
  });

  it('says which names it knows when given another', () => {
    try {
      CREGO.fields('PRICES');
      throw new Error('no error');
    } catch (error) {
      expect(error).toMatchObject({ code: '#VALUE!', message: expect.stringContaining('SUMMARY, OUTSTANDING') });
    }
  });
});
