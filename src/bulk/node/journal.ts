/**
 * The CLI's write-ahead journal, `<file>.crego-journal.jsonl`: rewriting a 50,000-row workbook before
 * every chunk would be far too slow, so each result update is appended here and flushed to disk
 * (datasync) before the chunk is sent. The workbook is written once at the end, then the journal is
 * removed. A push killed halfway leaves the journal; the next push lays it over the file first, so
 * the rows marked `sending` are reconciled instead of posted blind.
 */
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import type { CellValue } from '../cells';
import { RESULT_HEADERS, type ResultValues } from '../results';
import type { ResultUpdate } from '../push';

interface JournalEntry {
  phase: ResultUpdate['phase'];
  batch: string;
  sheet: string;
  headerIndex: number;
  resultColumn: number;
  /** [values index, fingerprint of the row's identifying cells, result cells]. */
  rows: Array<[number, string, ResultValues]>;
}

export function journalPath(file: string): string {
  return `${file}.crego-journal.jsonl`;
}

/** Identifying cells of a row (account and key columns): catches a file edited between runs. */
export type Fingerprint = (row: readonly CellValue[]) => string;

export class Journal {
  private handle: FileHandle | null = null;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly sheet: string,
    private readonly headerIndex: number,
    private readonly values: readonly (readonly CellValue[])[],
    private readonly fingerprint: Fingerprint,
  ) {}

  /** Append and flush one update; concurrent calls are written one after another. */
  append(update: ResultUpdate): Promise<void> {
    const entry: JournalEntry = {
      phase: update.phase,
      batch: update.batchId,
      sheet: this.sheet,
      headerIndex: this.headerIndex,
      resultColumn: update.resultColumn,
      rows: update.rows.map((r) => [r.index, this.fingerprint(this.values[r.index] ?? []), r.values]),
    };
    const line = `${JSON.stringify(entry)}\n`;
    const write = this.tail.then(async () => {
      this.handle ??= await open(this.path, 'a');
      await this.handle.appendFile(line);
      await this.handle.datasync();
    });
    this.tail = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle?.close();
    this.handle = null;
  }

  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

/**
 * Lay an earlier run's journal over the values (result cells only, later entries win). Returns the
 * restored result cells by values index (the file must get them too, even for rows this push skips);
 * throws when the file no longer matches the journal.
 */
export async function applyJournal(path: string, sheet: string, values: CellValue[][], fingerprint: Fingerprint): Promise<Map<number, ResultValues>> {
  const restored = new Map<number, ResultValues>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return restored;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      continue; // a line cut short by the crash: its chunk was not sent yet (write-ahead is flushed first)
    }
    if (entry.sheet !== sheet) continue;
    const header = values[entry.headerIndex];
    if (header) RESULT_HEADERS.forEach((h, j) => (header[entry.resultColumn + j] = h));
    for (const [index, print, cells] of entry.rows) {
      const row = values[index];
      if (!row || fingerprint(row) !== print) {
        throw new Error(
          `The file changed since the interrupted push (row ${index + 1} is not the row it was). ` +
            `Restore the file as it was, or check the rows in ${path} against Crego and delete that journal.`,
        );
      }
      cells.forEach((v, j) => (row[entry.resultColumn + j] = v));
      restored.set(index, cells);
    }
  }
  return restored;
}
