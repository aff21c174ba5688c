/**
 * The entry into Excel. Everything else in src/excel takes a `RequestContext` so it can be driven by
 * office-addin-mock in tests and batched by the caller (several operations, one `Excel.run`).
 */

export type Ctx = Excel.RequestContext;

/**
 * How every batch of the add-in runs. By default Excel fails a batch that arrives while the user is
 * typing in a cell (`InvalidOperationInCellEditMode`); a push runs for minutes and the user may well
 * type meanwhile, so each batch waits for the edit to end instead (RunOptions.delayForCellEdit,
 * ExcelApi 1.11; hosts without it ignore the option and fail as before, with the sentence below).
 */
export const RUN_OPTIONS: Excel.RunOptions = { delayForCellEdit: true };

/** `Excel.run` with the task pane's error wording: Office errors carry a code, not a sentence. */
export async function excelRun<T>(work: (ctx: Ctx) => Promise<T>): Promise<T> {
  try {
    return await Excel.run(RUN_OPTIONS, work);
  } catch (error) {
    throw new Error(describeOfficeError(error));
  }
}

/** Office's code for a batch refused because the user is editing a cell. */
const CELL_EDIT_CODES = new Set(['InvalidOperationInCellEditMode']);

/** A sentence for an Office.js error (`ItemNotFound`, `InvalidArgument`, …), never a stack. */
export function describeOfficeError(error: unknown): string {
  const e = error as { code?: string; message?: string; debugInfo?: { errorLocation?: string } } | undefined;
  const where = e?.debugInfo?.errorLocation ? ` (at ${e.debugInfo.errorLocation})` : '';
  if (CELL_EDIT_CODES.has(e?.code ?? '') || (e?.code === 'InvalidOperation' && /cell[- ]?edit/i.test(e.message ?? ''))) {
    return 'Excel is busy while a cell is being edited: press Enter or Esc in the cell, then try again.';
  }
  if (e?.code === 'ItemNotFound') return `Excel could not find the sheet, table or cell${where}. Was it renamed or deleted?`;
  if (e?.code === 'InvalidArgument') return `Excel refused the request: ${e.message ?? 'invalid argument'}${where}`;
  if (e?.code === 'RequestPayloadSizeLimitExceeded') return 'The request to Excel was too large; try a smaller selection.';
  if (e?.code === 'AccessDenied') return 'Excel refused the change: is the sheet protected? (Review › Unprotect Sheet)';
  return e?.message ? `Excel: ${e.message}` : 'Excel reported an unknown error';
}

/** Whether the host implements an ExcelApi requirement set (false outside Office, e.g. in Node). */
export function supportsExcelApi(version: string): boolean {
  const office = (globalThis as { Office?: typeof Office }).Office;
  try {
    return Boolean(office?.context?.requirements?.isSetSupported('ExcelApi', version));
  } catch {
    return false;
  }
}
