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

/**
 * Cells per request when marking or clearing one by one. Excel on the web refuses a request over 5 MB
 * (RequestPayloadSizeLimitExceeded), and the size of one operation is not documented: a few hundred
 * bytes per cell (range path, fill or note text up to a few hundred characters) keeps 500 cells far
 * below it, so a Validate marking a whole bad column of 5,000 rows is ten small requests, not one big one.
 */
export const MARK_CHUNK_CELLS = 500;

/** `items` in runs of `size`. */
function chunks<T>(items: readonly T[], size = MARK_CHUNK_CELLS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Put a note on each cell (replacing one already there): two round trips per 500 cells. */
export async function setNotes(ctx: Ctx, sheetName: string, notes: readonly CellMark[]): Promise<string[]> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const done: string[] = [];
  for (const part of chunks([...byCell(notes)])) {
    const probes = part.map(([address, text]) => {
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
    done.push(...probes.map((p) => p.address));
  }
  return done;
}

/**
 * What the add-in remembers about its own marks on one sheet: the marked cells (their notes are
 * ours to delete) and, for each of them that had a fill of the user's before, that fill.
 */
export interface MarkMemory {
  cells: string[];
  /** Address → the user's fill colour the mark covered (cells that had no fill are absent). */
  fills: Map<string, string>;
}

export const NO_MARKS: MarkMemory = { cells: [], fills: new Map() };

/** Cells per fill-reading request: per-cell properties are far heavier than values. */
export const FILL_SCAN_CELLS = 10_000;

/** Excel reports "no fill" as white; a colour compared case-insensitively (Excel answers `#FDE7E9`). */
function isMarkFill(color: string | undefined | null): boolean {
  return typeof color === 'string' && color.toUpperCase() === INVALID_FILL;
}
function isNoFill(color: string | undefined | null): boolean {
  return !color || color.toUpperCase() === '#FFFFFF';
}

/** The fill colour of each of these cells, one round trip per 500 cells. */
async function fillsOf(ctx: Ctx, sheetName: string, addresses: readonly string[]): Promise<Map<string, string>> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const out = new Map<string, string>();
  for (const part of chunks(addresses)) {
    const probes = part.map((address) => ({ address, props: sheet.getRange(address).getCellProperties({ format: { fill: { color: true } } }) }));
    await ctx.sync();
    for (const p of probes) out.set(p.address, p.props.value[0]?.[0]?.format?.fill?.color ?? '');
  }
  return out;
}

/**
 * Highlight each cell and, with `notes`, attach its message(s) as a note. Returns the marked cells
 * and the user's own fills they covered, so `clearMarks` can put those back.
 */
export async function markCells(ctx: Ctx, sheetName: string, marks: readonly CellMark[], options: { notes: boolean }): Promise<MarkMemory> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const cells = [...byCell(marks).keys()];
  const before = cells.length > 0 ? await fillsOf(ctx, sheetName, cells) : new Map<string, string>();
  const fills = new Map([...before].filter(([, color]) => !isNoFill(color) && !isMarkFill(color)));
  for (const part of chunks(cells)) {
    for (const address of part) sheet.getRange(address).format.fill.color = INVALID_FILL;
    await ctx.sync();
  }
  if (options.notes) await setNotes(ctx, sheetName, marks);
  return { cells, fills };
}

/**
 * Remove the add-in's marks from a block: only cells whose fill is exactly the mark colour lose it
 * (or get back the user's fill the mark covered), and the notes of previously marked cells go.
 *
 * Why by colour rather than a stored list of marked cells (in a hidden sheet, a custom XML part or
 * document settings): a stored list goes stale the moment the user inserts or deletes rows, sorts,
 * renames the sheet or reopens the pane, and then it either misses marks or clears a cell that is
 * now someone else's. The mark colour lives in the cell itself and moves with it, so it is right
 * after any of those; a cell the user re-coloured after we marked it is no longer ours and is left
 * alone. The one cost: a user who picks exactly #FDE7E9 for their own highlight in the data block
 * sees it cleared. The fills a mark covered are remembered in `memory` (pane memory, by address) and
 * put back; after a pane reload that memory is gone and such a cell is left with no fill.
 */
export async function clearMarks(
  ctx: Ctx,
  sheetName: string,
  block: { row: number; col: number; rows: number; cols: number },
  memory: MarkMemory,
  options: { notes: boolean; scanCells?: number },
): Promise<string[]> {
  const sheet = ctx.workbook.worksheets.getItem(sheetName);
  const cleared: string[] = [];
  if (block.rows > 0 && block.cols > 0) {
    const sliceRows = Math.max(1, Math.floor((options.scanCells ?? FILL_SCAN_CELLS) / block.cols));
    for (let start = 0; start < block.rows; start += sliceRows) {
      const rows = Math.min(sliceRows, block.rows - start);
      const props = sheet.getRangeByIndexes(block.row + start, block.col, rows, block.cols).getCellProperties({ format: { fill: { color: true } } });
      await ctx.sync();
      props.value.forEach((line, i) =>
        line.forEach((p, j) => {
          if (isMarkFill(p.format?.fill?.color)) cleared.push(cellAddress(block.row + start + i, block.col + j));
        }),
      );
    }
  }
  for (const part of chunks(cleared)) {
    for (const address of part) {
      const fill = sheet.getRange(address).format.fill;
      const previous = memory.fills.get(address);
      if (previous) fill.color = previous;
      else fill.clear();
    }
    await ctx.sync();
  }
  if (options.notes) {
    for (const part of chunks(memory.cells)) {
      const notes = part.map((address) => {
        const n = sheet.notes.getItemOrNullObject(address);
        n.load('isNullObject');
        return n;
      });
      await ctx.sync();
      for (const n of notes) if (!n.isNullObject) n.delete();
      await ctx.sync();
    }
  }
  return cleared;
}
