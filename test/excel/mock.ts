/**
 * A small workbook built on office-addin-mock's OfficeMockObject. The library has no collections
 * and no ranges by index, so sheets, ranges, tables, notes and charts are produced by seed functions
 * that record every object they hand out; tests assert on what the code under test assigned to
 * them. OfficeMockObject keeps its load/sync discipline: reading a property that was not loaded and
 * synced yields an error string, so a missing `load` in src/excel shows up as a wrong value.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { blockAddress } from '../../src/excel/address';
import type { Selection } from '../../src/excel/selection';

export type Grid = (string | number | boolean)[][];

/** A range handed out by the mock: where it is (same shape as a selection) and the mock object itself. */
export interface RangeRec extends Selection {
  m: any;
}

export interface SheetSeed {
  /** Used range (values only) of the sheet; omit for an empty sheet. */
  used?: { row: number; col: number; values: Grid };
  /** Existing notes by address. */
  notes?: Record<string, string>;
  /** Data validation seen by getRange(address).dataValidation. */
  validation?: Record<string, { type: string; source: string }>;
  /** Cell fills by address, as getCellProperties reports them (others read as no fill, `#FFFFFF`). */
  fills?: Record<string, string>;
}

export interface WorkbookSeed {
  sheets: Record<string, SheetSeed>;
  tables?: Record<string, { sheet: string; row: number; col: number; values: Grid }>;
  selection?: { sheet: string; row: number; col: number; rows: number; cols: number };
  /**
   * The workbook counts dates from 1904: `workbook.functions.date(1904,1,1)` answers 0 (1462 when
   * false or omitted). `'refuse'`: the host fails the call. Only released API: no use1904DateSystem.
   */
  date1904?: boolean | 'refuse';
  /** The user is typing in a cell: a batch without RunOptions.delayForCellEdit fails as in Excel. */
  cellEdit?: boolean;
}

export interface MockWorkbook {
  context: any;
  ranges: RangeRec[];
  addedSheets: string[];
  addedTables: { sheet: string; address: string; hasHeaders: boolean; m: any }[];
  addedNotes: { sheet: string; address: string; content: string }[];
  deletedNotes: string[];
  noteMocks: Record<string, any>;
  charts: { sheet: string; type: string; source: string; seriesBy: string; m: any }[];
  activated: string[];
  selected: string[];
  freezes: { sheet: string; call: string; arg?: unknown }[];
  calculations: { what: string; arg?: unknown }[];
  /** The RunOptions each Excel.run was given (undefined for the one-argument form). */
  runOptions: (Excel.RunOptions | undefined)[];
  /** Cell styles added (workbook.styles.add) and the style objects, by name. */
  addedStyles: string[];
  styleMocks: Record<string, any>;
  /** Ranges whose per-cell properties were read (getCellProperties). */
  cellPropertyReads: string[];
  syncs: () => number;
  /** Per sync: how many ranges and notes the code asked for since the sync before (the size of that request). */
  opsPerSync: number[];
  sheetMocks: Record<string, any>;
  /** Values last assigned to ranges of a sheet, laid onto a grid (later writes win). */
  written(sheet: string): Map<string, unknown>;
}

function rangeSeed(sheet: string, row: number, col: number, rows: number, cols: number, extra: Record<string, unknown> = {}) {
  // Whole-column ranges (a million rows) get no per-cell arrays: the code under test must not need them.
  const grid = (fill: unknown) => (rows * cols > 200_000 ? [] : Array.from({ length: rows }, () => Array(cols).fill(fill)));
  return {
    address: `${sheet}!${blockAddress(row, col, rows, cols)}`,
    rowIndex: row,
    columnIndex: col,
    rowCount: rows,
    columnCount: cols,
    values: grid(''),
    formulas: grid(''),
    numberFormat: grid('General'),
    style: 'Normal',
    isNullObject: false,
    format: {
      fill: { color: '', clear() { this.color = ''; (this as any).cleared = true; } },
      font: { bold: false, color: '' },
      autofitColumns() { (this as any).autofitted = true; },
    },
    ...extra,
  };
}

