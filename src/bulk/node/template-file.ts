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

/** Rows that get dropdowns and formats (Excel stores a validation per range, so this costs nothing). */
export const TEMPLATE_ROWS = 5000;
const HEADER_ROW = 2;
const FIRST_DATA_ROW = 3;

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function note(col: ColumnDef): string {
  const parts = [col.required ? 'Required.' : 'Optional.', col.hint];
  if (col.allowed) parts.push(`Allowed: ${col.allowed.join(', ')}.`);
  parts.push(`API field: ${col.field}.`);
  return parts.join(' ');
}

function exampleCell(col: ColumnDef): ExcelJS.CellValue {
  // exceljs writes a Date as the date cell whose UTC fields it carries.
  if (col.type === 'date' && typeof col.example === 'string') return new Date(`${col.example}T00:00:00Z`);
  return col.example;
}

/** Row 2 frozen under the stamp and the headers. */
export const TEMPLATE_VIEWS: Array<Partial<ExcelJS.WorksheetView>> = [{ state: 'frozen', ySplit: HEADER_ROW }];
export const TEMPLATE_HEADER_ROW = HEADER_ROW;

const RESULT_NOTE = 'Filled by Crego when you push. Do not edit: it is how a re-run knows what was posted.';

/** The note on header `i` (0-based) of a template: the column's rules, or the result-column warning. */
export function headerNote(kind: SheetKind, i: number): string {
  return i < kind.columns.length ? note(kind.columns[i]) : RESULT_NOTE;
}

type Validations = { add(range: string, v: ExcelJS.DataValidation): void };

/** exceljs keeps range validations in `worksheet.dataValidations` (full and streaming sheets; not in its typings). */
export function validationsOf(ws: unknown): Validations {
  return (ws as unknown as { dataValidations: Validations }).dataValidations;
}

/** One validation per column range, rows 3..lastRow: dropdowns for enums and TRUE/FALSE, bounds for numbers and dates. */
export function addTemplateValidations(validations: Validations, kind: SheetKind, lastRow: number = TEMPLATE_ROWS): void {
  kind.columns.forEach((col, i) => {
    const letter = columnLetter(i + 1);
    const range = `${letter}${FIRST_DATA_ROW}:${letter}${lastRow}`;
    const prompt = { showInputMessage: true, promptTitle: col.header, prompt: col.hint.slice(0, 250) };
    const error = { showErrorMessage: true, errorStyle: 'error', errorTitle: col.header };
    if (col.allowed || col.type === 'boolean') {
      const list = col.allowed ? col.allowed.join(',') : 'TRUE,FALSE';
      validations.add(range, { type: 'list', allowBlank: !col.required, formulae: [`"${list}"`], ...prompt, ...error, error: `Pick one of ${list}` } as ExcelJS.DataValidation);
    } else if (col.type === 'amount') {
      validations.add(range, { type: 'decimal', operator: col.allowZero ? 'greaterThanOrEqual' : 'greaterThan', allowBlank: !col.required, formulae: [0], ...prompt, ...error, error: col.hint } as ExcelJS.DataValidation);
    } else if (col.type === 'integer') {
      validations.add(range, { type: 'whole', operator: 'between', allowBlank: !col.required, formulae: [col.min ?? 0, col.max ?? 1e9], ...prompt, ...error, error: col.hint } as ExcelJS.DataValidation);
    } else if (col.type === 'date') {
      validations.add(range, { type: 'date', operator: 'greaterThan', allowBlank: !col.required, formulae: [new Date(Date.UTC(2000, 0, 1))], ...prompt, ...error, error: col.hint } as ExcelJS.DataValidation);
    } else {
      validations.add(range, { type: 'textLength', operator: 'lessThanOrEqual', allowBlank: !col.required, formulae: [col.maxLength ?? 255], ...prompt, ...error, error: col.hint } as ExcelJS.DataValidation);
    }
  });
}

export function buildTemplate(kind: SheetKind): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Crego for Excel';
  const ws = wb.addWorksheet(kind.sheetName, { views: TEMPLATE_VIEWS });
  const [stampRow, headers, example] = templateRows(kind);
  ws.getCell(1, 1).value = String(stampRow[0]);
  ws.getCell(1, 1).font = { bold: true, color: { argb: 'FF1F4E79' } };
  ws.getCell(1, 3).value = 'Fill one row per ' + kind.noun + ' from row 3 down. Push with: crego push ' + kind.name + ' FILE.xlsx';
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
    for (let r = FIRST_DATA_ROW; r <= TEMPLATE_ROWS; r++) {
      const cell = ws.getCell(r, i + 1);
      if (col.type === 'date') cell.numFmt = 'yyyy-mm-dd';
      else if (col.type === 'amount') cell.numFmt = '#,##0.00';
      else if (col.type === 'uuid' || col.type === 'key' || col.type === 'text') cell.numFmt = '@'; // keeps 12-digit UTRs as text
    }
  });
  addTemplateValidations(validationsOf(ws), kind);
  RESULT_HEADERS.forEach((_, j) => {
    ws.getColumn(kind.columns.length + 1 + j).width = j === 2 ? 60 : 20;
  });

  const exampleRow = ws.getRow(FIRST_DATA_ROW);
  example.forEach((v, i) => {
    const cell = exampleRow.getCell(i + 1);
    cell.value = i < kind.columns.length ? exampleCell(kind.columns[i]) : (v as ExcelJS.CellValue) || null;
    cell.font = { italic: true, color: { argb: 'FF808080' } };
  });
  return wb;
}
