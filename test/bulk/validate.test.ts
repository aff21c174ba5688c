import { describe, expect, it } from 'vitest';
import { excelSerialToEpoch, isoDateToEpoch, isoDateToExcelSerial } from '../../src/api/dates';
import {
  DuplicateFinder, KINDS, locateLayout, pushSheet, RESULT_HEADERS, SheetError, stampText, templateRows, type CellValue,
} from '../../src/bulk';

const ACC = '860bd919-1070-43b9-9099-699235217ac0';
const ACC2 = '4f1c2e9a-0b7d-4c1e-9f0a-2b3c4d5e6f70';
const TODAY = isoDateToExcelSerial('2024-03-31')!;
const RECORD_HEADERS = ['Account', 'Type', 'Amount', 'Date', 'Payment mode', 'UTR', 'TDS amount', 'Bank date', 'Remark'];

/** A valid records row; `patch` overrides cells by header. */
function rec(patch: Record<string, CellValue> = {}, utr = 'HDFCN52024010512'): CellValue[] {
  const base: Record<string, CellValue> = {
    Account: ACC, Type: 'repayment', Amount: 26586.26, Date: '2024-01-05', 'Payment mode': 'neft', UTR: utr,
    'TDS amount': null, 'Bank date': null, Remark: null,
  };
  const row = { ...base, ...patch };
  return RECORD_HEADERS.map((h) => row[h]);
}

async function dry(kind: keyof typeof KINDS, rows: CellValue[][], headers: CellValue[] = RECORD_HEADERS) {
  return pushSheet({ kind: KINDS[kind], values: [headers, ...rows], dryRun: true, todaySerial: TODAY });
}

/** The messages a person sees for one bad records row. */
async function problemsOf(patch: Record<string, CellValue>, utr?: string): Promise<string[]> {
  const report = await dry('records', [rec(patch, utr)]);
  return report.problems.flatMap((p) => p.message.split(' | '));
}

