/**
 * The workbook's date system. A Mac-born workbook may count days from 1 Jan 1904 instead of from
 * 1900; its date cells then read as serials 1462 lower than the same dates in the 1900 system, which
 * is the one src/api/dates.ts (and so the bulk engine and the functions) speaks. Serials read from such a workbook are
 * moved to the 1900 system here, once, before they reach the engine.
 */
import { DATE_1904_OFFSET, to1900Serial, type DateSystem } from '../api/dates';
import type { CellRaw } from './read';
import type { Ctx } from './run';

export { DATE_1904_OFFSET, to1900Serial, type DateSystem } from '../api/dates';

/**
 * Which date system the workbook uses, or `null` when Excel did not say.
 *
 * Office.js has no released property for it (`Workbook.use1904DateSystem` is preview-only, absent
 * from the production office.js the add-in loads), so the workbook is asked to evaluate
 * `DATE(1904,1,1)` through `workbook.functions` (ExcelApi 1.2, within SharedRuntime 1.1): Excel's
 * DATE answers a serial of the workbook's own system, 0 where days count from 1904 (MS-XLS Date1904:
 * "January 1, 1904, specified by a serial value of 0") and 1462 in the 1900 system. Any other
 * answer, an error, or a host that refuses the call leaves the system unknown: callers must not
 * guess (a wrong guess moves every date by four years without an error).
 */
export async function readDateSystem(ctx: Ctx): Promise<DateSystem | null> {
  try {
    const probe = ctx.workbook.functions.date(1904, 1, 1);
    probe.load('value');
    await ctx.sync();
    if (probe.value === 0) return 1904;
    if (probe.value === DATE_1904_OFFSET) return 1900;
    return null;
  } catch {
    return null;
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

/** The first cell (values index) holding a date serial in one of the date columns, from `firstRow` on. */
export function firstSerialDate(values: readonly CellRaw[][], dateColumns: readonly number[], firstRow: number): { row: number; col: number } | null {
  for (let i = firstRow; i < values.length; i++) {
    for (const j of dateColumns) if (typeof values[i]?.[j] === 'number') return { row: i, col: j };
  }
  return null;
}
