/**
 * Dates in and out of cells as Excel hands them over (audit findings 14 and 19), against the sandbox
 * over real HTTP. Only Office's requirement check is faked: the host says whether it takes data
 * types from custom functions (CustomFunctionsRuntime 1.4).
 */
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import type { CregoHttpClient } from '../../src/api/client';
import { epochToExcelDateTime, epochToExcelSerial, isoDateToExcelSerial } from '../../src/api/dates';
import { CATALOG } from '../../src/functions/catalog';
import * as CREGO from '../../src/functions/functions';
import { invocation } from './custom-functions-stub';
import { sharePortfolio, useRuntime, type Portfolio, type TestRuntime } from './helpers';

let p: Portfolio;
let api: CregoHttpClient;
let t: TestRuntime;
const g = globalThis as { Office?: unknown };

sharePortfolio((portfolio, client) => ([p, api] = [portfolio, client]));
afterEach(() => {
  t?.runtime.disconnect();
  delete g.Office;
});

/** An Excel that has CustomFunctionsRuntime up to `version`. */
function excelWith(version: number): void {
  g.Office = { context: { requirements: { isSetSupported: (set: string, v: string) => set === 'CustomFunctionsRuntime' && Number(v) <= version } } };
}

const column = (table: unknown[][], name: string) => table.slice(1).map((row) => row[table[0]!.indexOf(name)]);

describe('date results (finding 14)', () => {
  it('where Excel takes data types, a date is a DoubleCellValue formatted dd-mmm-yyyy, its value the serial', async () => {
    excelWith(1.4);
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const emis = await api.listAll('emis.list', { query: { account: id }, pageSize: 500 });
    const table = await CREGO.emis(id, invocation());
    expect(column(table, 'due_date')).toEqual(emis.map((e) => ({ type: 'Double', basicValue: epochToExcelSerial(e.due_date as number), numberFormat: 'dd-mmm-yyyy' })));
    // Money and counts stay plain numbers.
    expect(column(table, 'dpd').every((v) => typeof v === 'number')).toBe(true);
    // One field, and the field/value table, carry the same formatted date.
    const owed = await api.call('emis.outstanding', { query: { account: id }, cache: 'bypass' });
    const asOf = { type: 'Double', basicValue: epochToExcelSerial(owed.as_of_date as number), numberFormat: 'dd-mmm-yyyy' };
    expect(await CREGO.outstanding(id, 'as_of_date', 0, invocation())).toEqual([[asOf]]);
    const byName = Object.fromEntries((await CREGO.outstanding(id, '', 0, invocation())).map(([name, value]) => [name, value]));
    expect(byName.as_of_date).toEqual(asOf);
    expect(typeof byName.total_due).toBe('number');
  });

  it('an instant keeps its time of day: dd-mmm-yyyy hh:mm', async () => {
    excelWith(1.5);
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const records = await api.listAll('records.list', { query: { account: id }, pageSize: 500 });
    const settled = records.find((r) => typeof r.settled_at === 'number');
    expect(settled).toBeDefined();
    const table = await CREGO.records(id, 0, 0, invocation());
    expect(column(table, 'settled_at')).toContainEqual({ type: 'Double', basicValue: epochToExcelDateTime(settled!.settled_at as number), numberFormat: 'dd-mmm-yyyy hh:mm' });
  });

  it('older Excel (CustomFunctionsRuntime 1.3) and the CLI get the bare serial', async () => {
    excelWith(1.3);
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const dueDates = column(await CREGO.emis(id, invocation()), 'due_date');
    expect(dueDates.every((v) => typeof v === 'number')).toBe(true);
    delete g.Office;
    expect(column(await CREGO.emis(id, invocation()), 'due_date')).toEqual(dueDates);
  });
});

describe('date arguments (finding 19)', () => {
  it('every date parameter is `any` in functions.json, so Excel hands YYYY-MM-DD text over as typed', async () => {
    const meta = JSON.parse((await generateCustomFunctionsMetadata(['src/functions/functions.ts'], false)).metadataJson) as { functions: { id: string; parameters: { name: string; type?: string }[] }[] };
    const dateParams = meta.functions.flatMap((f) => f.parameters.filter((q) => /Date$/.test(q.name)).map((q) => `${f.id}.${q.name}:${q.type}`));
    expect(dateParams).toEqual([
      'SUMMARY.asOfDate:any',
      'EMI.startDate:any',
      'EMI.firstDueDate:any',
      'SCHEDULE.startDate:any',
      'SCHEDULE.firstDueDate:any',
      'OUTSTANDING.asOfDate:any',
      'RECORDS.fromDate:any',
      'RECORDS.toDate:any',
      'PORTFOLIO.asOfDate:any',
      'ROLLRATES.fromDate:any',
      'ROLLRATES.toDate:any',
    ]);
  });

  it('ISO text, a serial and a date another CREGO cell shows (a DoubleCellValue) name the same day', async () => {
    excelWith(1.4);
    t = useRuntime(p.sandbox);
    const id = p.termAccounts[0]!;
    const all = await CREGO.records(id, 0, 0, invocation());
    const days = column(all, 'date') as { basicValue: number }[];
    const from = days.map((d) => d.basicValue).sort((a, b) => a - b)[1]!;
    const iso = new Date(Date.UTC(1899, 11, 30) + from * 86_400_000).toISOString().slice(0, 10);
    expect(isoDateToExcelSerial(iso)).toBe(from);
    const bySerial = await CREGO.records(id, from, 0, invocation());
    expect(await CREGO.records(id, iso, 0, invocation())).toEqual(bySerial);
    expect(await CREGO.records(id, { type: 'Double', basicValue: from, numberFormat: 'dd-mmm-yyyy' }, 0, invocation())).toEqual(bySerial);
    expect(bySerial.length).toBeLessThan(all.length);
    expect(CATALOG.RECORDS![0]!.name).toBe('date');
  });
});
