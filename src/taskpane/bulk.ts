/**
 * Bulk: insert a template as a formatted table with dropdowns, Validate (highlights + a problem
 * list, each a click from its cell), Push with progress and Cancel, Retry failed, a summary, and a
 * typed confirmation before posting to Production. The engine (src/bulk) decides everything about
 * rows; this file moves values between it and the workbook through src/excel.
 */
import { getKind, KINDS, type KindName, type SheetKind } from '../bulk/kinds';
import { logRow } from '../bulk/log';
import { pushSheet, type PushProgress, type PushReport, type ResultUpdate } from '../bulk/push';
import { isUnsettledStatus, readResult, RESULT_HEADERS } from '../bulk/results';
import { locateLayout, STAMP_PATTERN, type SheetLayout } from '../bulk/sheet';
import { summaryLine } from '../bulk/results';
import { templateRows } from '../bulk/template';
import { DATE_FORMAT, INR_FORMAT, INTEGER_FORMAT, setNumberFormat, setTextColumns, TEXT_FORMAT } from '../excel/format';
import { datesTo1900, firstSerialDate, readDateSystem } from '../excel/dateSystem';
import { cellAddress } from '../excel/address';
import { canLockSheets, heldElsewhereMessage, LOCK_RENEW_MS, lockSheetForPush, releaseLeftoverLock, renewPushLock, unlockSheetAfterPush } from '../excel/lock';
import { lockHolderId } from '../excel/storage';
import { clearMarks, markCells, NO_MARKS, setNotes, type MarkMemory } from '../excel/marks';
import { readSheet, type ValueBlock } from '../excel/read';
import { excelRun, supportsExcelApi } from '../excel/run';
import { goTo } from '../excel/selection';
import { createTable, ensureSheet, freeSheetName, freeTableName, freezePanes, listSheets } from '../excel/sheets';
import { setListValidation } from '../excel/validation';
import { writeBlock, writeRows } from '../excel/write';
import { logRows } from './activityLog';
import { busy, byId, el, messageOf, say, setChildren } from './dom';
import { templateDropdowns } from './dropdowns';
import { problemCells, type CellProblem } from './problems';
import { requireSession } from './session';

/** Rows below the header that get formats and dropdowns in a new template. */
export const TEMPLATE_ROWS = 1000;
const PRODUCTION_WORD = 'PRODUCTION';
/** Result rows per write at the end of a push: long messages stay far below Excel on the web's 5 MB request cap. */
const RESULT_ROWS_PER_WRITE = 2000;

/** Marks of the last Validate/Push per sheet: the next one deletes those notes and puts back covered fills. */
const marked = new Map<string, MarkMemory>();
let controller: AbortController | null = null;

const status = () => byId('bulk-status');

function formatFor(type: string): string | null {
  if (type === 'amount') return INR_FORMAT;
  if (type === 'date') return DATE_FORMAT;
  if (type === 'integer') return INTEGER_FORMAT;
  if (type === 'key' || type === 'text' || type === 'uuid') return TEXT_FORMAT;
  return null;
}

/** A new sheet holding the kind's template: stamp, a styled table with dropdowns and formats, frozen header. */
export async function insertTemplate(kind: SheetKind): Promise<string> {
  return excelRun(async (ctx) => {
    const sheetName = await freeSheetName(ctx, kind.sheetName);
    await ensureSheet(ctx, sheetName, { activate: true });
    const [stampRow, headers, example] = templateRows(kind);
    await writeBlock(ctx, sheetName, 0, 0, [stampRow]);
    const tableName = await freeTableName(ctx, `Crego${kind.sheetName}`);
    await createTable(ctx, { sheet: sheetName, row: 1, col: 0, name: tableName, headers: headers.map(String), rows: [example] });
    kind.columns.forEach((c, i) => {
      const format = formatFor(c.type);
      if (format && format !== TEXT_FORMAT) setNumberFormat(ctx, sheetName, 2, i, TEMPLATE_ROWS, 1, format);
    });
    // Key, UTR, account and other text columns, and the result columns: Text down to the last row, so
    // a `000123` typed or pasted below the template's first rows keeps its zeros.
    for (const [i, c] of kind.columns.entries()) if (formatFor(c.type) === TEXT_FORMAT) await setTextColumns(ctx, sheetName, 2, i, 1);
    await setTextColumns(ctx, sheetName, 2, kind.columns.length, RESULT_HEADERS.length);
    freezePanes(ctx, sheetName, 2);
    await ctx.sync();
    // Each header explains its column (what to type), as in the CLI's template.
    if (supportsExcelApi('1.18')) await setNotes(ctx, sheetName, kind.columns.map((c, i) => ({ row: 1, col: i, message: c.hint })));
    for (const d of templateDropdowns(kind)) await setListValidation(ctx, sheetName, { row: 2, col: d.col, rows: TEMPLATE_ROWS }, d.items, d.title);
    return sheetName;
  });
}

