/**
 * An .xlsx file as the zip package it is, read before any spreadsheet library sees it:
 * - **bounded**: the file's size and the sum of its parts' uncompressed sizes are checked against
 *   READ_LIMITS from the zip's directory before anything is inflated, and every part read through
 *   here is checked against its declared size (yauzl stops a part that inflates past it), so a zip
 *   bomb costs a directory read, not memory;
 * - **which sheet is where**: sheet names, visibility and part paths in workbook order, and the
 *   1904 flag, from `xl/workbook.xml` and its relationships, resolving relative and absolute targets;
 * - **normalised for exceljs** when needed: openpyxl (and other writers) store relationship targets
 *   as absolute part names (`/xl/worksheets/sheet1.xml`), which the format allows and exceljs does
 *   not follow (exceljs issue #2797: its full reader crashes on the notes, its stream reader loses
 *   the sheet names). `normalisedCopy` writes a copy whose targets are relative, every other byte of
 *   every part as it was.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import yazl from 'yazl';

const MiB = 1024 * 1024;

/**
 * What `crego push` reads at most. Rows: a 250,000-row push takes about 2 minutes against Crego and
 * well under 600 MB here (bench/bulk); Excel itself stops at 1,048,576. The byte caps sit far above
 * what 250,000 rows of a bulk sheet take (about 15 MB zipped, 120 MB unzipped) and far below what
 * would exhaust memory.
 */
export const READ_LIMITS = { compressedBytes: 64 * MiB, uncompressedBytes: 512 * MiB, csvBytes: 128 * MiB, rows: 250_000 } as const;

export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

/** How to get under any cap: the same advice in every cap message. */
export const SPLIT_ADVICE = `split the rows into several files of at most ${READ_LIMITS.rows.toLocaleString('en-US')} rows (each with the header row) and push them one after another`;

export interface SheetPart {
  name: string;
  /** `visible`, `hidden` or `veryHidden`. */
  state: string;
  /** Zip path of the worksheet part, e.g. `xl/worksheets/sheet1.xml`. */
  part: string;
}

const REL_WORKSHEET = /\/worksheet$/;

/** The part a relationship of `relsPath` points at: relative to the source part's folder, or absolute from the root. */
export function resolveTarget(relsPath: string, target: string): string {
  if (target.startsWith('/')) return posix.normalize(target.slice(1));
  const sourceDir = posix.dirname(posix.dirname(relsPath)); // xl/_rels/workbook.xml.rels → xl
  return posix.normalize(posix.join(sourceDir === '.' ? '' : sourceDir, target));
}

