/**
 * Highlights and notes on cells that failed validation or posting. A mark is a light red fill plus,
 * where the host supports notes (ExcelApi 1.18), a note with the message, so the reason is visible
 * when hovering the cell even after the pane is closed.
 */
import { cellAddress } from './address';
import type { Ctx } from './run';

/** Fluent's danger background: readable behind black text. */
export const INVALID_FILL = '#FDE7E9';

export interface CellMark {
  /** Zero-based sheet row and column. */
  row: number;
  col: number;
  message: string;
}

/** Messages grouped by cell address (several problems on one cell make one note). */
function byCell(marks: readonly CellMark[]): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const m of marks) {
    const address = cellAddress(m.row, m.col);
    out.set(address, [...(out.get(address) ?? []), m.message]);
  }
  return new Map([...out].map(([a, list]) => [a, list.join('\n')]));
}

/** Put a note on each cell (replacing one already there): two round trips whatever the count. */
export async function setNotes(ctx: Ctx, sheetName: string, notes: readonly CellMark[]): Promise<string[]> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const probes = [...byCell(notes)].map(([address, text]) => {
    const note = sheet.notes.getItemOrNullObject(address);
    note.load('isNullObject');
    return { address, text, note };
  });
  await ctx.sync();
  for (const p of probes) {
    if (p.note.isNullObject) sheet.notes.add(p.address, p.text);
    else p.note.content = p.text;
  }
  await ctx.sync();
  return probes.map((p) => p.address);
}

/** Highlight each cell and, with `notes`, attach its message(s) as a note. Returns the marked addresses. */
export async function markCells(ctx: Ctx, sheetName: string, marks: readonly CellMark[], options: { notes: boolean }): Promise<string[]> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const cells = [...byCell(marks).keys()];
  for (const address of cells) sheet.getRange(address).format.fill.color = INVALID_FILL;
  if (options.notes) await setNotes(ctx, sheetName, marks);
  else await ctx.sync();
  return cells;
}

/** Remove the fill from a block and delete the notes of previously marked cells. */
export async function clearMarks(
  ctx: Ctx,
  sheetName: string,
  block: { row: number; col: number; rows: number; cols: number },
  markedCells: readonly string[],
  options: { notes: boolean },
): Promise<void> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  if (block.rows > 0 && block.cols > 0) sheet.getRangeByIndexes(block.row, block.col, block.rows, block.cols).format.fill.clear();
  if (options.notes) {
    const notes = markedCells.map((address) => {
      const n = sheet.notes.getItemOrNullObject(address);
      n.load('isNullObject');
      return n;
    });
    await ctx.sync();
    for (const n of notes) if (!n.isNullObject) n.delete();
  }
  await ctx.sync();
}