interface Loaded {
  sheet: string;
  kind: SheetKind;
  block: ValueBlock;
  layout: SheetLayout;
}

/**
 * Read a sheet and work out its kind (from the template stamp, else the Sheet kind picker). Date
 * cells of a 1904-system workbook are moved to the 1900 system here, the one way in to the engine.
 * When Excel does not say which system the workbook uses, date cells holding serials are refused
 * (a guess could post every date four years off); dates typed as text need no system and pass.
 */
async function load(sheet: string): Promise<Loaded> {
  const read = await excelRun(async (ctx) => ({ block: await readSheet(ctx, sheet), system: await readDateSystem(ctx) }));
  if (!read.block) throw new Error(`Sheet ${sheet} is empty: insert a template or paste rows with a header first.`);
  const stamp = typeof read.block.values[0]?.[0] === 'string' ? STAMP_PATTERN.exec(read.block.values[0][0] as string) : null;
  const kind = (stamp && getKind(stamp[1])) || KINDS[byId<HTMLSelectElement>('bulk-kind').value as KindName];
  const layout = locateLayout(kind, read.block.values); // throws SheetError with the fix in its message
  const dateColumns = kind.columns.filter((c) => c.type === 'date').flatMap((c) => layout.columns.get(c.field) ?? []);
  if (read.system === null) {
    const at = firstSerialDate(read.block.values, dateColumns, layout.headerIndex + 1);
    if (at) {
      const header = String(read.block.values[layout.headerIndex]?.[at.col] ?? '');
      throw new Error(
        `Row ${read.block.row + at.row + 1}, column ${header} (${cellAddress(read.block.row + at.row, read.block.col + at.col)}): Excel did not say whether this workbook counts dates from 1900 or 1904, ` +
          'so a date cell cannot be read safely (a wrong guess moves it four years). Type the dates as text, YYYY-MM-DD (e.g. 2024-01-05), or try again in Excel 2016 or later.',
      );
    }
  }
  const block = { ...read.block, values: datesTo1900(read.block.values, dateColumns, layout.headerIndex + 1, read.system ?? 1900) };
  return { sheet, kind, block, layout };
}

async function showProblems(loaded: Loaded, report: PushReport): Promise<CellProblem[]> {
  const cells = problemCells(loaded.kind, report.layout, loaded.block.col, report.problems);
  const notes = supportsExcelApi('1.18');
  const { block } = loaded;
  await excelRun(async (ctx) => {
    const width = Math.max(...block.values.map((r) => r.length), report.layout.resultColumn + RESULT_HEADERS.length);
    await clearMarks(ctx, loaded.sheet, { row: block.row + report.layout.headerIndex + 1, col: block.col, rows: block.values.length, cols: width }, marked.get(loaded.sheet) ?? NO_MARKS, { notes });
    marked.set(loaded.sheet, await markCells(ctx, loaded.sheet, cells, { notes }));
  });
  const list = byId('bulk-problems');
  const items = cells.map((p) => {
    const go = el('button', { type: 'button', class: 'link', 'data-address': p.address }, `${p.address}: ${p.message}`);
    go.addEventListener('click', () => void excelRun((ctx) => goTo(ctx, loaded.sheet, p.address)).catch((e) => say(status(), messageOf(e), 'error')));
    return el('li', { 'data-status': p.status }, go);
  });
  setChildren(list, ...items);
  byId('bulk-problems-title').textContent = cells.length === 1 ? '1 problem' : `${cells.length} problems`;
  byId('bulk-problems-box').hidden = cells.length === 0;
  return cells;
}