describe('bulk validation: amounts', () => {
  it('caps amounts at ₹1,00,00,00,00,000 and refuses figures a double cannot hold to the paisa', async () => {
    expect((await dry('records', [rec({ Amount: 100_000_000_000 })])).counts.ready).toBe(1);
    expect(await problemsOf({ Amount: 100_000_000_000.01 })).toEqual([
      'Row 2, Amount: 100000000000.01 is more than ₹1,00,00,00,00,000, the largest amount a push accepts; check the figure (a digit too many?)',
    ]);
    // 2^53 + 1 is 9007199254740993: read as a double it is …992, so it was never going to be sent as typed.
    expect(await problemsOf({ Amount: '9007199254740993' })).toEqual([
      'Row 2, Amount: "9007199254740993" has more digits than an amount can hold exactly (it would be sent as 9007199254740992); check the figure',
    ]);
  });

  it('reports every problem of a row at once, the cross-field ones too', async () => {
    expect(await problemsOf({ Amount: 'abc', 'Payment mode': 'neft' }, 'HDFC123')).toEqual([
      'Row 2, Amount: "abc" is not a number; type digits with an optional decimal point, e.g. 120000.50',
      'Row 2, UTR: "HDFC123" is not a NEFT UTR (16 or 22 letters and digits, starting with the 4-letter bank code); check the bank reference',
    ]);
  });

  it('keeps a remark\'s leading TAB or line break (trimming it would make \\t=1+1 a formula), and still trims references', async () => {
    const { checkRow } = await import('../../src/bulk/validate');
    const layout = locateLayout(KINDS.records, [RECORD_HEADERS]);
    const check = checkRow(KINDS.records, layout, rec({ Remark: '\t=1+1' }, ' HDFCN52024010512 '), 2, TODAY);
    expect(check.item).toMatchObject({ remark: '\t=1+1', utr: 'HDFCN52024010512' });
    expect(checkRow(KINDS.records, layout, rec({ Remark: '\r\n-2 ' }), 2, TODAY).item?.remark).toBe('\r\n-2');
  });

  it('names the row, the column and the fix for text that is not a number', async () => {
    expect(await problemsOf({ Amount: '1,20,000.5x' })).toEqual([
      'Row 2, Amount: "1,20,000.5x" is not a number; type digits with an optional decimal point, e.g. 120000.50',
    ]);
  });

  it('reads Indian and Western grouping, a rupee sign and Rs.', async () => {
    for (const text of ['₹1,20,000.50', '120,000.50', 'Rs. 120000.5', ' 120000.50 ']) {
      const report = await dry('records', [rec({ Amount: text })]);
      expect(report.counts.ready, text).toBe(1);
    }
  });

  it('refuses commas that are not thousands grouping instead of reading 12,50 as 1250', async () => {
    for (const text of ['12,50', '1,2345', '100,00', '12,345,67']) {
      expect(await problemsOf({ Amount: text }), text).toEqual([
        `Row 2, Amount: "${text}" has commas in the wrong places; group thousands as 1,20,000.50 or 120,000.50, or leave the commas out`,
      ]);
    }
    for (const text of ['1,00,00,000', '1,000,000.25', '1,000']) expect((await dry('records', [rec({ Amount: text })])).counts.ready, text).toBe(1);
  });

  it('refuses zero, negative amounts and more than 2 decimals', async () => {
    expect(await problemsOf({ Amount: 0 })).toEqual(['Row 2, Amount: 0 must be more than zero; type the amount without a minus sign']);
    expect(await problemsOf({ Amount: '-500' })).toEqual(['Row 2, Amount: "-500" must be more than zero; type the amount without a minus sign']);
    expect(await problemsOf({ Amount: 100.005 })).toEqual(['Row 2, Amount: 100.005 has more than 2 decimals; round it to paise, e.g. 100.01']);
    expect(await problemsOf({ Amount: true })).toEqual(['Row 2, Amount: TRUE is not a number; type the amount in rupees, e.g. 120000.50']);
  });

  it('accepts a zero TDS but not a negative one', async () => {
    expect((await dry('records', [rec({ 'TDS amount': 0 })])).counts.ready).toBe(1);
    expect(await problemsOf({ 'TDS amount': -1 })).toEqual(['Row 2, TDS amount: -1 must be zero or more; type the amount without a minus sign']);
  });
});

describe('bulk validation: dates (Asia/Kolkata business dates)', () => {
  it('accepts a serial date, ISO text, 5-Jan-2024 and a Date object alike', async () => {
    const serial = isoDateToExcelSerial('2024-01-05')!;
    for (const d of [serial, serial + 0.75, '2024-01-05', '5-Jan-2024', '05 January 2024', new Date(Date.UTC(2024, 0, 5))]) {
      const report = await dry('records', [rec({ Date: d })]);
      expect(report.counts.ready, String(d)).toBe(1);
    }
  });

  it('refuses ambiguous day/month text instead of guessing', async () => {
    expect(await problemsOf({ Date: '05/01/2024' })).toEqual([
      'Row 2, Date: "05/01/2024" is ambiguous (day/month or month/day?); use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05',
    ]);
  });

  it('refuses dates that do not exist, are out of range, or are not dates', async () => {
    expect(await problemsOf({ Date: '2024-02-30' })).toEqual([
      'Row 2, Date: "2024-02-30" is not a valid date; use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05',
    ]);
    expect(await problemsOf({ Date: 12 })).toEqual(['Row 2, Date: 12 is outside 2000–2099; use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05']);
    expect(await problemsOf({ Date: true })).toEqual(['Row 2, Date: TRUE is not a date; use a date cell or type it as YYYY-MM-DD, e.g. 2024-01-05']);
  });

  it('refuses a payment date after today in India, but lets a topup be scheduled ahead', async () => {
    expect(await problemsOf({ Date: '2024-04-01' })).toEqual([
      'Row 2, Date: 2024-04-01 is in the future (today is 2024-03-31 in India); use the date the money actually moved',
    ]);
    expect(await problemsOf({ 'Bank date': '2024-04-01' })).toEqual([
      'Row 2, Bank date: 2024-04-01 is in the future (today is 2024-03-31 in India); use the date the money actually moved',
    ]);
    const topup = await dry('topups', [[ACC, 1000, '2024-04-15', 30, null, 'T-1', null]], ['Account', 'Amount', 'Date', 'Tenure days', 'Invoice no', 'Reference', 'Remark']);
    expect(topup.counts.ready).toBe(1);
  });
});

