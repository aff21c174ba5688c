/**
 * From the bulk engine's messages to cells: a problem reads `Row 14, Amount: "1,20,000.5x" is not a
 * number` (several joined by ` | `); the row number is the sheet's and the header names a column
 * of the kind, found in the sheet's layout. Pure, so it is tested without Excel.
 */
import { normaliseHeader, type SheetLayout } from '../bulk/sheet';
import type { SheetKind } from '../bulk/kinds/types';
import type { ProblemStatus } from '../bulk/results';
import { cellAddress } from '../excel/address';

export interface CellProblem {
  /** Zero-based sheet row and column of the cell to show. */
  row: number;
  col: number;
  address: string;
  message: string;
  status: ProblemStatus;
}

const ROW_HEADER = /^Row (\d+), ([^:]+):/;

/**
 * One entry per message part. `blockCol` is the sheet column of the values' first column; a part
 * without a known header points at the row's Status cell (failed rows) or its first column.
 */
export function problemCells(
  kind: SheetKind,
  layout: SheetLayout,
  blockCol: number,
  problems: readonly { row: number; status: ProblemStatus; message: string }[],
): CellProblem[] {
  const out: CellProblem[] = [];
  for (const p of problems) {
    for (const part of p.message.split(' | ')) {
      const m = ROW_HEADER.exec(part);
      const row = (m ? Number(m[1]) : p.row) - 1;
      let col = blockCol + (p.status === 'invalid' ? firstColumn(layout) : layout.resultColumn);
      if (m) {
        const header = normaliseHeader(m[2]);
        const def = kind.columns.find((c) => normaliseHeader(c.header) === header || normaliseHeader(c.field) === header);
        const at = def ? layout.columns.get(def.field) : undefined;
        if (at !== undefined) col = blockCol + at;
      }
      out.push({ row, col, address: cellAddress(row, col), message: m ? part : `Row ${p.row}: ${part}`, status: p.status });
    }
  }
  return out;
}

function firstColumn(layout: SheetLayout): number {
  return Math.min(...layout.columns.values());
}