/**
 * The click's own answer, at once: the last run's summary ("posted 600, …") must not stay on screen while
 * Excel answers the first requests of this one (each a round trip, long on Excel on the web), where it
 * reads as this run's outcome.
 */
function reading(sheet: string): void {
  say(status(), `Reading ${sheet}…`);
}

export async function validateSheet(sheet: string): Promise<PushReport> {
  // Its marks could not be written on the locked sheet, and the push is checking these rows anyway.
  if (pushing === sheet) throw new Error(`A push of ${sheet} is running: Validate it once the push ends.`);
  reading(sheet);
  const loaded = await load(sheet);
  const report = await pushSheet({ kind: loaded.kind, values: loaded.block.values, firstRow: loaded.block.row + 1, dryRun: true });
  await showProblems(loaded, report);
  const c = report.counts;
  say(status(), `${c.ready} ready to post, ${c.invalid} invalid, ${c.skipped} already posted.`, c.invalid > 0 ? 'warning' : 'success');
  return report;
}

function showProgress(p: PushProgress): void {
  const bar = byId<HTMLProgressElement>('bulk-progress');
  bar.max = Math.max(1, p.total);
  bar.value = p.done;
  const eta = p.etaSeconds === null || p.done >= p.total ? '' : `, about ${Math.ceil(p.etaSeconds)} s left`;
  const queued = p.pending || p.rejected ? `, ${p.pending} pending, ${p.rejected} rejected` : '';
  const unknown = p.unknown ? `, ${p.unknown} outcome unknown` : '';
  byId('bulk-progress-text').textContent = `${p.done} of ${p.total} rows: ${p.posted} posted, ${p.failed} failed${unknown}${queued}${eta}`;
}

/** The controls of a dialog that Tab can reach, in document order. */
function tabbable(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>('input, button, select, textarea, a[href]')].filter((e) => !(e as HTMLButtonElement).disabled && !e.hidden);
}

/**
 * Put focus back on the control that opened a dialog. That control is usually the Push button,
 * disabled while its work runs (a disabled button cannot take focus), so focus waits for it to be
 * enabled again, unless the user has moved focus somewhere else in the meantime (focus still on
 * the closed dialog's text box, or on nothing, counts as not moved).
 */
function returnFocus(opener: HTMLElement | null, dialog: HTMLElement): void {
  if (!opener) return;
  const target = opener as HTMLButtonElement;
  if (!target.disabled) return target.focus();
  const watch = new MutationObserver(() => {
    if (target.disabled) return;
    watch.disconnect();
    const active = document.activeElement;
    if (!active || active === document.body || dialog.contains(active)) target.focus();
  });
  watch.observe(target, { attributes: true, attributeFilter: ['disabled'] });
}

/**
 * Ask for the typed confirmation; resolves true only when PRODUCTION was typed and confirmed. A modal
 * dialog for the keyboard too: focus starts in the text box and stays inside (Tab and Shift+Tab
 * cycle), Enter in the box confirms once the word is right, Escape cancels, and focus goes back to
 * the button that opened it.
 */
function confirmProduction(rows: number, sheet: string, opener: HTMLElement | null): Promise<boolean> {
  const box = byId('prod-confirm');
  const input = byId<HTMLInputElement>('prod-confirm-input');
  const go = byId<HTMLButtonElement>('prod-confirm-go');
  const cancel = byId<HTMLButtonElement>('prod-confirm-cancel');
  say(status(), '');
  byId('prod-confirm-text').textContent = `Post ${rows} row${rows === 1 ? '' : 's'} from ${sheet} to PRODUCTION. This creates real entries on live loans.`;
  input.value = '';
  go.disabled = true;
  box.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    const typedRight = () => input.value.trim() === PRODUCTION_WORD;
    const onInput = () => (go.disabled = !typedRight());
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish(false);
      } else if (event.key === 'Enter' && event.target === input) {
        event.preventDefault();
        if (typedRight()) finish(true);
      } else if (event.key === 'Tab') {
        const stops = tabbable(box);
        const at = stops.indexOf(document.activeElement as HTMLElement);
        const step = event.shiftKey ? -1 : 1;
        event.preventDefault();
        stops[at < 0 ? (step > 0 ? 0 : stops.length - 1) : (at + step + stops.length) % stops.length]?.focus();
      }
    };
    // Focus that leaves the dialog some other way (a click outside, an assistive-technology jump) comes back.
    const onFocusIn = (event: FocusEvent) => {
      if (!box.contains(event.target as Node)) input.focus();
    };
    const finish = (ok: boolean) => {
      input.removeEventListener('input', onInput);
      box.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      go.removeEventListener('click', onGo);
      cancel.removeEventListener('click', onCancel);
      box.hidden = true;
      returnFocus(opener, box);
      resolve(ok);
    };
    const onGo = () => finish(typedRight());
    const onCancel = () => finish(false);
    input.addEventListener('input', onInput);
    box.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocusIn);
    go.addEventListener('click', onGo);
    cancel.addEventListener('click', onCancel);
  });
}

