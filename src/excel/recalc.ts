/**
 * Recalculating after a Crego refresh: the workbook, the active sheet, or the selection. Custom
 * functions are not volatile, so after their cache is dropped Excel must be told to run them again;
 * a full calculation is the documented way to re-run non-volatile functions workbook-wide.
 */
export type RecalcScope = 'workbook' | 'sheet' | 'selection';

export async function recalc(scope: RecalcScope): Promise<void> {
  await Excel.run(async (context) => {
    if (scope === 'workbook') context.application.calculate(Excel.CalculationType.full);
    else if (scope === 'sheet') context.workbook.worksheets.getActiveWorksheet().calculate(true);
    else context.workbook.getSelectedRange().calculate();
    await context.sync();
  });
}
