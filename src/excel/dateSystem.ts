/**
 * The workbook's date system. A Mac-born workbook may count days from 1 Jan 1904 instead of from
 * 1900; its date cells then read as serials 1462 lower than the same dates in the 1900 system, which
 * is the one src/api/dates.ts (and so the bulk engine and the functions) speaks. Serials read from such a workbook are
 * moved to the 1900 system here, once, before they reach the engine.
 */
import { to1900Serial, type DateSystem } from '../api/dates';
import type { CellRaw } from './read';
import type { Ctx } from './run';

export { DATE_1904_OFFSET, to1900Serial, type DateSystem } from '../api/dates';

/**
 * Which date system the workbook uses, from `Workbook.use1904DateSystem`. That property is newer
 * than the ExcelApi sets @types/office-js 1.0.612 describes (it is absent from them, so it is read
 * untyped) and hosts without it refuse the load: then, as when the answer is not a boolean, the
 * workbook is taken to use the 1900 system, Excel's default everywhere but very old Mac files.
 */
export async function readDateSystem(ctx: Ctx): Promise<DateSystem> {
  const workbook = ctx.workbook as unknown as { load(p: string): unknown; use1904DateSystem?: unknown };
  try {
    workbook.load('use1904DateSystem');
    await ctx.sync();
    return workbook.use1904DateSystem === true ? 1904 : 1900;
  } catch {
    return 1900;
  }
}

/**
 * Rows with the numbers in the given date columns moved to the 1900 system, from row `firstRow`
 * on (rows above, e.g. a header, are kept). Text dates (`2024-01-05`) carry no serial and stay.
 */
export function datesTo1900(values: readonly CellRaw[][], dateColumns: readonly number[], firstRow: number, system: DateSystem): CellRaw[][] {
  if (system === 1900 || dateColumns.length === 0) return values.map((r) => [...r]);
  return values.map((row, i) =>
    i < firstRow ? [...row] : row.map((v, j) => (typeof v === 'number' && dateColumns.includes(j) ? to1900Serial(v, system) : v)),
  );
}

/**
 * The date system of the workbook the add-in runs in, read through its own `Excel.run` (the
 * custom functions' shared runtime may ask this before any cell is calculated: reading a workbook
 * property is one of the documented uses of Office.js from a custom function). 1900 where there is
 * no Excel (Node, the CLI).
 */
export async function workbookDateSystem(): Promise<DateSystem> {
  const excel = (globalThis as { Excel?: { run?: typeof Excel.run } }).Excel;
  if (typeof excel?.run !== 'function') return 1900;
  // functions.js can run before Office.js has initialised; Excel.run is only safe after that.
  const office = (globalThis as { Office?: { onReady?: () => Promise<unknown> } }).Office;
  if (typeof office?.onReady === 'function') await office.onReady();
  return excel.run((ctx: Ctx) => readDateSystem(ctx));
}