/** The sheet a push is running on: a second push (Retry failed, still shown from the last one) waits its turn. */
let pushing: string | null = null;

/** `opener`: the button that started the push, where focus returns after a Production confirmation. */
export async function pushSheetFromPane(sheet: string, opener: HTMLElement | null = null): Promise<PushReport | null> {
  // Two pushes of one sheet would read the same rows and both send them, and their result writes would
  // cross: Crego's key check stops a second record, but the sheet could end up showing the wrong outcome.
  if (pushing !== null) throw new Error(`A push of ${pushing} is already running: wait for it to finish, or Cancel it.`);
  pushing = sheet;
  reading(sheet);
  try {
    return await pushOnce(sheet, opener);
  } finally {
    pushing = null;
  }
}

async function pushOnce(sheet: string, opener: HTMLElement | null): Promise<PushReport | null> {
  const s = requireSession();
  // A push whose pane closed mid-way left its sheet locked: lift that first (its rows are read below).
  // One still running elsewhere (a co-author's) keeps its lock, and this push waits for it.
  const holder = canLockSheets() ? await lockHolderId() : '';
  if (holder) {
    const { heldElsewhere } = await excelRun((ctx) => releaseLeftoverLock(ctx, holder));
    if (heldElsewhere) throw new Error(heldElsewhereMessage(heldElsewhere));
  }
  let loaded = await load(sheet);
  if (s.production) {
    const preview = await pushSheet({ kind: loaded.kind, values: loaded.block.values, firstRow: loaded.block.row + 1, dryRun: true });
    // Rows of unknown outcome (`sending`, `unknown`) are looked up first and re-sent if Crego lacks them: they count.
    const toSend = preview.counts.ready + preview.problems.filter((p) => isUnsettledStatus(p.status)).length;
    if (toSend === 0) {
      await showProblems(loaded, preview);
      say(status(), 'Nothing to post: no valid rows that are not posted yet.', 'warning');
      return null;
    }
    if (!(await confirmProduction(toSend, sheet, opener))) {
      say(status(), 'Push to Production cancelled: nothing was sent.', 'info');
      return null;
    }
    loaded = await load(sheet); // the sheet may have changed while the confirmation was open
  }
  const { block, layout } = loaded;
  if (!layout.resultColumnsPresent) {
    await excelRun((ctx) => writeBlock(ctx, sheet, block.row + layout.headerIndex, block.col + layout.resultColumn, [[...RESULT_HEADERS]]));
  }
  // Result cells are text, as in a template: Excel reads a string written into a General cell as it
  // reads typing, so a Key `000123` would come back as 123 (and no longer match the row's reference).
  const dataRows = block.values.length - layout.headerIndex - 1;
  for (let start = 0; start < dataRows; start += RESULT_ROWS_PER_WRITE) {
    const rows = Math.min(RESULT_ROWS_PER_WRITE, dataRows - start);
    await excelRun(async (ctx) => {
      setNumberFormat(ctx, sheet, block.row + layout.headerIndex + 1 + start, block.col + layout.resultColumn, rows, RESULT_HEADERS.length, TEXT_FORMAT);
      await ctx.sync();
    });
  }
  // Outcomes are written by row position: while the push runs the sheet is locked, so no sort, inserted
  // or deleted row, or edit can put one row's outcome beside another (src/excel/lock.ts).
  const results = { row: block.row + layout.headerIndex + 1, col: block.col + layout.resultColumn, rows: dataRows, cols: RESULT_HEADERS.length };
  const locked = holder !== '' && (await excelRun((ctx) => lockSheetForPush(ctx, sheet, results, holder)));
  let report: PushReport;
  let unlockProblem = '';
  try {
    report = await pushAndWrite(loaded, sheet, s, locked);
  } finally {
    if (locked) {
      try {
        await excelRun((ctx) => unlockSheetAfterPush(ctx, sheet));
      } catch (error) {
        unlockProblem = ` ${sheet} is still protected (${messageOf(error)}): Review › Unprotect Sheet unlocks it.`;
      }
    }
  }
  await showProblems(loaded, report);
  try {
    await logRows([logRow(report, { environment: s.environment, sheet })]);
  } catch {
    // A log that cannot be written must not hide the push's result (the Status column has it).
  }
  const tone = report.fatal || unlockProblem ? 'error' : report.counts.failed + report.counts.unknown + report.counts.invalid > 0 ? 'warning' : 'success';
  const prefix = report.fatal ? `Stopped: ${report.fatal}. ` : report.cancelled ? 'Cancelled. ' : '';
  say(status(), `${prefix}${summaryLine(report)}.${unlockProblem}`, tone);
  byId('bulk-retry').hidden = report.counts.failed + report.counts.unknown === 0; // unknown rows need a re-run to be looked up
  return report;
}

