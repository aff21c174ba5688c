/**
 * Dates in CREGO results shown as dates. Excel does not format what a custom function returns, so a
 * bare serial shows as 45296. From CustomFunctionsRuntime 1.4 a result may be a data type, and a
 * `DoubleCellValue` with a `numberFormat` shows as 05-Jan-2024 while formulas still read the serial
 * (Microsoft's "Output a formatted number" example; functions.json carries
 * `allowCustomDataForDataTypeAny: true`, which the data types need). Older Excel, and everything
 * outside Excel (`crego fn`, the engine's own tests), get the bare serial.
 */
import { DATE_FORMAT, DATETIME_FORMAT } from '../excel/format';

/** `Excel.DoubleCellValue` as a date result carries it. */
export interface FormattedDate {
  type: 'Double';
  basicValue: number;
  numberFormat: string;
}

/**
 * Whether this Excel takes data types from custom functions (CustomFunctionsRuntime 1.4: Excel on
 * the web, Microsoft 365 on Windows from version 2208 and on Mac from 16.64). Asked on every call:
 * outside Excel, or before Office can say, the answer is no.
 */
export function hostShowsDataTypes(): boolean {
  const office = (globalThis as { Office?: { context?: { requirements?: { isSetSupported(name: string, version?: string): boolean } } } }).Office;
  try {
    return office?.context?.requirements?.isSetSupported('CustomFunctionsRuntime', '1.4') === true;
  } catch {
    return false;
  }
}

/** A date (or, `withTime`, a date-time) serial as the cell shows it. */
export function dateCell(serial: number, withTime: boolean): number | FormattedDate {
  if (!hostShowsDataTypes()) return serial;
  return { type: 'Double', basicValue: serial, numberFormat: withTime ? DATETIME_FORMAT : DATE_FORMAT };
}
