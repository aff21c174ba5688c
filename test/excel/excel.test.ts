import { OfficeMockObject } from 'office-addin-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { blockAddress, cellAddress, columnIndex, columnLetter, parseCell, qualify } from '../../src/excel/address';
import { cellText, cellValue, rectangular } from '../../src/excel/cellValues';
import { addChart } from '../../src/excel/chart';
import { DATE_FORMAT, INR_FORMAT, setNumberFormat, styleHeader } from '../../src/excel/format';
import { appendLog, LOG_SHEET, readLog, stampToSerial } from '../../src/excel/log';
import { datesTo1900, firstSerialDate, readDateSystem, to1900Serial } from '../../src/excel/dateSystem';
import { excelSerialToIsoDate, isoDateToExcelSerial } from '../../src/api/dates';
import { clearMarks, INVALID_FILL, MARK_CHUNK_CELLS, markCells, NO_MARKS, setNotes } from '../../src/excel/marks';
import { listTables, readSheet, readTable } from '../../src/excel/read';
import { CREGO_CALL, recalc } from '../../src/excel/recalc';
import { describeOfficeError, excelRun } from '../../src/excel/run';
import { getSelection, goTo, insertFormulaAtSelection, ONE_AREA_MESSAGE, readSelectedFormula } from '../../src/excel/selection';
import { createTable, ensureSheet, freeSheetName, freeTableName, freezePanes, listSheets } from '../../src/excel/sheets';
import { inlineListSource, LISTS_SHEET, readListValidation, setListValidation } from '../../src/excel/validation';
import { formula, writeBlock, writeFormulas, writeRows } from '../../src/excel/write';
import { mockWorkbook } from './mock';

describe('addresses', () => {
  it('converts between indexes and A1', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(26)).toBe('AA');
    expect(columnLetter(16383)).toBe('XFD');
    expect(columnIndex('XFD')).toBe(16383);
    expect(cellAddress(13, 2)).toBe('C14');
    expect(blockAddress(1, 1, 9, 3)).toBe('B2:D10');
    expect(qualify('Crego Log', 'A1')).toBe("'Crego Log'!A1");
    expect(qualify('Sheet1', 'A1')).toBe('Sheet1!A1');
    // Names that read as a cell or an R1C1 reference are quoted, or the reference means another cell.
    expect(qualify('FY2025', 'A2:A9')).toBe("'FY2025'!A2:A9");
    expect(qualify('R2C3', 'A1')).toBe("'R2C3'!A1");
    expect(qualify("Bob's", 'A1')).toBe("'Bob''s'!A1");
    expect(parseCell("'Crego Records'!$C$14")).toEqual({ sheet: 'Crego Records', row: 13, col: 2 });
    expect(() => columnLetter(-1)).toThrow(/whole number/);
  });
});

describe('cell values', () => {
  it('never lets server text become a formula', () => {
    for (const text of ['=HYPERLINK("http://x","y")', '+91 98', '-1+2', '@SUM(A1)']) {
      expect(cellText(text)).toBe(`'${text}`);
    }
    expect(cellText('NEFT 123')).toBe('NEFT 123');
    expect(cellValue(12.5)).toBe(12.5);
    expect(cellValue(Number.NaN)).toBe('');
    expect(cellValue(null)).toBe('');
    expect(rectangular<number | string>([[1], [1, 2]], '')).toEqual([[1, ''], [1, 2]]);
  });
});