/**
 * "Check statuses" (and Refresh of a bulk sheet): ask Crego about every row it accepted but had not applied
 * (`pending`), and write what it says now: posted, rejected with Crego's reason, or still pending. Sends
 * nothing. `quiet`: no message when the sheet has no pending row (a Refresh of any sheet calls this).
 */
export async function checkStatusesFromPane(sheet: string, quiet = false): Promise<PushReport | null> {
  if (pushing !== null) {
    if (quiet) return null;
    throw new Error(`A push of ${pushing} is running: check statuses once it has finished.`);
  }
  pushing = sheet;
  if (!quiet) reading(sheet);
  try {
    const s = requireSession();
    const loaded = await load(sheet);
    const { layout, block } = loaded;
    const hasPending = block.values.some((row, i) => i > layout.headerIndex && readResult(row, layout.resultColumn).status === 'pending');
    if (!hasPending) {
      if (!quiet) say(status(), `No pending rows on ${sheet}: nothing to check.`, 'info');
      return null;
    }
    const report = await pushAndWrite(loaded, sheet, s, false, true);
    const checked = report.settlements.length + report.counts.pending;
    await showProblems(loaded, report);
    try {
      await logRows([logRow(report, { environment: s.environment, sheet })]);
    } catch {
      // As after a push: the Status column has the outcome even when the log cannot be written.
    }
    const posted = report.settlements.filter((x) => x.status === 'posted').length;
    const rejected = report.settlements.length - posted;
    const left = report.counts.pending;
    const tone = rejected > 0 ? 'warning' : left > 0 ? 'info' : 'success';
    say(status(), `Checked ${checked} pending row(s): ${posted} posted, ${rejected} rejected, ${left} still pending.`, tone);
    return report;
  } finally {
    pushing = null;
  }
}