describe('bulk validation: allowed values, formats, required cells', () => {
  it('matches allowed values whatever their case, and lists them when wrong', async () => {
    expect((await dry('records', [rec({ Type: 'Repayment', 'Payment mode': 'NEFT' })])).counts.ready).toBe(1);
    expect(await problemsOf({ 'Payment mode': 'wire' })).toEqual([
      'Row 2, Payment mode: "wire" is not allowed; use one of neft, rtgs, imps, upi, nach, cheque, cash',
    ]);
  });

  it('says which required cell is empty and what goes there', async () => {
    expect(await problemsOf({ Type: null })).toEqual(['Row 2, Type: is empty; pick one of repayment, receipt']);
    expect(await problemsOf({ Amount: '  ' })).toEqual(['Row 2, Amount: is empty; fill it in (Rupees received, at most 2 decimals (e.g. 26586.26))']);
  });

  it('checks the account id', async () => {
    expect(await problemsOf({ Account: 'LN-00012' })).toEqual([
      'Row 2, Account: "LN-00012" is not a Crego account id; copy the id (like 860bd919-1070-43b9-9099-699235217ac0) from Crego',
    ]);
  });

  it('checks the UTR against the payment mode (India formats)', async () => {
    expect(await problemsOf({ 'Payment mode': 'upi' }, '12345')).toEqual(['Row 2, UTR: "12345" is not a UPI reference (12 digits); check the bank reference']);
    expect(await problemsOf({ 'Payment mode': 'rtgs' }, 'HDFCN52024010512')).toEqual([
      'Row 2, UTR: "HDFCN52024010512" is not a RTGS UTR (22 letters and digits, starting with the 4-letter bank code); check the bank reference',
    ]);
    expect(await problemsOf({ 'Payment mode': 'neft' }, '1234N52024010512')).toEqual([
      'Row 2, UTR: "1234N52024010512" is not a NEFT UTR (16 or 22 letters and digits, starting with the 4-letter bank code); check the bank reference',
    ]);
    expect(await problemsOf({ 'Payment mode': 'cheque' }, '12345')).toEqual(['Row 2, UTR: "12345" is not a cheque number (6 digits); check the bank reference']);
    expect((await dry('records', [rec({ 'Payment mode': 'imps' }, 123456789012 as unknown as string)])).counts.ready).toBe(1);
    expect((await dry('records', [rec({ 'Payment mode': 'rtgs' }, 'HDFCR52024010512345678')])).counts.ready).toBe(1);
  });

  it('refuses a reference with spaces, one Excel has rounded, and an Excel error value', async () => {
    expect(await problemsOf({ 'Payment mode': 'cash' }, 'RCPT 12')).toEqual([
      'Row 2, UTR: "RCPT 12" may hold only letters, digits and - _ / . (no spaces); type the reference exactly as the bank gives it',
    ]);
    expect(await problemsOf({ 'Payment mode': 'cash' }, 1.2345678901234568e21 as unknown as string)).toEqual([
      'Row 2, UTR: 1.2345678901234568e+21 was turned into a rounded number by Excel; format the column as Text and type it again',
    ]);
    expect(await problemsOf({ Remark: '#N/A' })).toEqual(['Row 2, Remark: the cell shows the Excel error #N/A; fix the formula or type the value']);
    expect(await problemsOf({ Amount: '#DIV/0!', Date: '#VALUE!' })).toEqual([
      'Row 2, Amount: the cell shows the Excel error #DIV/0!; fix the formula or type the value',
      'Row 2, Date: the cell shows the Excel error #VALUE!; fix the formula or type the value',
    ]);
  });

  it('limits text length', async () => {
    expect(await problemsOf({ Remark: 'x'.repeat(256) })).toEqual(['Row 2, Remark: is 256 characters long; shorten it to at most 255']);
  });

  it('reports every problem of a row, not just the first', async () => {
    expect(await problemsOf({ Amount: 'abc', Type: 'refund' })).toHaveLength(2);
  });
});

