/**
 * Step one of a push, with no client: read every data row of the sheet, skip what needs no work (blank,
 * the template's example, posted earlier), validate the rest, give each its stable key, refuse repeats,
 * and sort the rows into those to send and those to look up first (left `sending` or `unknown` by an earlier push).
 * The second step, sending, is src/bulk/push-run.ts.
 */
import type { UtrScope } from '../api/profile';
import { parseUuid, type CellValue } from './cells';
import type { RowItem, SheetKind } from './kinds/types';
import { pushMessages, type PushMessages } from './messages';
import { EMPTY_RESULT, RESULT_HEADERS, isUnsettledStatus, readResult, resultToValues, stamp, type PushCounts, type ResultValues, type RowResult } from './results';
import type { SheetLayout } from './sheet';
import { checkRow, DuplicateFinder, isBlankRow, stillExample } from './validate';

/** A row on its way to Crego (or to a lookup in Crego). */
export interface Candidate {
  /** 0-based index into the sheet's values. */
  index: number;
  /** Sheet row number. */
  row: number;
  account: string;
  key: string;
  /** Request item (null for a `sending`/`unknown` row that no longer validates: it can still be reconciled). */
  item: RowItem | null;
  /** Times this run sent the row. */
  sends: number;
  /** Crego's id, once known (a pending row's, from its result cells). */
  id?: string;
}

/** The rows of one sheet as the push sees them; the send step updates `results`, `current` and `counts`. */
export interface Plan {
  /** One entry per values row: the new result cells, or null where nothing changes. */
  results: Array<ResultValues | null>;
  /** Each row's result as last read or set. */
  current: RowResult[];
  counts: PushCounts;
  /** Posted rows whose result cells do not match them: reported as invalid, their Status left as it is. */
  flagged: Set<number>;
  toSend: Candidate[];
  /** Rows an earlier push left `sending`: looked up by key before anything is sent. */
  toReconcile: Candidate[];
  /** Rows Crego accepted but had not applied (`pending`): re-checked by key, never sent again. */
  toSettle: Candidate[];
}

export interface PlanOptions {
  /** Sheet row number of `values[0]`. */
  firstRow: number;
  /** Today's Indian date as an Excel serial. */
  todaySerial: number;
  now(): number;
  /** Where a UTR must be unique (the API profile's `utrScope`); default per account. */
  utrScope?: UtrScope;
}

export function emptyCounts(): PushCounts {
  return { posted: 0, alreadyThere: 0, failed: 0, unknown: 0, invalid: 0, skipped: 0, ready: 0, rows: 0, pending: 0, rejected: 0 };
}

/**
 * The key of a row left without one: derived from the row's content (every field but the key), so the
 * same fee pushed again from a copy of the sheet that lost its Key column (a fresh export, a workbook
 * closed without saving after the pane's push) gets the same key, and Crego refuses it as a duplicate
 * instead of levying it twice. FNV-1a over two seeds (64 bits): synchronous, so 50,000 rows stay cheap.
 */
export function contentKey(kind: SheetKind, item: RowItem): string {
  const text = JSON.stringify(kind.columns.filter((c) => c.field !== kind.keyField).map((c) => item[c.field] ?? null));
  const hash = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return `XL-${hash(0x811c9dc5)}${hash(0x050c5d1f)}`;
}

/**
 * The key in the row and the one its result cells say was sent. Leading zeros are ignored between
 * digit-only keys: a Key cell Excel read as a number (`000123` written into a General cell) lost them.
 */
function sameKey(typed: string, sent: string): boolean {
  if (typed.toLowerCase() === sent.toLowerCase()) return true;
  return /^\d+$/.test(typed) && /^\d+$/.test(sent) && typed.replace(/^0+/, '') === sent.replace(/^0+/, '');
}

/** Read, validate, key and sort every data row. */
export function planRows(kind: SheetKind, layout: SheetLayout, values: readonly (readonly CellValue[])[], opts: PlanOptions): Plan {
  const plan: Plan = { results: values.map(() => null), current: [], counts: emptyCounts(), flagged: new Set(), toSend: [], toReconcile: [], toSettle: [] };
  plan.results[layout.headerIndex] = [...RESULT_HEADERS];
  const reader = new RowReader(kind, layout, plan, opts);
  for (let i = layout.headerIndex + 1; i < values.length; i++) reader.read(i, values[i] ?? []);
  return plan;
}

/** One row at a time into the plan; the duplicate finder remembers every key seen so far. */
class RowReader {
  private readonly dupes: DuplicateFinder;
  private readonly say: PushMessages;
  private readonly keyColumn: number | undefined;

  constructor(
    private readonly kind: SheetKind,
    private readonly layout: SheetLayout,
    private readonly plan: Plan,
    private readonly opts: PlanOptions,
  ) {
    this.dupes = new DuplicateFinder(kind, opts.utrScope);
    this.say = pushMessages(kind);
    this.keyColumn = layout.columns.get(kind.keyField);
  }

