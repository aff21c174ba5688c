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

/** Highlight each cell and attach its message as a note (one note per cell; messages for a cell are joined). */
export async function markCells(ctx: Ctx, sheetName: string, marks: readonly CellMark[], options: { notes: boolean }): Promise<string[]> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const byCell = new Map<string, string[]>();
  for (const m of marks) {
    const address = cellAddress(m.row, m.col);
    const list = byCell.get(address) ?? [];
    list.push(m.message);
    byCell.set(address, list);
  }
  const probes: { address: string; text: string; note?: Excel.Note }[] = [];
  for (const [address, messages] of byCell) {
    sheet.getRange(address).format.fill.color = INVALID_FILL;
    const probe: { address: string; text: string; note?: Excel.Note } = { address, text: messages.join('\n') };
    if (options.notes) {
      probe.note = sheet.notes.getItemOrNullObject(address);
      probe.note.load('isNullObject');
    }
    probes.push(probe);
  }
  await ctx.sync();
  if (options.notes) {
    // One round trip for the probes above, one for the writes: a note per cell, replaced if present.
    for (const p of probes) {
      if (p.note && !p.note.isNullObject) p.note.content = p.text;
      else sheet.notes.add(p.address, p.text);
    }
    await ctx.sync();
  }
  return [...byCell.keys()];
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