describe('bulk validation: fees and topups', () => {
  const FEE_HEADERS = ['Account', 'Fee type', 'Amount', 'Date', 'Due date', 'GST applicable', 'Reference', 'Remark'];
  const TOPUP_HEADERS = ['Account', 'Amount', 'Date', 'Tenure days', 'Invoice no', 'Reference', 'Remark'];

  it('reads TRUE/FALSE, yes/no and defaults GST to TRUE', async () => {
    const report = await dry('fees', [
      [ACC, 'late_fee', 500, '2024-01-05', null, 'no', 'F-1', null],
      [ACC, 'Late fee', 500, '2024-01-05', null, null, 'F-2', null],
      [ACC, 'late_fee', 500, '2024-01-05', null, 'maybe', 'F-3', null],
    ], FEE_HEADERS);
    expect(report.counts.ready).toBe(2);
    expect(report.problems.map((p) => p.message)).toEqual(['Row 4, GST applicable: "maybe" is not TRUE or FALSE; pick TRUE or FALSE (yes/no also work)']);
  });

  it('refuses a fee due before it is levied', async () => {
    const report = await dry('fees', [[ACC, 'late_fee', 500, '2024-01-05', '2024-01-01', true, 'F-1', null]], FEE_HEADERS);
    expect(report.problems.map((p) => p.message)).toEqual(['Row 2, Due date: is before Date; a fee cannot fall due before it is levied']);
  });

  it('checks tenure as a whole number in range', async () => {
    const report = await dry('topups', [
      [ACC, 1000, '2024-01-05', 1.5, null, 'T-1', null],
      [ACC, 1000, '2024-01-05', 0, null, 'T-2', null],
      [ACC, 1000, '2024-01-05', 'ninety', null, 'T-3', null],
      [ACC, 1000, '2024-01-05', '90', null, 'T-4', null],
    ], TOPUP_HEADERS);
    expect(report.problems.map((p) => p.message)).toEqual([
      'Row 2, Tenure days: 1.5 is not a whole number; type digits only, e.g. 2',
      'Row 3, Tenure days: 0 is out of range; use a whole number from 1 to 3650',
      'Row 4, Tenure days: "ninety" is not a whole number; type digits only, e.g. 90',
    ]);
    expect(report.counts.ready).toBe(1);
  });

  it('lets the reference be blank for fees and topups (a key is generated when pushing)', async () => {
    const report = await dry('topups', [[ACC, 1000, '2024-01-05', 30, null, null, null]], TOPUP_HEADERS);
    expect(report.counts.ready).toBe(1);
  });

  it('refuses the same fee twice without a reference (pasted twice), naming the first row', async () => {
    const fee = [ACC, 'late_fee', 500, '2024-01-05', null, true, null, null];
    const report = await dry('fees', [fee, [...fee.slice(0, 2), 501, ...fee.slice(3)], fee], FEE_HEADERS);
    expect(report.counts).toMatchObject({ ready: 2, invalid: 1 });
    expect(report.problems.map((p) => p.message)).toEqual([
      'Row 4, Reference: the same fee as row 2 (every cell alike, same account) and no Reference; if both are real, type a different Reference in each, else delete the repeat.',
    ]);
  });
});