export function mockWorkbook(seed: WorkbookSeed): MockWorkbook {
  const wb: MockWorkbook = {
    context: undefined,
    ranges: [],
    addedSheets: [],
    addedTables: [],
    addedNotes: [],
    deletedNotes: [],
    noteMocks: {},
    charts: [],
    activated: [],
    selected: [],
    freezes: [],
    calculations: [],
    cellPropertyReads: [],
    addedStyles: [],
    runOptions: [],
    styleMocks: {},
    syncs: () => syncCount,
    opsPerSync: [],
    sheetMocks: {},
    written(sheet) {
      const out = new Map<string, unknown>();
      for (const r of wb.ranges.filter((x) => x.sheet === sheet)) {
        const v = r.m.values;
        if (!Array.isArray(v)) continue;
        v.forEach((line: unknown[], i: number) =>
          line.forEach((cell, j) => {
            if (cell !== '' || out.has(blockAddress(r.row + i, r.col + j, 1, 1))) out.set(blockAddress(r.row + i, r.col + j, 1, 1), cell);
          }),
        );
      }
      return out;
    },
  };
  let syncCount = 0;
  // Objects handed out by seed functions are not children of the context mock, so the context's
  // sync would not reach them; every one is kept here and synced with the context.
  const created: any[] = [];
  const mk = (init: Record<string, unknown>): any => {
    const m = new OfficeMockObject(init);
    created.push(m);
    return m;
  };
  // Collections: the mock cannot navigate `items/name` into an array, so `load` loads `items` whole.
  const loadItems = function (this: any) {
    OfficeMockObject.prototype.load.call(this, 'items');
    return this;
  };
  const sheetNames = Object.keys(seed.sheets);

  function parse(address: string): [number, number, number, number] {
    const m = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(address.replace(/\$/g, ''));
    if (!m) throw new Error(`mock: bad address ${address}`);
    const col = (s: string) => [...s].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    const r0 = Number(m[2]) - 1;
    const c0 = col(m[1]);
    const r1 = m[4] ? Number(m[4]) - 1 : r0;
    const c1 = m[3] ? col(m[3]) : c0;
    return [r0, c0, r1 - r0 + 1, c1 - c0 + 1];
  }

  function makeRange(sheet: string, row: number, col: number, rows: number, cols: number): any {
    const sheetSeed = seed.sheets[sheet] ?? {};
    const address = blockAddress(row, col, rows, cols);
    const dv = sheetSeed.validation?.[address];
    // Cells inside the seeded used range read back their seeded values.
    const u = sheetSeed.used;
    const seeded = rows * cols > 200_000 ? [] : Array.from({ length: rows }, (_, i) =>
      Array.from({ length: cols }, (_, j) => u?.values[row + i - u.row]?.[col + j - u.col] ?? ''),
    );
    const m = mk(
      rangeSeed(sheet, row, col, rows, cols, {
        values: seeded,
        // For constants Excel reports the value as the formula; a seeded "=…" string stands for a formula cell.
        formulas: seeded,
        dataValidation: {
          type: dv?.type ?? 'None',
          rule: dv ? { list: { inCellDropDown: true, source: dv.source } } : undefined,
          errorAlert: undefined,
          clear() { (this as any).cleared = true; },
        },
        getCell(r: number, c: number) { return makeRange(sheet, row + r, col + c, 1, 1); },
        // A ClientResult: its value is there after the next sync, no load needed (as in Office.js).
        getCellProperties(options: { format?: { fill?: { color?: boolean } } }) {
          if (!options.format?.fill?.color) throw new Error('mock: only format.fill.color is modelled');
          wb.cellPropertyReads.push(`${sheet}!${address}`);
          return {
            value: Array.from({ length: rows }, (_, i) =>
              Array.from({ length: cols }, (_, j) => ({ format: { fill: { color: sheetSeed.fills?.[blockAddress(row + i, col + j, 1, 1)] ?? '#FFFFFF' } } })),
            ),
          };
        },
        getEntireColumn() { return makeRange(sheet, 0, col, 1048576, cols); },
        select() { wb.selected.push(`${sheet}!${address}`); },
        calculate() { wb.calculations.push({ what: `range ${sheet}!${address}` }); },
        // The formula cells of the range (seeded "=…" strings), one area per cell, as Excel answers.
        getSpecialCellsOrNullObject(type: string) {
          if (type !== 'Formulas') throw new Error('mock: only formulas special cells are modelled');
          const formulas: string[] = [];
          u?.values.forEach((line, i) => line.forEach((v, j) => {
            const r = u.row + i;
            const c = u.col + j;
            if (typeof v === 'string' && v.startsWith('=') && r >= row && r < row + rows && c >= col && c < col + cols) formulas.push(v);
          }));
          return mk({ isNullObject: formulas.length === 0, areas: { items: formulas.map((f) => ({ formulas: [[f]] })), load: loadItems } });
        },
      }),
    ) as any;
    // A seeded source must be readable after load('rule'): the mock only loads one level deep.
    if (dv) m.dataValidation.rule.list._properties.get('source').loadCalled();
    wb.ranges.push({ sheet, address, row, col, rows, cols, m });
    return m;
  }

  function makeSheet(name: string, isNull = false): any {
    const s = seed.sheets[name] ?? {};
    const m = mk({
      name,
      isNullObject: isNull,
      visibility: 'Visible',
      activate() { wb.activated.push(name); },
      calculate(markAllDirty: boolean) { wb.calculations.push({ what: `sheet ${name}`, arg: markAllDirty }); },
      getRange(address?: string) {
        if (address === undefined) return makeRange(name, 0, 0, 1048576, 16384);
        const [r, c, rs, cs] = parse(address);
        return makeRange(name, r, c, rs, cs);
      },
      getRangeByIndexes(r: number, c: number, rs: number, cs: number) { return makeRange(name, r, c, rs, cs); },
      getUsedRangeOrNullObject() {
        if (!s.used) return mk({ isNullObject: true, values: [], rowIndex: 0, columnIndex: 0, rowCount: 0, columnCount: 0 });
        const u = s.used;
        const rows = u.values.length;
        const cols = u.values[0]?.length ?? 0;
        return mk({ ...rangeSeed(name, u.row, u.col, rows, cols), values: u.values });
      },
      freezePanes: {
        freezeRows(n: number) { wb.freezes.push({ sheet: name, call: 'freezeRows', arg: n }); },
        freezeColumns(n: number) { wb.freezes.push({ sheet: name, call: 'freezeColumns', arg: n }); },
        freezeAt(a: string) { wb.freezes.push({ sheet: name, call: 'freezeAt', arg: a }); },
        unfreeze() { wb.freezes.push({ sheet: name, call: 'unfreeze' }); },
      },
      tables: {
        add(address: string, hasHeaders: boolean) {
          const t = mk({ name: '', style: '' }) as any;
          wb.addedTables.push({ sheet: name, address, hasHeaders, m: t });
          return t;
        },
      },
      notes: {
        add(address: string, content: string) { wb.addedNotes.push({ sheet: name, address, content }); },
        getItemOrNullObject(address: string) {
          const key = `${name}!${address}`;
          if (!wb.noteMocks[key]) {
            const existing = s.notes?.[address];
            wb.noteMocks[key] = mk({
              isNullObject: existing === undefined,
              content: existing ?? '',
              delete() { wb.deletedNotes.push(key); },
            });
          }
          return wb.noteMocks[key];
        },
      },
      charts: {
        add(type: string, source: any, seriesBy: string) {
          const c = mk({
            name: `Chart ${wb.charts.length + 1}`,
            title: { text: '' },
            legend: { visible: true },
            setPosition(from: string, to: string) { (this as any).position = [from, to]; },
          }) as any;
          wb.charts.push({ sheet: name, type, source: `${name}!${wb.ranges.find((r) => r.m === source)?.address}`, seriesBy, m: c });
          return c;
        },
      },
    }) as any;
    wb.sheetMocks[name] = m;
    return m;
  }

  function tableMock(tableName: string, isNull: boolean): any {
    const t = seed.tables?.[tableName];
    return mk({
      name: tableName,
      isNullObject: isNull,
      worksheet: { name: t?.sheet ?? '' },
      getHeaderRowRange() {
        return mk({ ...rangeSeed(t!.sheet, t!.row, t!.col, 1, t!.values[0].length), values: [t!.values[0]] });
      },
      getRange() {
        return mk({ ...rangeSeed(t!.sheet, t!.row, t!.col, t!.values.length, t!.values[0].length), values: t!.values });
      },
    });
  }

  const excel = new OfficeMockObject({
    context: {
      workbook: {
        worksheets: {
          items: sheetNames.map((n) => ({ name: n })),
          load: loadItems,
          getItem(name: string) {
            if (!seed.sheets[name] && !wb.addedSheets.includes(name)) throw Object.assign(new Error(`no sheet ${name}`), { code: 'ItemNotFound' });
            return makeSheet(name);
          },
          getItemOrNullObject(name: string) {
            return makeSheet(name, !seed.sheets[name] && !wb.addedSheets.includes(name));
          },
          getActiveWorksheet() {
            return makeSheet(seed.selection?.sheet ?? sheetNames[0]);
          },
          add(name: string) {
            wb.addedSheets.push(name);
            seed.sheets[name] = seed.sheets[name] ?? {};
            return makeSheet(name);
          },
        },
        tables: {
          items: Object.entries(seed.tables ?? {}).map(([name, t]) => ({ name, worksheet: { name: t.sheet } })),
          load: loadItems,
          getItemOrNullObject(name: string) { return tableMock(name, !seed.tables?.[name]); },
        },
        styles: {
          items: [{ name: 'Normal' }],
          load: loadItems,
          add(name: string) {
            wb.addedStyles.push(name);
            excel.context.workbook.styles.setValue('items', [{ name: 'Normal' }, ...wb.addedStyles.map((n) => ({ name: n }))]);
            wb.styleMocks[name] = mk({ name, numberFormat: 'General', includeNumber: true, includeFont: true, includePatterns: true, includeBorder: true, includeAlignment: true, includeProtection: true });
          },
          getItem(name: string) {
            if (!wb.styleMocks[name]) throw Object.assign(new Error(`no style ${name}`), { code: 'ItemNotFound' });
            return wb.styleMocks[name];
          },
        },
        functions: {
          date(year: number, month: number, day: number) {
            if (seed.date1904 === 'refuse') throw Object.assign(new Error('This operation is not supported'), { code: 'ApiNotFound' });
            // Days from the system's day 0 (31 Dec 1899 in 1900, counting Excel's 29 Feb 1900; 1 Jan 1904 in 1904).
            const serial = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(1899, 11, 30)) / 86_400_000);
            return mk({ value: seed.date1904 === true ? serial - 1462 : serial, error: '' });
          },
        },
        application: {
          calculate(type: string) { wb.calculations.push({ what: 'workbook', arg: type }); },
        },
        getSelectedRanges() {
          const s = seed.selection ?? { sheet: sheetNames[0], row: 0, col: 0, rows: 1, cols: 1 };
          const address = `${s.sheet}!${blockAddress(s.row, s.col, s.rows, s.cols)}`;
          return mk({ address, calculate() { wb.calculations.push({ what: `ranges ${address}` }); } });
        },
        getSelectedRange() {
          const s = seed.selection ?? { sheet: sheetNames[0], row: 0, col: 0, rows: 1, cols: 1 };
          const r = makeRange(s.sheet, s.row, s.col, s.rows, s.cols);
          r.addMock('worksheet');
          r.worksheet.setValue('name', s.sheet);
          return r;
        },
      },
    },
    run: async function (a: unknown, b?: (ctx: unknown) => Promise<unknown>) {
      const [options, work] = typeof a === 'function' ? [undefined, a as (ctx: unknown) => Promise<unknown>] : [a as Excel.RunOptions, b!];
      wb.runOptions.push(options);
      if (seed.cellEdit && !options?.delayForCellEdit) {
        throw Object.assign(new Error('The operation cannot be performed while Excel is in cell-editing mode.'), { code: 'InvalidOperationInCellEditMode' });
      }
      return work(this.context);
    },
  }) as any;
  // Count round trips: each sync of the request context is one.
  const baseSync = excel.context.sync.bind(excel.context);
  let opsAtLastSync = 0;
  const opsSoFar = () => wb.ranges.length + wb.addedNotes.length + Object.keys(wb.noteMocks).length;
  excel.context.sync = async () => {
    syncCount++;
    wb.opsPerSync.push(opsSoFar() - opsAtLastSync);
    opsAtLastSync = opsSoFar();
    await baseSync();
    for (const m of created) await m.sync();
  };
  // Enums are plain values in Office.js (no load needed), so they are set outside the mock's load model.
  excel.CalculationType = { recalculate: 'Recalculate', full: 'Full', fullRebuild: 'FullRebuild' };
  excel.SpecialCellType = { formulas: 'Formulas', constants: 'Constants', blanks: 'Blanks', visible: 'Visible' };
  // RequestContext.application is the workbook's application (Office.js exposes both).
  excel.context.application = excel.context.workbook.application;
  wb.context = excel.context;
  (wb as any).excel = excel;
  return wb;
}