describe('reading', () => {
  it('reads the used range of a sheet and says when it is empty', async () => {
    const wb = mockWorkbook({
      sheets: { Data: { used: { row: 2, col: 1, values: [['Account', 'Amount'], ['AC1', 100]] } }, Empty: {} },
    });
    expect(await readSheet(wb.context, 'Data')).toEqual({ sheet: 'Data', row: 2, col: 1, values: [['Account', 'Amount'], ['AC1', 100]] });
    expect(await readSheet(wb.context, 'Empty')).toBeNull();
  });

  it('reads a large used range in row slices, one request each, in order', async () => {
    const values = Array.from({ length: 7 }, (_, i) => [`AC${i}`, i * 10, i % 2 === 0]);
    const wb = mockWorkbook({ sheets: { Big: { used: { row: 1, col: 2, values } } } });
    const block = await readSheet(wb.context, 'Big', { chunkCells: 9 });
    expect(block?.values).toEqual(values);
    expect(wb.ranges.map((r) => r.address)).toEqual(['C2:E4', 'C5:E7', 'C8:E8']);
    expect(wb.syncs()).toBe(4);
  });

  it('reads a table header and rows with its position, and null for an unknown table', async () => {
    const wb = mockWorkbook({
      sheets: { Records: {} },
      tables: { CregoRecords: { sheet: 'Records', row: 3, col: 0, values: [['Account', 'Amount'], ['AC1', 10], ['AC2', 20]] } },
    });
    const t = await readTable(wb.context, 'CregoRecords');
    expect(t).toEqual({ name: 'CregoRecords', sheet: 'Records', headers: ['Account', 'Amount'], row: 3, col: 0, rows: [['AC1', 10], ['AC2', 20]] });
    expect(await readTable(wb.context, 'Nope')).toBeNull();
    expect(await listTables(wb.context)).toEqual([{ name: 'CregoRecords', sheet: 'Records' }]);
  });
});

describe('writing', () => {
  it('writes a large block in row chunks, one sync per chunk, formula-looking text kept as text', async () => {
    const wb = mockWorkbook({ sheets: { Out: {} } });
    const rows = Array.from({ length: 5 }, (_, i) => [`R${i}`, i, i % 2 === 0, i === 3 ? '=cmd|calc' : 'ok']);
    const progress: number[] = [];
    const stats = await writeBlock(wb.context, 'Out', 1, 2, rows, { chunkCells: 8, onChunk: (n) => progress.push(n) });
    expect(stats).toEqual({ syncs: 3, cells: 20 });
    expect(wb.syncs()).toBe(3);
    expect(progress).toEqual([2, 4, 5]);
    expect(wb.ranges.map((r) => r.address)).toEqual(['C2:F3', 'C4:F5', 'C6:F6']);
    const cells = wb.written('Out');
    expect(cells.get('F5')).toBe("'=cmd|calc");
    expect(cells.get('D6')).toBe(4);
    await expect(writeBlock(wb.context, 'Out', 0, 0, [[1, 2], [3]])).rejects.toThrow(/Row 2 of the block has 1 cells, expected 2/);
  });

  it('merges scattered row updates into contiguous ranges in a single sync', async () => {
    const wb = mockWorkbook({ sheets: { Out: {} } });
    await writeRows(wb.context, 'Out', 5, [
      { row: 4, values: ['sending', 'B1'] },
      { row: 2, values: ['sending', 'B1'] },
      { row: 3, values: ['sending', '@evil'] },
      { row: 9, values: ['sending', 'B1'] },
    ]);
    expect(wb.syncs()).toBe(1);
    expect(wb.ranges.map((r) => r.address)).toEqual(['F3:G5', 'F10:G10']);
    expect(wb.written('Out').get('G4')).toBe("'@evil");
  });
});

describe('formulas', () => {
  it('writes only wrapped formulas as formulas; constants stay text', async () => {
    const wb = mockWorkbook({ sheets: { D: {} } });
    await writeFormulas(wb.context, 'D', 3, 9, [['Regular', formula('=SUMIF($H$5:$H$9,J4,$E$5:$E$9)')], ['=1+1', 5]]);
    expect(wb.ranges[0].address).toBe('J4:K5');
    expect(wb.ranges[0].m.formulas).toEqual([['Regular', '=SUMIF($H$5:$H$9,J4,$E$5:$E$9)'], ["'=1+1", 5]]);
    expect(() => formula('SUM(A1)')).toThrow(/starts with "="/);
  });
});

