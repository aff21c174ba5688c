/**
 * Recalculating after a Crego refresh: the workbook's CREGO sheets, the active sheet, or the
 * selection. Custom functions are not volatile, so after their cache is dropped Excel must be told
 * to run them again. `Application.calculate(full)` would do it, but it recalculates every open
 * workbook (every add-in's functions, every formula); here only the sheets whose formulas call
 * CREGO.* are recalculated (`Worksheet.calculate(true)`, ExcelApi 1.6: their formulas marked dirty).
 */
import { RUN_OPTIONS, type Ctx } from './run';

export type RecalcScope = 'workbook' | 'sheet' | 'selection';

/** Formula text that calls one of the add-in's functions (`=CREGO.SUMMARY(…)`, `=SUM(CREGO.EMIS(…))`). */
export const CREGO_CALL = /\bCREGO\.[A-Z]+\s*\(/i;

/**
 * The sheets holding at least one CREGO formula, read through each sheet's formula cells only
 * (`getSpecialCellsOrNullObject(formulas)`, ExcelApi 1.9), so a data sheet of constants costs nothing.
 */
export async function cregoSheets(ctx: Ctx): Promise<string[]> {
  const sheets = ctx.workbook.worksheets;
  sheets.load('items/name');
  await ctx.sync();
  const probes = sheets.items.map(({ name }) => {
    const cells = ctx.workbook.worksheets.getItem(name).getRange().getSpecialCellsOrNullObject(Excel.SpecialCellType.formulas);
    cells.load('isNullObject');
    cells.areas.load('items/formulas');
    return { name, cells };
  });
  await ctx.sync();
  return probes
    .filter((p) => !p.cells.isNullObject && p.cells.areas.items.some((area) => area.formulas.some((row) => row.some((f) => typeof f === 'string' && CREGO_CALL.test(f)))))
    .map((p) => p.name);
}

/** Recalculate a scope; returns the sheets (or the selection's address) that were recalculated. */
export async function recalcIn(ctx: Ctx, scope: RecalcScope): Promise<string[]> {
  if (scope === 'workbook') {
    const names = await cregoSheets(ctx);
    for (const name of names) ctx.workbook.worksheets.getItem(name).calculate(true);
    await ctx.sync();
    return names;
  }
  if (scope === 'sheet') {
    const sheet = ctx.workbook.worksheets.getActiveWorksheet();
    sheet.load('name');
    sheet.calculate(true);
    await ctx.sync();
    return [sheet.name];
  }
  // Several areas may be selected: getSelectedRange() would throw then; getSelectedRanges() (1.9) takes them all.
  const selected = ctx.workbook.getSelectedRanges();
  selected.load('address');
  selected.calculate();
  await ctx.sync();
  return [selected.address];
}

export async function recalc(scope: RecalcScope): Promise<string[]> {
  return Excel.run(RUN_OPTIONS, (ctx) => recalcIn(ctx, scope));
}