/** The `Target` of every internal relationship made relative to its source part; false when none was absolute. */
export function relativiseTargets(relsPath: string, xml: string): string | null {
  const sourceDir = posix.dirname(posix.dirname(relsPath));
  let changed = false;
  const out = xml.replace(/<(?:\w+:)?Relationship\b[^>]*>/g, (tag) => {
    if (/\bTargetMode\s*=\s*["']External["']/.test(tag)) return tag;
    return tag.replace(/(\sTarget\s*=\s*)(["'])\/([^"']*)\2/, (_m, pre: string, q: string, abs: string) => {
      changed = true;
      const rel = posix.relative(sourceDir === '.' ? '' : sourceDir, abs) || abs;
      return `${pre}${q}${rel}${q}`;
    });
  });
  return changed ? out : null;
}

function elements(xml: string, onOpen: (name: string, attrs: Record<string, string>) => void): void {
  const parser = new SaxesParser({ xmlns: false });
  parser.on('opentag', (node) => onOpen(node.name.replace(/^\w+:/, ''), node.attributes as Record<string, string>));
  parser.write(xml).close();
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parts that exceljs's stream reader wants before the worksheets, in this order. */
const LEADING_PARTS = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/sharedStrings.xml'];

export class XlsxPackage {
  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    /** Zip path → entry, in the zip's order. */
    readonly entries: Map<string, yauzl.Entry>,
  ) {}

  /** Open and check the caps; a file that is not a zip is refused in words. */
  static async open(file: string, label: string): Promise<XlsxPackage> {
    const size = (await stat(file)).size;
    if (size > READ_LIMITS.compressedBytes) {
      throw new PackageError(`${label} is ${mb(size)}; crego push reads workbooks of at most ${mb(READ_LIMITS.compressedBytes)}: ${SPLIT_ADVICE}`);
    }
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
    } catch {
      throw new PackageError(`${label} is not an Excel workbook (.xlsx is a zip package and this file is not one, or it is damaged). Open it in Excel and save it again as .xlsx, or export it as CSV UTF-8 and push the .csv`);
    }
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      total += entry.uncompressedSize;
      entries.set(entry.fileName.replace(/\\/g, '/'), entry);
    }
    if (total > READ_LIMITS.uncompressedBytes) {
      zip.close();
      throw new PackageError(`${label} unpacks to ${mb(total)}; crego push reads workbooks of at most ${mb(READ_LIMITS.uncompressedBytes)} unpacked: ${SPLIT_ADVICE}`);
    }
    return new XlsxPackage(file, zip, entries);
  }

  close(): void {
    this.zip.close();
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** A part as a stream, stopped with an error if it inflates past its declared size. */
  async stream(path: string): Promise<Readable> {
    const entry = this.entries.get(path);
    if (!entry) throw new PackageError(`the workbook has no part ${path}`);
    return this.zip.openReadStreamPromise(entry);
  }

  async text(path: string): Promise<string | null> {
    if (!this.entries.has(path)) return null;
    return (await readAll(await this.stream(path))).toString('utf8');
  }

  /** Sheets in workbook order, with their part paths; and whether dates count from 1904. */
  async workbook(): Promise<{ sheets: SheetPart[]; date1904: boolean }> {
    const rootRels = (await this.text('_rels/.rels')) ?? '';
    let workbookPart = 'xl/workbook.xml';
    elements(rootRels, (name, a) => {
      if (name === 'Relationship' && /\/officeDocument$/.test(a.Type ?? '') && a.Target) workbookPart = resolveTarget('_rels/.rels', a.Target);
    });
    const xml = await this.text(workbookPart);
    if (xml === null) throw new PackageError('the workbook part is missing');
    const relsPath = posix.join(posix.dirname(workbookPart), '_rels', `${posix.basename(workbookPart)}.rels`);
    const targets = new Map<string, string>();
    elements((await this.text(relsPath)) ?? '', (name, a) => {
      if (name === 'Relationship' && REL_WORKSHEET.test(a.Type ?? '') && a.Id && a.Target) targets.set(a.Id, resolveTarget(relsPath, a.Target));
    });
    const sheets: SheetPart[] = [];
    let date1904 = false;
    elements(xml, (name, a) => {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name !== 'sheet') return;
      const id = Object.entries(a).find(([k]) => /(^|:)id$/.test(k) && k !== 'sheetId')?.[1];
      const part = id ? targets.get(id) : undefined;
      if (part) sheets.push({ name: a.name ?? '', state: a.state ?? 'visible', part });
    });
    return { sheets, date1904 };
  }

  /** True when some internal relationship target is absolute (exceljs cannot follow it). */
  async needsNormalising(): Promise<boolean> {
    for (const path of this.entries.keys()) {
      if (!path.endsWith('.rels')) continue;
      if (relativiseTargets(path, (await this.text(path)) ?? '') !== null) return true;
    }
    return false;
  }

  /** Write a copy for exceljs: relative targets, and the parts its stream reader needs first at the front. */
  async normalisedCopy(out: string): Promise<void> {
    const zip = new yazl.ZipFile();
    const order = [...LEADING_PARTS.filter((p) => this.entries.has(p)), ...[...this.entries.keys()].filter((p) => !LEADING_PARTS.includes(p))];
    const written = pipeline(zip.outputStream, createWriteStream(out));
    for (const path of order) {
      if (path.endsWith('.rels')) {
        const xml = (await this.text(path)) ?? '';
        zip.addBuffer(Buffer.from(relativiseTargets(path, xml) ?? xml, 'utf8'), path);
      } else {
        zip.addReadStreamLazy(path, (cb) => void this.stream(path).then((s) => cb(null, s), (e) => cb(e, undefined as never)));
      }
    }
    zip.end();
    await written;
  }
}

export function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MB`;
}
