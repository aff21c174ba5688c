/**
 * The entry into Excel. Everything else in src/excel takes a `RequestContext` so it can be driven by
 * office-addin-mock in tests and batched by the caller (several operations, one `Excel.run`).
 */

export type Ctx = Excel.RequestContext;

/** `Excel.run` with the task pane's error wording: Office errors carry a code, not a sentence. */
export async function excelRun<T>(work: (ctx: Ctx) => Promise<T>): Promise<T> {
  try {
    return await Excel.run(work);
  } catch (error) {
    throw new Error(describeOfficeError(error));
  }
}

/** A sentence for an Office.js error (`ItemNotFound`, `InvalidArgument`, …), never a stack. */
export function describeOfficeError(error: unknown): string {
  const e = error as { code?: string; message?: string; debugInfo?: { errorLocation?: string } } | undefined;
  const where = e?.debugInfo?.errorLocation ? ` (at ${e.debugInfo.errorLocation})` : '';
  if (e?.code === 'ItemNotFound') return `Excel could not find the sheet, table or cell${where}. Was it renamed or deleted?`;
  if (e?.code === 'InvalidArgument') return `Excel refused the request: ${e.message ?? 'invalid argument'}${where}`;
  if (e?.code === 'RequestPayloadSizeLimitExceeded') return 'The request to Excel was too large; try a smaller selection.';
  if (e?.code === 'AccessDenied') return 'Excel refused the change (is the sheet protected or in cell-edit mode?)';
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