describe('sheets and tables', () => {
  it('lists sheet names', async () => {
    const wb = mockWorkbook({ sheets: { One: {}, Two: {} } });
    expect(await listSheets(wb.context)).toEqual(['One', 'Two']);
  });

  it('adds a sheet only when missing and finds free names', async () => {
    const wb = mockWorkbook({ sheets: { 'Crego Records': {} } });
    expect((await ensureSheet(wb.context, 'Crego Records')).created).toBe(false);
    expect((await ensureSheet(wb.context, 'Dashboard', { activate: true })).created).toBe(true);
    expect(wb.addedSheets).toEqual(['Dashboard']);
    expect(wb.activated).toEqual(['Dashboard']);
    expect(await freeSheetName(wb.context, 'Crego Records')).toBe('Crego Records (2)');
    expect(await freeSheetName(wb.context, 'Crego Fees')).toBe('Crego Fees');
  });

  it('creates a named, styled table over header + rows (one blank row when empty)', async () => {
    const wb = mockWorkbook({ sheets: { T: {} }, tables: { CregoFees: { sheet: 'T', row: 0, col: 0, values: [['a']] } } });
    expect(await freeTableName(wb.context, 'CregoFees')).toBe('CregoFees2');
    const made = await createTable(wb.context, { sheet: 'T', row: 2, col: 0, name: 'CregoFees2', headers: ['Account', 'Amount', 'Remark'], rows: [['AC1', 5, '=bad'], ['AC2', 6, '']] });
    expect(made).toEqual({ name: 'CregoFees2', address: 'A3:C5', firstDataRow: 3, dataRows: 2 });
    expect(wb.addedTables[0]).toMatchObject({ sheet: 'T', address: 'A3:C5', hasHeaders: true });
    expect(wb.addedTables[0].m.name).toBe('CregoFees2');
    expect(wb.addedTables[0].m.style).toBe('TableStyleMedium2');
    const cells = wb.written('T');
    expect(cells.get('B3')).toBe('Amount');
    expect(cells.get('C4')).toBe("'=bad");
    const empty = await createTable(wb.context, { sheet: 'T', row: 0, col: 5, name: 'X', headers: ['Only'] });
    expect(empty.address).toBe('F1:F2');
  });

  it('freezes header rows and columns', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    freezePanes(wb.context, 'T', 1);
    freezePanes(wb.context, 'T', 2, 1);
    freezePanes(wb.context, 'T', 0, 0);
    expect(wb.freezes).toEqual([
      { sheet: 'T', call: 'freezeRows', arg: 1 },
      { sheet: 'T', call: 'freezeAt', arg: 'A1:A2' },
      { sheet: 'T', call: 'unfreeze' },
    ]);
  });
});

describe('formats', () => {
  it('applies Indian rupee and date formats cell by cell, and header styling', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    setNumberFormat(wb.context, 'T', 1, 3, 2, 1, INR_FORMAT);
    setNumberFormat(wb.context, 'T', 1, 4, 2, 1, DATE_FORMAT);
    styleHeader(wb.context, 'T', 0, 0, 5);
    expect(INR_FORMAT).toBe('₹ #,##,##0.00');
    expect(wb.ranges[0].m.numberFormat).toEqual([[INR_FORMAT], [INR_FORMAT]]);
    expect(wb.ranges[1].m.numberFormat).toEqual([['dd-mmm-yyyy'], ['dd-mmm-yyyy']]);
    expect(wb.ranges[2].address).toBe('A1:E1');
    expect(wb.ranges[2].m.format.font.bold).toBe(true);
  });
});

