/**
 * The write-back: the result cells set into one worksheet's XML as it streams by, every other byte
 * of the workbook left as its writer saved it. Nothing of the user's (cells, formats, notes,
 * dropdowns, merges, other sheets, names, formulas) is parsed into a model and written out again,
 * so nothing can be lost or doubled (exceljs issue #2820 doubled every data validation per save),
 * at any size: memory holds one row of XML at a time.
 *
 * Result cells are written as inline strings (`t="inlineStr"`), which Excel, openpyxl and
 * LibreOffice read and which are never formulas; an existing cell keeps its style (`s`).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { ResultValues } from '../results';
import { columnLetters } from '../sheet';

export { columnLetters };

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

/** Text as XML character data: escaped, and without the control characters XML 1.0 cannot hold. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(["'])(.*?)\\1`).exec(tag);
  return m ? m[2] : undefined;
}

const CELL = /<(?:\w+:)?c\b[^>]*?(?:\/>|>[\s\S]*?<\/(?:\w+:)?c>)/g;

/**
 * A Transform over a worksheet part that writes `results` (sheet row number → the six result
 * values) starting at 1-based column `firstColumn`. Rows missing from the XML are added in order.
 */
export class ResultCellWriter extends Transform {
  private buf = '';
  private state: 'head' | 'rows' | 'tail' = 'head';
  private prefix = '';
  private lastRow = 0;
  /** Row numbers with results, ascending; `next` is the first not yet written (no shifting: 200,000 rows). */
  private readonly rowsWithResults: number[];
  private next = 0;
  private readonly maxRow: number;
  private readonly lastColumn: number;