describe('bulk validation: the sheet as a whole', () => {
  it('refuses a key repeated on the same account inside the sheet, naming the first row', async () => {
    const report = await dry('records', [rec(), rec({ Account: ACC2 }), rec({ Amount: 10 })]);
    expect(report.counts).toMatchObject({ ready: 2, invalid: 1 });
    expect(report.problems.map((p) => p.message)).toEqual([
      'Row 4, UTR: "HDFCN52024010512" repeats row 2 for the same account; each record needs its own UTR. Delete the repeat or correct the reference.',
    ]);
  });

  it('skips blank rows without calling them errors, and counts only data rows', async () => {
    const report = await dry('records', [rec(), [null, '', '  ', null, null, null, null, null, null], [], rec({}, 'HDFCN52024010599')]);
    expect(report.counts).toMatchObject({ rows: 2, ready: 2, invalid: 0 });
    expect(report.results[2]).toBeNull();
    expect(report.results[3]).toBeNull();
  });

  it('puts the result columns right of every used column and never returns a user cell', async () => {
    const headers = [...RECORD_HEADERS, 'My notes'];
    const rows = [[...rec(), 'call back'], [...rec({ Amount: 'x' }, 'HDFCN52024010599'), null, null, 'stray note']];
    const report = await dry('records', rows, headers);
    expect(report.layout.resultColumn).toBe(12);
    expect(report.results[0]).toEqual([...RESULT_HEADERS]);
    expect(report.results[1]?.[0]).toBe('ready');
    expect(report.results[2]?.[0]).toBe('invalid');
    expect(report.results[2]?.[2]).toContain('Row 3, Amount: "x" is not a number');
  });

  it('finds the headers by API field name too (a CSV export), and below a stamp', async () => {
    const csv = [['account', 'type', 'amount', 'date', 'payment_mode', 'utr'], [ACC, 'receipt', '500', '2024-01-05', 'cash', 'R-1']];
    expect((await pushSheet({ kind: KINDS.records, values: csv, dryRun: true, todaySerial: TODAY })).counts.ready).toBe(1);
    const layout = locateLayout(KINDS.records, templateRows(KINDS.records));
    expect(layout).toMatchObject({ headerIndex: 1, version: 1, resultColumn: 9, resultColumnsPresent: true });
  });

  it('refuses two columns with the same header, naming both', () => {
    expect(() => locateLayout(KINDS.records, [[...RECORD_HEADERS, 'Collector', 'amount']])).toThrow(
      'Columns C and K (row 1) are both Amount; rename or delete one of them, so the push knows which one to send.',
    );
  });

  it('says which columns are missing when the sheet is not of this kind', async () => {
    const fees = [['Account', 'Fee type', 'Amount', 'Date']];
    expect(() => locateLayout(KINDS.records, fees)).toThrow(SheetError);
    expect(() => locateLayout(KINDS.records, fees)).toThrow(/no header row with Type, Payment mode, UTR/);
    expect(() => locateLayout(KINDS.fees, templateRows(KINDS.records))).toThrow('This sheet is a records template, not fees; push it as records.');
    expect(() => locateLayout(KINDS.records, [[stampText(KINDS.records).replace('v1', 'v9')], RECORD_HEADERS])).toThrow(/newer Crego template \(v9\)/);
  });

  it('never sends the example row while its Status says example, as its note says; typed over, it says so, and goes once the Status is cleared', async () => {
    const values = templateRows(KINDS.records);
    expect((await pushSheet({ kind: KINDS.records, values, dryRun: true, todaySerial: TODAY })).counts.rows).toBe(0);
    const edited = values.map((r) => [...r]);
    edited[2][2] = 999; // Amount
    const typedOver = await pushSheet({ kind: KINDS.records, values: edited, dryRun: true, todaySerial: TODAY });
    expect(typedOver.counts).toMatchObject({ rows: 0, ready: 0 });
    expect(typedOver.results[2]?.slice(0, 3)).toEqual(['example', '', 'Not sent: this row was typed over, but its Status still says example. Clear the Status cell to send it.']);
    const statusAt = KINDS.records.columns.length;
    edited[2][statusAt] = '';
    const cleared = await pushSheet({ kind: KINDS.records, values: edited, dryRun: true, todaySerial: TODAY });
    expect(cleared.counts.ready).toBe(1);
  });

  it('skips posted rows and still counts their keys as taken', async () => {
    const posted = [...rec(), 'posted', 'rec-1', 'Created', '2024-01-05 10:00 IST', 'B1', 'HDFCN52024010512'];
    const report = await dry('records', [posted, rec({ Amount: 1 })], [...RECORD_HEADERS, ...RESULT_HEADERS]);
    expect(report.counts).toMatchObject({ skipped: 1, invalid: 1, ready: 0 });
    expect(report.results[1]).toBeNull();
  });

  it('a posted Status next to another UTR (rows sorted without their result columns) is neither skipped nor sent', async () => {
    const results = (utr: string) => ['posted', 'rec-1', 'Created', '2024-01-05 10:00 IST', 'B1', utr];
    const moved = [...rec({}, 'HDFCN52024010577'), ...results('HDFCN52024010512')];
    const report = await dry('records', [moved, [...rec({}, 'HDFCN52024010512'), ...results('hdfcn52024010512')]], [...RECORD_HEADERS, ...RESULT_HEADERS]);
    expect(report.counts).toMatchObject({ skipped: 1, invalid: 1, ready: 0 });
    expect(report.results[1]?.slice(0, 2)).toEqual(['posted', 'rec-1']); // the Status stays: the record may well exist
    expect(report.problems).toEqual([{
      row: 2, status: 'invalid',
      message: 'Row 2, UTR: "HDFCN52024010577" is not the UTR this row was posted with (HDFCN52024010512, Crego id rec-1). ' +
        'The result cells may belong to another row (sorted or inserted without them?) or the reference was changed after posting. ' +
        'Check both in Crego, then correct this row or clear its result cells to send it.',
    }]);
  });

  it('a posted cheque whose Key cell Excel turned into a number (000123 → 123) still counts as posted', async () => {
    const cheque = rec({ 'Payment mode': 'cheque' }, '000123');
    const report = await dry('records', [[...cheque, 'posted', 'rec-1', 'Created', '2024-01-05 10:00 IST', 'B1', 123]], [...RECORD_HEADERS, ...RESULT_HEADERS]);
    expect(report.counts).toMatchObject({ skipped: 1, invalid: 0 });
    expect(report.problems).toEqual([]);
  });

  it('sends the API values: paise-exact amounts and end-of-day IST epoch dates', async () => {
    const { checkRow } = await import('../../src/bulk/validate');
    const layout = locateLayout(KINDS.records, [RECORD_HEADERS]);
    const check = checkRow(KINDS.records, layout, rec({ Amount: '₹1,20,000.50', Date: 45296, 'Bank date': '2024-01-06', 'TDS amount': '0.1' }), 2, TODAY);
    expect(check.item).toEqual({
      account: ACC, type: 'repayment', amount: 120000.5, date: excelSerialToEpoch(45296), payment_mode: 'neft', utr: 'HDFCN52024010512',
      tds_amount: 0.1, bank_date: isoDateToEpoch('2024-01-06'),
    });
  });
});