describe('dropdowns', () => {
  it('uses an inline list when short, and a hidden lists sheet when the list is long', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    const short = await setListValidation(wb.context, 'T', { row: 1, col: 2, rows: 100 }, ['NEFT', 'RTGS', 'UPI'], 'Payment mode');
    expect(short.source).toBe('NEFT,RTGS,UPI');
    const target = wb.ranges.find((r) => r.address === 'C2:C101')!;
    expect(target.m.dataValidation.rule).toEqual({ list: { inCellDropDown: true, source: 'NEFT,RTGS,UPI' } });
    expect(target.m.dataValidation.errorAlert).toMatchObject({ title: 'Payment mode', message: 'Not an allowed value. Pick one of: NEFT, RTGS, UPI' });

    const many = Array.from({ length: 60 }, (_, i) => `ACCOUNT-${i}`);
    expect(inlineListSource(many)).toBeNull();
    const long = await setListValidation(wb.context, 'T', { row: 1, col: 0, rows: 10 }, many, 'Account');
    expect(long.source).toBe("='Crego Lists'!$A$2:$A$61");
    expect(wb.addedSheets).toEqual([LISTS_SHEET]);
    const listCells = wb.written(LISTS_SHEET);
    expect(listCells.get('A1')).toBe('Account');
    expect(listCells.get('A61')).toBe('ACCOUNT-59');
  });

  it('reads back the values a dropdown offers', async () => {
    const wb = mockWorkbook({ sheets: { T: { validation: { B2: { type: 'List', source: 'NEFT, RTGS' } } } } });
    expect(await readListValidation(wb.context, 'T', 'B2')).toEqual(['NEFT', 'RTGS']);
    expect(await readListValidation(wb.context, 'T', 'C2')).toBeNull();
  });
});