  constructor(
    private readonly results: ReadonlyMap<number, ResultValues>,
    private readonly firstColumn: number,
  ) {
    super();
    this.rowsWithResults = [...results.keys()].sort((a, b) => a - b);
    this.maxRow = this.rowsWithResults.at(-1) ?? 0;
    this.lastColumn = firstColumn + 5;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf += chunk.toString('utf8');
    try {
      this.work();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.work();
      if (this.state !== 'tail') throw new Error('the sheet has no cell data (no <sheetData>)');
      this.push(this.buf);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private out(s: string): void {
    if (s) this.push(s);
  }

  private work(): void {
    if (this.state === 'head') this.head();
    if (this.state === 'rows') this.rows();
    if (this.state === 'tail') {
      this.out(this.buf);
      this.buf = '';
    }
  }

  /** Up to and including `<sheetData>`, with the dimension widened to the result cells. */
  private head(): void {
    const open = /<(\w+:)?sheetData\b[^>]*?(\/?)>/.exec(this.buf);
    if (!open) {
      // Keep enough of the tail for a tag cut in two.
      const keep = Math.max(0, this.buf.lastIndexOf('<'));
      this.out(this.widenDimension(this.buf.slice(0, keep)));
      this.buf = this.buf.slice(keep);
      return;
    }
    this.prefix = open[1] ?? '';
    const before = this.widenDimension(this.buf.slice(0, open.index));
    if (open[2] === '/') {
      this.out(`${before}<${this.prefix}sheetData>${this.newRows(Infinity)}</${this.prefix}sheetData>`);
      this.buf = this.buf.slice(open.index + open[0].length);
      this.state = 'tail';
      return;
    }
    this.out(before + open[0]);
    this.buf = this.buf.slice(open.index + open[0].length);
    this.state = 'rows';
  }

  private rows(): void {
    for (;;) {
      const lt = this.buf.indexOf('<');
      if (lt < 0) {
        this.out(this.buf);
        this.buf = '';
        return;
      }
      if (lt > 0) {
        this.out(this.buf.slice(0, lt));
        this.buf = this.buf.slice(lt);
      }
      const end = /^<\/(?:\w+:)?sheetData\s*>/.exec(this.buf);
      if (end) {
        this.out(this.newRows(Infinity));
        this.state = 'tail';
        return;
      }
      if (!/^<(?:\w+:)?row\b/.test(this.buf)) {
        const gt = this.buf.indexOf('>');
        if (gt < 0) return; // a tag cut in two: wait for more
        this.out(this.buf.slice(0, gt + 1));
        this.buf = this.buf.slice(gt + 1);
        continue;
      }
      const openEnd = this.buf.indexOf('>');
      if (openEnd < 0) return;
      let rowEnd: number;
      if (this.buf[openEnd - 1] === '/') rowEnd = openEnd + 1;
      else {
        const close = /<\/(?:\w+:)?row\s*>/.exec(this.buf.slice(openEnd));
        if (!close) return;
        rowEnd = openEnd + close.index + close[0].length;
      }
      this.out(this.row(this.buf.slice(0, rowEnd)));
      this.buf = this.buf.slice(rowEnd);
    }
  }

  private row(xml: string): string {
    const openEnd = xml.indexOf('>');
    const selfClosing = xml[openEnd - 1] === '/';
    const openTag = xml.slice(0, selfClosing ? openEnd - 1 : openEnd);
    const r = Number(attr(openTag, 'r') ?? this.lastRow + 1);
    this.lastRow = r;
    const before = this.newRows(r);
    const vals = this.results.get(r);
    if (!vals) return before + xml;
    if (this.rowsWithResults[this.next] === r) this.next++;
    const inner = selfClosing ? '' : xml.slice(openEnd + 1, xml.lastIndexOf('<'));
    const closeTag = selfClosing ? `</${this.prefix}row>` : xml.slice(xml.lastIndexOf('<'));
    // `spans` is an optional hint of the row's used columns; the result cells may widen it.
    const tag = `${openTag.replace(/\sspans\s*=\s*(["']).*?\1/, '')}>`;
    return `${before}${tag}${this.cells(inner, r, vals)}${closeTag}`;
  }

  /** The row's cells with the result range replaced, in column order. */
  private cells(inner: string, r: number, vals: ResultValues): string {
    const out: string[] = [];
    const styles = new Map<number, string>();
    let col = 0;
    let placed = false;
    let last = 0;
    const place = () => {
      if (placed) return;
      placed = true;
      vals.forEach((v, j) => out.push(this.cell(r, this.firstColumn + j, v, styles.get(this.firstColumn + j))));
    };
    for (const m of inner.matchAll(CELL)) {
      out.push(inner.slice(last, m.index)); // whitespace between cells, kept
      last = m.index + m[0].length;
      const openTag = /^<[^>]*?\/?>/.exec(m[0])![0];
      const ref = attr(openTag, 'r');
      col = ref ? columnNumber(ref.replace(/\d+$/, '')) : col + 1;
      if (col < this.firstColumn) out.push(m[0]);
      else if (col <= this.lastColumn) {
        const s = attr(openTag, 's');
        if (s !== undefined) styles.set(col, s);
      } else {
        place();
        out.push(m[0]);
      }
    }
    // Styles of replaced cells are known only once the whole range is seen: place at the end when not yet placed.
    if (!placed) {
      placed = true;
      vals.forEach((v, j) => out.push(this.cell(r, this.firstColumn + j, v, styles.get(this.firstColumn + j))));
    }
    out.push(inner.slice(last));
    return out.join('');
  }

  private cell(r: number, col: number, value: string, style: string | undefined): string {
    const p = this.prefix;
    const ref = `${columnLetters(col)}${r}`;
    const s = style === undefined ? '' : ` s="${style}"`;
    if (value === '') return style === undefined ? '' : `<${p}c r="${ref}"${s}/>`;
    return `<${p}c r="${ref}"${s} t="inlineStr"><${p}is><${p}t xml:space="preserve">${xmlText(value)}</${p}t></${p}is></${p}c>`;
  }

  /** Rows with results that the XML lacks, numbered below `before`. */
  private newRows(before: number): string {
    let out = '';
    while (this.next < this.rowsWithResults.length && this.rowsWithResults[this.next] < before) {
      const r = this.rowsWithResults[this.next++];
      out += `<${this.prefix}row r="${r}">${this.cells('', r, this.results.get(r)!)}</${this.prefix}row>`;
    }
    return out;
  }

  private widenDimension(xml: string): string {
    return xml.replace(/(<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*)(["'])([^"']*)\2/, (_m, pre: string, q: string, ref: string) => {
      const [a, b = a] = ref.split(':');
      const cell = (x: string) => /^([A-Z]+)(\d+)$/i.exec(x);
      const from = cell(a);
      const to = cell(b);
      if (!from || !to) return `${pre}${q}${ref}${q}`;
      const maxRow = Math.max(Number(to[2]), this.maxRow);
      const maxCol = Math.max(columnNumber(to[1]), this.lastColumn);
      return `${pre}${q}${from[1]}${from[2]}:${columnLetters(maxCol)}${maxRow}${q}`;
    });
  }
}