describe('bulk validation: UTR scope (API profile utrScope)', () => {
  it('account (default): one UTR on two accounts is two payments; on one account twice, the repeat names the first row', () => {
    const dupes = new DuplicateFinder(KINDS.records);
    expect(dupes.claim(ACC, 'HDFCN52024010512', 4)).toBeNull();
    expect(dupes.claim(ACC2, 'HDFCN52024010512', 9)).toBeNull();
    expect(dupes.claim(ACC, 'hdfcn52024010512', 12)).toMatch(/^Row 12, UTR: .* repeats row 4 for the same account/);
  });

  it('tenant: the same UTR on another account is refused before sending, naming the first row and its account', () => {
    const dupes = new DuplicateFinder(KINDS.records, 'tenant');
    expect(dupes.claim(ACC, 'HDFCN52024010512', 4)).toBeNull();
    expect(dupes.claim(ACC2, 'HDFCN52024010512', 9)).toBe(
      `Row 9, UTR: "HDFCN52024010512" is already used by row 4 (account ${ACC}); Crego keeps a UTR unique across the whole tenant, so this row would be refused. Correct the UTR of one of them.`,
    );
    // A fee's reference stays per account whatever the UTR scope.
    const fees = new DuplicateFinder(KINDS.fees, 'tenant');
    expect(fees.claim(ACC, 'REF-1', 4)).toBeNull();
    expect(fees.claim(ACC2, 'REF-1', 5)).toBeNull();
  });
});