describe('marks on invalid cells', () => {
  /** What the code did to a range's fill: 'cleared', the colour it assigned, or null (untouched; an unassigned mock property reads as an error text). */
  const fillWritten = (r: { m: any }): string | null =>
    r.m.format.fill.cleared ? 'cleared' : /^#[0-9A-F]{6}$/i.test(r.m.format.fill.color) ? r.m.format.fill.color : null;

  it('marks and clears 5,000 bad cells in requests of at most 500 cells each (Excel on the web refuses a request over 5 MB)', async () => {
    const rows = 5000;
    const wb = mockWorkbook({ sheets: { T: {} } });
    const marks = Array.from({ length: rows }, (_, i) => ({ row: 2 + i, col: 3, message: `Row ${i + 3}, Date: "x" is not a date; type YYYY-MM-DD` }));
    const memory = await markCells(wb.context, 'T', marks, { notes: true });
    expect(memory.cells).toHaveLength(rows);
    expect(wb.addedNotes).toHaveLength(rows);
    expect(Math.max(...wb.opsPerSync)).toBeLessThanOrEqual(MARK_CHUNK_CELLS);
    expect(wb.syncs()).toBeGreaterThanOrEqual((3 * rows) / MARK_CHUNK_CELLS);
  }, 60_000);

  it('highlights cells, adds notes (joining messages per cell) and replaces an existing note', async () => {
    const wb = mockWorkbook({ sheets: { T: { notes: { C5: 'old' } } } });
    const marked = await markCells(
      wb.context,
      'T',
      [
        { row: 3, col: 1, message: 'Row 3, Amount: "x" is not a number' },
        { row: 3, col: 1, message: 'Row 3, Amount: required' },
        { row: 4, col: 2, message: 'Row 4, Date: in the future' },
      ],
      { notes: true },
    );
    expect(marked.cells).toEqual(['B4', 'C5']);
    expect(wb.ranges.filter((r) => r.m.format.fill.color === INVALID_FILL).map((r) => r.address)).toEqual(['B4', 'C5']);
    expect(marked.fills.size).toBe(0); // neither cell had a fill of its own
    expect(wb.addedNotes).toEqual([{ sheet: 'T', address: 'B4', content: 'Row 3, Amount: "x" is not a number\nRow 3, Amount: required' }]);
    expect(wb.noteMocks['T!C5'].content).toBe('Row 4, Date: in the future');
  });

  it('remembers a fill of the user that a mark covers', async () => {
    const wb = mockWorkbook({ sheets: { T: { fills: { B4: '#FFFF00', C5: '#FFFFFF' } } } });
    const marked = await markCells(wb.context, 'T', [{ row: 3, col: 1, message: 'a' }, { row: 4, col: 2, message: 'b' }], { notes: false });
    expect(marked.fills).toEqual(new Map([['B4', '#FFFF00']]));
    expect(wb.ranges.filter((r) => r.m.format.fill.color === INVALID_FILL).map((r) => r.address)).toEqual(['B4', 'C5']);
  });

  it('clears only cells in the mark colour (the user’s own fills stay), puts back covered fills, deletes its notes', async () => {
    const wb = mockWorkbook({
      sheets: { T: { notes: { B4: 'x' }, fills: { A3: '#FFFF00', B4: '#fde7e9', C5: '#FDE7E9', D6: '#FDE7E8', B7: '#FDE7E9' } } },
    });
    const memory = { cells: ['B4', 'C5'], fills: new Map([['C5', '#FFFF00']]) };
    const cleared = await clearMarks(wb.context, 'T', { row: 1, col: 0, rows: 10, cols: 4 }, memory, { notes: true, scanCells: 12 });
    // B7 carries the mark colour after a pane reload forgot it: still the add-in's, still cleared.
    expect(cleared).toEqual(['B4', 'C5', 'B7']);
    expect(wb.cellPropertyReads).toEqual(['T!A2:D4', 'T!A5:D7', 'T!A8:D10', 'T!A11:D11']); // 3 rows of 4 per read
    expect(wb.ranges.flatMap((r) => (fillWritten(r) ? [[r.address, fillWritten(r)]] : []))).toEqual([
      ['B4', 'cleared'],
      ['C5', '#FFFF00'],
      ['B7', 'cleared'],
    ]);
    // The user's yellow A3 and their near-pink D6 are never written to, and no range over the block is cleared.
    expect(wb.ranges.some((r) => r.rows > 1 && r.m.format.fill.cleared)).toBe(false);
    expect(wb.deletedNotes).toEqual(['T!B4']);
  });

  it('clears nothing when no cell carries the mark', async () => {
    const wb = mockWorkbook({ sheets: { T: { fills: { A2: '#FFFF00' } } } });
    expect(await clearMarks(wb.context, 'T', { row: 1, col: 0, rows: 3, cols: 2 }, NO_MARKS, { notes: false })).toEqual([]);
    expect(wb.ranges.filter(fillWritten)).toEqual([]);
  });

  it('sets explanatory notes without highlighting (template headers)', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    expect(await setNotes(wb.context, 'T', [{ row: 1, col: 0, message: 'Crego account id' }, { row: 1, col: 2, message: 'Rupees' }])).toEqual(['A2', 'C2']);
    expect(wb.addedNotes).toEqual([{ sheet: 'T', address: 'A2', content: 'Crego account id' }, { sheet: 'T', address: 'C2', content: 'Rupees' }]);
    expect(wb.ranges).toEqual([]);
  });

  it('without note support only fills', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    await markCells(wb.context, 'T', [{ row: 0, col: 0, message: 'm' }], { notes: false });
    expect(wb.addedNotes).toEqual([]);
    expect(wb.ranges.filter((r) => r.m.format.fill.color === INVALID_FILL).map((r) => r.address)).toEqual(['A1']);
  });
});

