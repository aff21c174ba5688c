/**
 * `crego template <kind> FILE.xlsx`: the template rows (../template.ts) as a real workbook: version
 * stamp, header notes with each column's format and allowed values, dropdowns (data validation) on
 * the enum and TRUE/FALSE columns, number/date/text formats, the example row, and the result
 * columns greyed out with a note that Crego fills them.
 */
import ExcelJS from 'exceljs';
import type { ColumnDef, SheetKind } from '../kinds/types';
import { RESULT_HEADERS } from '../results';
import { templateRows } from '../template';
import { columnLetters as columnLetter } from './result-cells';
import { READ_LIMITS } from './xlsx-package';

/**
 * Dropdowns and bounds cover each column from row 3 to row 250,000, the last row `crego push` reads
 * (READ_LIMITS.rows); number formats cover whole columns. Both are stored once per column, so the
 * file stays small. (Not Excel's last row, 1,048,576: exceljs's full reader expands every range into
 * one entry per cell, and a whole-column range costs a reader of that kind gigabytes.)
 */
export const LAST_TEMPLATE_ROW = READ_LIMITS.rows;
const HEADER_ROW = 2;
const FIRST_DATA_ROW = 3;

/** Excel's limits on a data validation's texts (longer ones make it "repair" the file and drop them). */
export const VALIDATION_TEXT_LIMITS = { title: 32, prompt: 255, error: 225 } as const;