  read(i: number, row: readonly CellValue[]): void {
    const prior = readResult(row, this.layout.resultColumn);
    this.plan.current[i] = prior;
    if (isBlankRow(this.kind, this.layout, row)) return;
    if (prior.status === 'example') {
      // Never sent while its Status says `example`, as its note says; typed over, it is told so.
      if (!stillExample(this.kind, this.layout, row, this.opts.todaySerial)) this.set(i, { ...prior, message: this.say.exampleTypedOver });
      return;
    }
    this.plan.counts.rows++;
    if (prior.status === 'posted') this.readPosted(i, row, prior);
    else if (isUnsettledStatus(prior.status)) this.readUnsettled(i, row, prior);
    else if (prior.status === 'pending') this.readPending(i, row, prior);
    else if (prior.status === 'rejected' && this.sameKeyAsSent(row, prior)) this.readRejected(i, row, prior);
    else this.readNew(i, row, prior);
  }

  /** True when the row still carries the key its result cells say was sent (or has no key of its own typed). */
  private sameKeyAsSent(row: readonly CellValue[], prior: RowResult): boolean {
    const typed = this.keyColumn === undefined ? '' : String(row[this.keyColumn] ?? '').trim();
    return !typed || !prior.key || sameKey(typed, prior.key);
  }

  /** Accepted, not yet applied: never sent again; looked up by the key it was sent with, to settle it. */
  private readPending(i: number, row: readonly CellValue[], prior: RowResult): void {
    const account = this.accountOf(row);
    const typed = this.keyColumn === undefined ? '' : String(row[this.keyColumn] ?? '').trim();
    const key = prior.key || typed;
    if (account && key) this.dupes.claim(account, key, this.rowNumber(i));
    this.plan.toSettle.push({ index: i, row: this.rowNumber(i), account, key, item: null, sends: 0, id: prior.id });
  }

  /**
   * Rejected by Crego after it accepted the row: final. Its key stays taken in Crego, so it is not sent
   * again (a corrected key makes it a new row instead); it still counts, since it needs a person.
   */
  private readRejected(i: number, row: readonly CellValue[], prior: RowResult): void {
    const account = this.accountOf(row);
    const key = prior.key || (this.keyColumn === undefined ? '' : String(row[this.keyColumn] ?? '').trim());
    if (account && key) this.dupes.claim(account, key, this.rowNumber(i));
    this.plan.counts.rejected++;
  }

  private set(i: number, r: RowResult): void {
    this.plan.current[i] = r;
    this.plan.results[i] = resultToValues(r);
  }

  private rowNumber(i: number): number {
    return this.opts.firstRow + i;
  }

  private accountOf(row: readonly CellValue[]): string {
    const a = parseUuid(row[this.layout.columns.get('account')!]);
    return a.ok ? a.value : '';
  }

  /** Posted rows are never re-sent; their keys still count for duplicates further down. */
  private readPosted(i: number, row: readonly CellValue[], prior: RowResult): void {
    const account = this.accountOf(row);
    const typed = this.keyColumn === undefined ? '' : String(row[this.keyColumn] ?? '').trim();
    const key = prior.key || typed;
    if (account && key) this.dupes.claim(account, key, this.rowNumber(i));
    if (prior.key && typed && !sameKey(typed, prior.key)) {
      // The result cells say another key was posted: they belong to another row (a sort or insert that
      // left the result columns behind) or the key was changed after posting. Skipping could lose this
      // row and sending could post a payment twice, so neither happens until a person checks.
      this.set(i, { ...prior, message: this.say.postedWithOtherKey(this.rowNumber(i), typed, prior.key, prior.id) });
      this.plan.flagged.add(i);
      this.plan.counts.invalid++;
      return;
    }
    this.plan.counts.skipped++;
  }

  /** Sent before without a known outcome (`sending`, `unknown`): looked up by the key that was sent, before anything else. */
  private readUnsettled(i: number, row: readonly CellValue[], prior: RowResult): void {
    const { kind } = this;
    const check = checkRow(kind, this.layout, row, this.rowNumber(i), this.opts.todaySerial);
    const account = check.item ? String(check.item.account) : this.accountOf(row);
    const key = prior.key || (check.item ? String(check.item[kind.keyField] ?? '') : '');
    if (!account || !key) {
      this.set(i, { ...prior, message: this.say.sendingUncheckable(check.problems.join(' ')) });
      this.plan.counts.unknown++;
      return;
    }
    if (check.item) check.item[kind.keyField] = check.item[kind.keyField] || key;
    this.dupes.claim(account, key, this.rowNumber(i));
    this.plan.toReconcile.push({ index: i, row: this.rowNumber(i), account, key, item: check.item, sends: 0 });
  }

  private readNew(i: number, row: readonly CellValue[], prior: RowResult): void {
    const { kind } = this;
    const check = checkRow(kind, this.layout, row, this.rowNumber(i), this.opts.todaySerial);
    if (!check.item) return this.invalid(i, prior, check.problems.join(' | '));
    const item = check.item;
    // A generated key, once written, is the row's key for good: reuse it rather than making a new one.
    const typedKey = String(item[kind.keyField] ?? '');
    const key = typedKey || prior.key || contentKey(kind, item);
    item[kind.keyField] = key;
    const dup = this.dupes.claim(String(item.account), key, this.rowNumber(i), !typedKey && !prior.key);
    if (dup) return this.invalid(i, prior, dup);
    this.plan.toSend.push({ index: i, row: this.rowNumber(i), account: String(item.account), key, item, sends: 0 });
  }

  private invalid(i: number, prior: RowResult, message: string): void {
    this.set(i, { ...EMPTY_RESULT, status: 'invalid', message, at: stamp(this.opts.now()), key: prior.key });
    this.plan.counts.invalid++;
  }
}