describe('date system (src/excel/dateSystem.ts)', () => {
  it('asks the workbook for DATE(1904,1,1) (released ExcelApi 1.2): 0 is the 1904 system, 1462 the 1900 one', async () => {
    expect(await readDateSystem(mockWorkbook({ sheets: { T: {} }, date1904: true }).context)).toBe(1904);
    expect(await readDateSystem(mockWorkbook({ sheets: { T: {} }, date1904: false }).context)).toBe(1900);
    expect(await readDateSystem(mockWorkbook({ sheets: { T: {} } }).context)).toBe(1900);
  });

  it('says "unknown" (null), not 1900, when Excel refuses the probe or answers something else', async () => {
    expect(await readDateSystem(mockWorkbook({ sheets: { T: {} }, date1904: 'refuse' }).context)).toBeNull();
    const odd = mockWorkbook({ sheets: { T: {} } });
    const answer = new OfficeMockObject({ value: '#VALUE!', error: '#VALUE!' });
    odd.context.workbook.functions.date = () => answer;
    const sync = odd.context.sync;
    odd.context.sync = async () => (await sync(), await answer.sync());
    expect(await readDateSystem(odd.context)).toBeNull();
  });

  it('finds the first date cell holding a serial (text dates need no date system)', () => {
    const values = [['Date', 'Amount'], ['2024-01-05', 10], ['', 5], [45296, 7]];
    expect(firstSerialDate(values, [0], 1)).toEqual({ row: 3, col: 0 });
    expect(firstSerialDate(values.slice(0, 3), [0], 1)).toBeNull();
    expect(firstSerialDate(values, [], 1)).toBeNull();
  });

  it('moves serials in date columns to the 1900 system: 5 Jan 2024 reads 43834 in 1904, 45296 in 1900', async () => {
    expect(isoDateToExcelSerial('2024-01-05')).toBe(45296);
    expect(to1900Serial(43834, 1904)).toBe(45296);
    expect(excelSerialToIsoDate(to1900Serial(43834, 1904))).toBe('2024-01-05');
    expect(to1900Serial(45296, 1900)).toBe(45296);
    const values = [
      ['Date', 'Amount', 'Bank date'],
      [43834, 43834, 43834.5],
      ['2024-01-05', 10, ''],
    ];
    expect(datesTo1900(values, [0, 2], 1, 1904)).toEqual([
      ['Date', 'Amount', 'Bank date'],
      [45296, 43834, 45296.5],
      ['2024-01-05', 10, ''],
    ]);
    expect(datesTo1900(values, [0, 2], 1, 1900)).toEqual(values);
  });
});