/** Push the loaded rows, writing each outcome beside its row as it comes, then the rows settled without a request. */
async function pushAndWrite(loaded: Loaded, sheet: string, s: ReturnType<typeof requireSession>, locked: boolean, checkOnly = false): Promise<PushReport> {
  const { block, layout } = loaded;
  controller = new AbortController();
  byId('bulk-cancel').hidden = false;
  byId('bulk-progress-box').hidden = false;
  showProgress({ done: 0, total: 0, posted: 0, failed: 0, unknown: 0, etaSeconds: null, pending: 0, rejected: 0 });
  say(
    status(),
    checkOnly
      ? `Checking pending rows of ${sheet} in ${s.environment}…`
      : `Pushing ${sheet} to ${s.environment}…${locked ? ` ${sheet} is locked until the push ends, so no row moves under it.` : ''}`,
  );
  /** What the workbook holds now per values index, so the end writes only what the engine never persisted. */
  const written = new Map<number, readonly unknown[]>();
  const persist = async (update: ResultUpdate) => {
    // Write-ahead: `sending` marks are in the workbook before the request goes out.
    await excelRun((ctx) =>
      writeRows(ctx, sheet, block.col + update.resultColumn, update.rows.map((r) => ({ row: r.row - 1, values: r.values }))),
    );
    for (const r of update.rows) written.set(r.index, r.values);
  };
  // While the push runs its lock keeps having news, however long a request or a Retry-After takes, so no
  // other pane takes it for dead (src/excel/lock.ts).
  const holder = locked ? await lockHolderId() : '';
  let renewing: Promise<void> = Promise.resolve();
  const renewal = locked ? setInterval(() => (renewing = excelRun((ctx) => renewPushLock(ctx, sheet, holder)).catch(() => undefined)), LOCK_RENEW_MS) : undefined;
  let report: PushReport;
  try {
    report = await pushSheet({
      kind: loaded.kind,
      values: block.values,
      firstRow: block.row + 1,
      client: s.client,
      signal: controller.signal,
      onProgress: showProgress,
      persist,
      checkOnly,
    });
  } finally {
    clearInterval(renewal);
    await renewing; // a renewal still on its way must not record the lock again after the unlock
    controller = null;
    byId('bulk-cancel').hidden = true;
  }
  // Rows the engine settled without a request (invalid, repeats, rows a cancel left unsent) get their
  // Status and Message too, as the CLI writes them; rows persisted above are not written twice.
  const rest = report.results.flatMap((values, index) =>
    values && index > layout.headerIndex && !sameCells(written.get(index), values) ? [{ row: block.row + index, values }] : [],
  );
  for (let i = 0; i < rest.length; i += RESULT_ROWS_PER_WRITE) {
    const part = rest.slice(i, i + RESULT_ROWS_PER_WRITE);
    await excelRun((ctx) => writeRows(ctx, sheet, block.col + layout.resultColumn, part));
  }
  return report;
}

function sameCells(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  return !!a && a.length === b.length && a.every((v, i) => v === b[i]);
}

async function refreshSheetList(preferred?: string): Promise<void> {
  const select = byId<HTMLSelectElement>('bulk-sheet');
  const keep = preferred ?? select.value;
  const names = await excelRun(listSheets);
  setChildren(select, ...names.map((n) => el('option', { value: n }, n)));
  if (names.includes(keep)) select.value = keep;
}

export function setupBulk(): void {
  const sheet = () => byId<HTMLSelectElement>('bulk-sheet').value;
  const run = (id: string, work: () => Promise<unknown>) => {
    const button = byId<HTMLButtonElement>(id);
    button.addEventListener('click', () =>
      void busy(button, async () => {
        try {
          await work();
        } catch (error) {
          say(status(), messageOf(error), 'error');
        }
      }),
    );
  };
  run('bulk-insert', async () => {
    const kind = KINDS[byId<HTMLSelectElement>('bulk-kind').value as KindName];
    const name = await insertTemplate(kind);
    await refreshSheetList(name);
    say(status(), `Inserted the ${kind.name} template on sheet ${name}. Type your rows from row 4 down (or type over the example row and clear its Status), then Validate.`, 'success');
  });
  run('bulk-validate', () => validateSheet(sheet()));
  run('bulk-push', () => pushSheetFromPane(sheet(), byId('bulk-push')));
  run('bulk-retry', () => pushSheetFromPane(sheet(), byId('bulk-retry')));
  run('bulk-check', () => checkStatusesFromPane(sheet()));
  byId('bulk-cancel').addEventListener('click', () => {
    controller?.abort();
    say(status(), 'Cancelling: rows already sent keep their result; the rest stay unsent.', 'warning');
  });
  byId('bulk-sheet').addEventListener('focus', () => void refreshSheetList().catch(() => undefined));
  void refreshSheetList().catch(() => undefined);
  if (canLockSheets()) {
    void lockHolderId()
      .then((holder) => excelRun((ctx) => releaseLeftoverLock(ctx, holder)))
      .then(({ released, heldElsewhere }) => {
        if (released) {
          say(status(), `${released} was still locked by a push that did not finish; it is unlocked now. Push it again: rows already in Crego are found there, not posted twice.`, 'warning');
        } else if (heldElsewhere) {
          say(status(), heldElsewhereMessage(heldElsewhere), 'warning');
        }
      })
      .catch(() => undefined);
  }
}