/** `text` cut to `max` characters at a word, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** A header's note: required or not, the column's rule, the allowed values (unless the rule lists them), the API field. */
function note(col: ColumnDef): string {
  // A list column's hint only names its values, and "Optional." is said once: neither is repeated.
  const rule = col.allowed ? `Allowed: ${col.allowed.join(', ')}.` : sentence(col.hint.replace(/\s*\(optional\)/i, '').replace(/\(optional, /i, '('));
  return [col.required ? 'Required.' : 'Optional.', rule, `API field: ${col.field}.`].join(' ');
}

function exampleCell(col: ColumnDef): ExcelJS.CellValue {
  // exceljs writes a Date as the date cell whose UTC fields it carries.
  if (col.type === 'date' && typeof col.example === 'string') return new Date(`${col.example}T00:00:00Z`);
  return col.example;
}

/** Row 2 frozen under the stamp and the headers. */
export const TEMPLATE_VIEWS: Array<Partial<ExcelJS.WorksheetView>> = [{ state: 'frozen', ySplit: HEADER_ROW }];
export const TEMPLATE_HEADER_ROW = HEADER_ROW;

const RESULT_NOTE = 'Filled in by the add-in (crego push or the task pane) when you push. Do not edit: it is how a re-run knows what was posted.';

/** The note on header `i` (0-based) of a template: the column's rules, or the result-column warning. */
export function headerNote(kind: SheetKind, i: number): string {
  return i < kind.columns.length ? note(kind.columns[i]) : RESULT_NOTE;
}

/** The first-row line: where to type, given that row 3 is the example. */
export function instructionText(kind: SheetKind): string {
  return `Type one ${kind.noun} per row from row 4 down. Row 3 is an example and is never sent: delete it, or type over it and clear its Status. Then push with: crego push ${kind.name} FILE.xlsx`;
}

type Validations = { add(range: string, v: ExcelJS.DataValidation): void };

/** exceljs keeps range validations in `worksheet.dataValidations` (full and streaming sheets; not in its typings). */
export function validationsOf(ws: unknown): Validations {
  return (ws as unknown as { dataValidations: Validations }).dataValidations;
}

const EARLIEST_DATE = new Date(Date.UTC(2000, 0, 1));

/** The rule Excel checks as a person types in column `letter`, matching what push accepts (../cells.ts). */
function rule(col: ColumnDef, letter: string): Partial<ExcelJS.DataValidation> & { error: string } {
  if (col.allowed || col.type === 'boolean') {
    const list = col.allowed ? col.allowed.join(',') : 'TRUE,FALSE';
    return { type: 'list', formulae: [`"${list}"`], error: `Pick one of ${list}` };
  }
  switch (col.type) {
    case 'amount': return { type: 'decimal', operator: col.allowZero ? 'greaterThanOrEqual' : 'greaterThan', formulae: [0], error: col.hint };
    case 'integer': return { type: 'whole', operator: 'between', formulae: [col.min ?? 0, col.max ?? 1e9], error: col.hint };
    // "not in the future" where the prompt says so: Excel checks it against TODAY() as the date is typed
    // (a formula rule: exceljs writes every bound of a `date` rule as a fixed date).
    case 'date': return col.notInFuture
      ? { type: 'custom', formulae: [`AND(ISNUMBER(${letter}${FIRST_DATA_ROW}),${letter}${FIRST_DATA_ROW}>=DATE(2000,1,1),${letter}${FIRST_DATA_ROW}<=TODAY())`], error: col.hint }
      : { type: 'date', operator: 'greaterThan', formulae: [EARLIEST_DATE], error: col.hint };
    default: return { type: 'textLength', operator: 'lessThanOrEqual', formulae: [col.maxLength ?? 255], error: col.hint };
  }
}

/** One validation per column range, rows 3..lastRow: dropdowns for enums and TRUE/FALSE, bounds for numbers and dates. */
export function addTemplateValidations(validations: Validations, kind: SheetKind, lastRow: number = LAST_TEMPLATE_ROW): void {
  const L = VALIDATION_TEXT_LIMITS;
  kind.columns.forEach((col, i) => {
    const letter = columnLetter(i + 1);
    const { error, ...r } = rule(col, letter);
    validations.add(`${letter}${FIRST_DATA_ROW}:${letter}${lastRow}`, {
      ...r,
      allowBlank: !col.required,
      showInputMessage: true, promptTitle: clip(col.header, L.title), prompt: clip(col.hint, L.prompt),
      // `stop` (Excel's "Stop" style) is the schema's value; `error` is not one (openpyxl refuses the file).
      showErrorMessage: true, errorStyle: 'stop', errorTitle: clip(col.header, L.title), error: clip(error, L.error),
    } as ExcelJS.DataValidation);
  });
}

/** Each column's number format: dates as dates, amounts with 2 decimals, references and result cells as text (keeps 12-digit UTRs). */
function columnFormat(col: ColumnDef | undefined): string | undefined {
  if (!col) return '@';
  if (col.type === 'date') return 'yyyy-mm-dd';
  if (col.type === 'amount') return '#,##0.00';
  if (col.type === 'uuid' || col.type === 'key' || col.type === 'text') return '@';
  return undefined;
}

export function buildTemplate(kind: SheetKind): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Crego for Excel';
  const ws = wb.addWorksheet(kind.sheetName, { views: TEMPLATE_VIEWS });
  const [stampRow, headers, example] = templateRows(kind);
  ws.getCell(1, 1).value = String(stampRow[0]);
  ws.getCell(1, 1).font = { bold: true, color: { argb: 'FF1F4E79' } };
  ws.getCell(1, 3).value = instructionText(kind);
  ws.getCell(1, 3).font = { italic: true, color: { argb: 'FF595959' } };

  const headerRow = ws.getRow(HEADER_ROW);
  headers.forEach((h, i) => {
    const cell = headerRow.getCell(i + 1);
    cell.value = String(h);
    cell.font = { bold: true };
    const isResult = i >= kind.columns.length;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: isResult ? 'FFD9D9D9' : 'FFDDEBF7' } };
    cell.note = headerNote(kind, i);
  });

  kind.columns.forEach((col, i) => {
    ws.getColumn(i + 1).width = Math.max(col.header.length + 4, col.type === 'uuid' ? 38 : col.type === 'key' ? 24 : 14);
  });
  RESULT_HEADERS.forEach((_, j) => {
    ws.getColumn(kind.columns.length + 1 + j).width = j === 2 ? 60 : 20;
  });
  // Column formats (whole columns, rows 3 down): set on each data cell of the template's rows below
  // the headers through the column style, which Excel applies to every cell typed later.
  for (let i = 0; i < kind.columns.length + RESULT_HEADERS.length; i++) {
    const format = columnFormat(kind.columns[i]);
    if (format) ws.getColumn(i + 1).numFmt = format;
  }
  addTemplateValidations(validationsOf(ws), kind);
  // Printing: landscape, one page wide, the header rows repeated on every page.
  ws.pageSetup = { ...ws.pageSetup, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:2' };

  const exampleRow = ws.getRow(FIRST_DATA_ROW);
  example.forEach((v, i) => {
    const cell = exampleRow.getCell(i + 1);
    cell.value = i < kind.columns.length ? exampleCell(kind.columns[i]) : (v as ExcelJS.CellValue) || null;
    cell.font = { italic: true, color: { argb: 'FF808080' } };
  });
  return wb;
}