describe('the Crego Log sheet', () => {
  const headers = ['When', 'Kind', 'Environment', 'Detail'];
  it('creates the log with a frozen bold header on first append', async () => {
    const wb = mockWorkbook({ sheets: {} });
    const at = await appendLog(wb.context, headers, [[46000.5, 'push', 'sandbox', '=1+1']]);
    expect(at).toBe(1);
    expect(wb.addedSheets).toEqual([LOG_SHEET]);
    expect(wb.freezes).toEqual([{ sheet: LOG_SHEET, call: 'freezeRows', arg: 1 }]);
    const cells = wb.written(LOG_SHEET);
    expect(cells.get('A1')).toBe('When');
    expect(cells.get('D2')).toBe("'=1+1");
    expect(wb.ranges.find((r) => r.address === 'A2')!.m.numberFormat).toEqual([['dd-mmm-yyyy hh:mm']]);
  });

  it('appends below the last used row and reads newest first', async () => {
    const values = [headers, [1, 'push', 'sandbox', 'a'], [2, 'refresh', 'sandbox', 'b'], [3, 'push', 'production', 'c']];
    const wb = mockWorkbook({ sheets: { [LOG_SHEET]: { used: { row: 0, col: 0, values } } } });
    expect(await appendLog(wb.context, headers, [[4, 'push', 'sandbox', 'd']])).toBe(4);
    expect(wb.written(LOG_SHEET).get('B5')).toBe('push');
    const view = await readLog(wb.context, 2);
    expect(view.headers).toEqual(headers);
    expect(view.rows).toEqual([[3, 'push', 'production', 'c'], [2, 'refresh', 'sandbox', 'b']]);
    expect(await readLog(mockWorkbook({ sheets: {} }).context)).toEqual({ headers: [], rows: [] });
  });

  it('a log an older version started gets the headers of the columns added since, and keeps its own', async () => {
    const older = ['When', 'Kind', 'My notes'];
    const values = [older, [1, 'push', 'kept']];
    const wb = mockWorkbook({ sheets: { [LOG_SHEET]: { used: { row: 0, col: 0, values } } } });
    expect(await appendLog(wb.context, headers, [[2, 'refresh', 'sandbox', 'new']])).toBe(2);
    const cells = wb.written(LOG_SHEET);
    expect(cells.get('D1')).toBe('Detail');
    expect(['A1', 'B1', 'C1'].map((a) => cells.get(a))).toEqual(older); // 'My notes' is not overwritten by 'Environment'
    expect(cells.get('D3')).toBe('new');
  });

  it('reads only the header and the last rows of a long log (50,000 rows), never the whole sheet', async () => {
    const values = [headers, ...Array.from({ length: 50_000 }, (_, i) => [i + 1, 'refresh', 'sandbox', `r${i + 1}`])];
    const wb = mockWorkbook({ sheets: { [LOG_SHEET]: { used: { row: 0, col: 0, values } } } });
    const view = await readLog(wb.context, 3);
    expect(view.rows.map((r) => r[0])).toEqual([50_000, 49_999, 49_998]);
    expect(Math.max(...wb.ranges.map((r) => r.rows))).toBeLessThanOrEqual(3);
  });

  it('writes "When" as a date-time serial (IST wall clock), so the sheet’s date-time format shows it', async () => {
    expect(stampToSerial('2024-01-05 10:30 IST')).toBeCloseTo(45296 + 10.5 / 24, 9);
    expect(stampToSerial('yesterday')).toBe('yesterday');
    const wb = mockWorkbook({ sheets: {} });
    await appendLog(wb.context, headers, [['2024-01-05 10:30 IST', 'refresh', 'sandbox', '']]);
    expect(wb.written(LOG_SHEET).get('A2')).toBeCloseTo(45296.4375, 9);
  });
});

describe('charts, selection, navigation', () => {
  it('adds a titled column chart over a block', async () => {
    const wb = mockWorkbook({ sheets: { Dash: {} } });
    const made = await addChart(wb.context, { sheet: 'Dash', source: { row: 4, col: 8, rows: 6, cols: 2 }, title: 'Outstanding by asset category', from: 'K5', to: 'P20' });
    expect(made.name).toBe('Chart 1');
    expect(wb.charts[0]).toMatchObject({ sheet: 'Dash', type: 'ColumnClustered', source: 'Dash!I5:J10', seriesBy: 'Columns' });
    expect(wb.charts[0].m.title.text).toBe('Outstanding by asset category');
    expect(wb.charts[0].m.position).toEqual(['K5', 'P20']);
  });

  it('reads the selection and inserts a formula at its top-left cell', async () => {
    const wb = mockWorkbook({ sheets: { S: {} }, selection: { sheet: 'S', row: 4, col: 1, rows: 3, cols: 2 } });
    expect(await getSelection(wb.context)).toEqual({ sheet: 'S', address: 'B5:C7', row: 4, col: 1, rows: 3, cols: 2 });
    const at = await insertFormulaAtSelection(wb.context, '=CREGO.SUMMARY(A5,"dpd")');
    expect(at).toBe('S!B5');
    expect(wb.ranges.find((r) => r.address === 'B5')!.m.formulas).toEqual([['=CREGO.SUMMARY(A5,"dpd")']]);
    const sel = mockWorkbook({ sheets: { S: { used: { row: 4, col: 1, values: [['=CREGO.EMI(100000,12,24)']] } } }, selection: { sheet: 'S', row: 4, col: 1, rows: 1, cols: 1 } });
    expect(await readSelectedFormula(sel.context)).toEqual({ address: 'S!B5', formula: '=CREGO.EMI(100000,12,24)' });
  });

  it('several selected areas (Excel refuses getSelectedRange) give a sentence saying what to select', async () => {
    const wb = mockWorkbook({ sheets: { S: {} } });
    wb.context.sync = async () => {
      throw Object.assign(new Error('The selection is invalid'), { code: 'InvalidSelection' });
    };
    await expect(getSelection(wb.context)).rejects.toThrow(ONE_AREA_MESSAGE);
    await expect(insertFormulaAtSelection(wb.context, '=CREGO.FIELDS()')).rejects.toThrow(/^Select one cell or one block of cells/);
  });

  it('goes to a cell: activates its sheet and selects it', async () => {
    const wb = mockWorkbook({ sheets: { 'Crego Records': {} } });
    await goTo(wb.context, 'Crego Records', 'C14');
    expect(wb.activated).toEqual(['Crego Records']);
    expect(wb.selected).toEqual(['Crego Records!C14']);
  });
});

describe('recalculation (src/excel/recalc.ts)', () => {
  afterEach(() => {
    delete (globalThis as any).Excel;
  });
  it('Refresh recalculates only the sheets whose formulas call CREGO (never every open workbook), the active sheet, or every selected area', async () => {
    const wb = mockWorkbook({
      sheets: {
        Data: { used: { row: 0, col: 0, values: [['Account', 'Amount'], ['A1', 5], ['A2', '=B2*2']] } },
        Report: { used: { row: 0, col: 0, values: [['=SUM(1,2)', '=crego.summary(A2, "dpd")']] } },
        Dash: { used: { row: 3, col: 2, values: [['=CREGO.LOANS()']] } },
        Empty: {},
      },
      selection: { sheet: 'Dash', row: 1, col: 1, rows: 2, cols: 2 },
    });
    (globalThis as any).Excel = (wb as any).excel;
    expect(await recalc('workbook')).toEqual(['Report', 'Dash']);
    expect(await recalc('sheet')).toEqual(['Dash']);
    expect(await recalc('selection')).toEqual(['Dash!B2:C3']);
    expect(wb.calculations).toEqual([
      { what: 'sheet Report', arg: true },
      { what: 'sheet Dash', arg: true },
      { what: 'sheet Dash', arg: true },
      { what: 'ranges Dash!B2:C3' },
    ]);
    expect(CREGO_CALL.test('=SUM(CREGO.EMIS(A2))')).toBe(true);
    expect(CREGO_CALL.test('="CREGO"&A1')).toBe(false);
  });
});

describe('Excel.run and Office errors', () => {
  it('every batch waits for a cell edit to end (delayForCellEdit) instead of failing while the user types', async () => {
    const wb = mockWorkbook({ sheets: { A: {} }, cellEdit: true });
    (globalThis as any).Excel = (wb as any).excel;
    expect(await excelRun(async (ctx) => (await ensureSheet(ctx, 'A')).created)).toBe(false);
    await recalc('sheet');
    expect(wb.runOptions).toEqual([{ delayForCellEdit: true }, { delayForCellEdit: true }]);
  });

  afterEach(() => {
    delete (globalThis as any).Excel;
  });
  it('runs work in Excel.run and turns Office errors into sentences', async () => {
    const wb = mockWorkbook({ sheets: { A: {} } });
    (globalThis as any).Excel = (wb as any).excel;
    expect(await excelRun(async (ctx) => (await ensureSheet(ctx, 'A')).created)).toBe(false);
    await expect(excelRun(async (ctx) => readSheet(ctx, 'Missing'))).rejects.toThrow(/could not find the sheet/);
    expect(describeOfficeError({ code: 'InvalidOperationInCellEditMode', message: 'cell-editing mode' })).toMatch(/^Excel is busy while a cell is being edited: press Enter or Esc/);
    expect(describeOfficeError({ code: 'InvalidArgument', message: 'bad', debugInfo: { errorLocation: 'Range.values' } })).toBe(
      'Excel refused the request: bad (at Range.values)',
    );
  });
});
