/**
 * Self-test (Activity tab): for a user or an admin in their own Excel. On scratch sheets it removes
 * afterwards, it exercises each Office API the add-in relies on, through the same code the add-in uses:
 * requirement sets and the date system; a template insert with dropdowns, text cells, a validation mark
 * and its removal, protect/unprotect; a CREGO formula round trip against the connected API, dates in and
 * out (date text and Excel dates as arguments, the workbook's date system, how a date result shows), a
 * LIVE tick, the ribbon's Refresh and Refresh. Where Microsoft's docs leave a behaviour open, the check
 * that meets it says so in a comment (README, "In real Excel"). Each check shows pass/fail with its time;
 * Copy report gives plain text for a support ticket (no token, no account data).
 */
import { getKind } from '../bulk/kinds';
import { readDateSystem } from '../excel/dateSystem';
import { clearMarks, INVALID_FILL, markCells } from '../excel/marks';
import { excelRun, supportsExcelApi } from '../excel/run';
import { deleteSheets, hasListValidation, protectRoundTrip, readCell, readCellText } from '../excel/selftest';
import { activateSheet, activeSheetName, ensureSheet, freeSheetName } from '../excel/sheets';
import { formula, writeFormulas, writeRows } from '../excel/write';
import { cellAddress } from '../excel/address';
import { goTo } from '../excel/selection';
import { RESULT_HEADERS } from '../bulk/results';
import { handDateSystem } from './dateSystem';
import { paneShownBy } from './host';
import { insertTemplate } from './bulk';
import { busy, byId, el, say, setChildren } from './dom';
import { formatReport, runChecks, type Check, type CheckResult } from './selftestReport';
import type { CregoRuntimeApi } from '../functions/runtime';
import { runtime, session } from './session';
import { loadToken } from '../excel/storage';

/** What the add-in uses without a runtime check (ExcelApi ≤ 1.9) and the runtime it needs. */
const NEEDED_EXCEL_API = 9;
/** Where the formula checks write on the scratch sheet. */
const EMI_CELL = { row: 1, col: 1 };
const LIVE_CELL = { row: 2, col: 1 };
/** The dates check: Excel's own DATE(2026,1,15) and DATE(2026,2,15) in B5:C5, then two 12-month schedules (13 × 6 each) below. */
const DATE_CELLS = { row: 4, col: 1 };
const TEXT_DATES_SCHEDULE = { row: 6, col: 1 };
const CELL_DATES_SCHEDULE = { row: 6, col: 8 };
/** A schedule's first due date: the row under its header, in its second column (Due date). */
const firstDueOf = (at: { row: number; col: number }) => ({ row: at.row + 1, col: at.col + 1 });
/** A cell no check writes (A1): given to CREGO.EMI as its optional arguments, it must read as "not given". */
const BLANK_CELL = { row: 0, col: 0 };
const BLANK_ARGS_CELL = { row: 1, col: 3 };
/** A row of the template, far below its table, for the text-cells check. */
const TEXT_ROW = 20;
const WAIT_MS = 30_000;

function requirements(): Office.RequirementSetSupport | null {
  const office = typeof Office === 'undefined' ? undefined : Office;
  return office?.context?.requirements ?? null;
}

/** The highest ExcelApi 1.x the host says it has (0 when it answers none). */
function excelApiLevel(): number {
  const req = requirements();
  let level = 0;
  for (let v = 1; v <= 30; v++) if (req?.isSetSupported('ExcelApi', `1.${v}`)) level = v;
  return level;
}

/** Poll a cell until `done(value)`; its last value on time-out (as the error). */
async function waitForCell(sheet: string, cell: { row: number; col: number }, done: (v: unknown) => boolean): Promise<unknown> {
  const until = Date.now() + WAIT_MS;
  let value: unknown;
  while (Date.now() < until) {
    value = (await excelRun((ctx) => readCell(ctx, sheet, cell.row, cell.col))).value;
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no value after ${WAIT_MS / 1000} s (the cell shows ${String(value)})`);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Whether functions may return data types: a date result then shows as a date (src/functions/dateCells.ts). */
const showsDataTypes = (): boolean => requirements()?.isSetSupported('CustomFunctionsRuntime', '1.4') === true;

/** The scratch sheets the checks make (removed at the end) and the two the later checks use. */
interface Scratch {
  made: string[];
  /** The sheet the user was on, active again at the end. */
  userSheet: string;
  scratch: string;
  template: string;
}

function connected(): CregoRuntimeApi {
  const rt = runtime();
  if (!rt || !session()) throw new Error('not signed in: sign in on the Connect tab, then run the self-test again');
  return rt;
}

/** The checks, in order; `made` collects the scratch sheets to remove at the end. */
function checks(made: string[]): Check[] {
  const s: Scratch = { made, userSheet: '', scratch: '', template: '' };
  return [...hostChecks(), ...sheetChecks(s), ...cregoChecks(s), cleanupCheck(s)];
}

/** What the host says about itself: requirement sets and the date system. */
function hostChecks(): Check[] {
  return [
    {
      name: 'Requirement sets',
      run: async () => {
        const req = requirements();
        if (!req) throw new Error('Office did not answer: the pane is not running inside Excel');
        const level = excelApiLevel();
        const shared = req.isSetSupported('SharedRuntime', '1.1');
        const detail = `ExcelApi 1.${level}, SharedRuntime 1.1 ${shared ? 'yes' : 'no'}, date results as dates (CustomFunctionsRuntime 1.4) ${showsDataTypes() ? 'yes' : 'no'}, notes (ExcelApi 1.18) ${supportsExcelApi('1.18') ? 'yes' : 'no'}`;
        if (!shared || level < NEEDED_EXCEL_API) throw new Error(`${detail}: the add-in needs SharedRuntime 1.1 and ExcelApi 1.${NEEDED_EXCEL_API}`);
        return detail;
      },
    },
    {
      name: 'Date system',
      run: async () => {
        const system = await excelRun(readDateSystem);
        if (system === null) throw new Error('Excel did not answer DATE(1904,1,1): Push refuses date cells in this workbook');
        return `${system} date system (DATE(1904,1,1) = ${system === 1904 ? 0 : 1462})`;
      },
    },
  ];
}

/** Sheets, a template with dropdowns, a mark and its removal, protection: the bulk sheets' Office APIs. */
function sheetChecks(s: Scratch): Check[] {
  return [
    {
      name: 'Scratch sheet',
      run: async () => {
        s.scratch = await excelRun(async (ctx) => {
          s.userSheet = await activeSheetName(ctx);
          const name = await freeSheetName(ctx, 'Crego Self-test');
          await ensureSheet(ctx, name);
          return name;
        });
        s.made.push(s.scratch);
        return 'added';
      },
    },
    {
      name: 'Template with dropdowns',
      run: async () => {
        const kind = getKind('records');
        if (!kind) throw new Error('no Records template in this build');
        s.template = await insertTemplate(kind);
        s.made.push(s.template);
        const col = kind.columns.findIndex((c) => c.allowed);
        if (!(await excelRun((ctx) => hasListValidation(ctx, s.template, 2, col)))) throw new Error('the template has no dropdown');
        return `Records template with dropdowns`;
      },
    },
    {
      // Docs silent on whether Range.values reads a string like typing (000123 → 123) and whether the quote
      // prefix stays a visible character in a Text cell: written as a push writes results, read back as is.
      name: 'Text cells keep what was written',
      run: async () => {
        if (!s.template) throw new Error('needs the template');
        const kind = getKind('records')!;
        const utr = kind.columns.findIndex((c) => c.field === 'utr');
        const message = kind.columns.length + RESULT_HEADERS.indexOf('Message');
        const written = { [utr]: '000123', [message]: '-5 fee: see note' };
        for (const [col, value] of Object.entries(written)) await excelRun((ctx) => writeRows(ctx, s.template, Number(col), [{ row: TEXT_ROW, values: [value] }]));
        for (const [col, value] of Object.entries(written)) {
          const back = (await excelRun((ctx) => readCell(ctx, s.template, TEXT_ROW, Number(col)))).value;
          if (back !== value) throw new Error(`${JSON.stringify(value)} written to a Text column came back as ${JSON.stringify(back)}`);
        }
        return 'a UTR 000123 keeps its zeros; a message starting with "-" stays text, with no apostrophe';
      },
    },
    {
      // Docs silent on whether getCellProperties reports a table's banding as a fill: the mark remembers what
      // Excel reported and the cell must read the same once the mark is gone.
      name: 'Validation mark and its removal',
      run: async () => {
        if (!s.template) throw new Error('needs the template');
        const notes = supportsExcelApi('1.18');
        const at = { row: 2, col: 2 };
        const before = (await excelRun((ctx) => readCell(ctx, s.template, at.row, at.col))).fill;
        const memory = await excelRun((ctx) => markCells(ctx, s.template, [{ ...at, message: 'Self-test mark' }], { notes }));
        const marked = (await excelRun((ctx) => readCell(ctx, s.template, at.row, at.col))).fill;
        if (marked !== INVALID_FILL) throw new Error(`the mark did not show (fill ${marked})`);
        await excelRun((ctx) => clearMarks(ctx, s.template, { ...at, rows: 1, cols: 1 }, memory, { notes }));
        const after = (await excelRun((ctx) => readCell(ctx, s.template, at.row, at.col))).fill;
        if (after !== before) throw new Error(`the cell's fill was ${before} before the mark and is ${after} after its removal`);
        return `marked and cleared, fill ${after} as before${notes ? ', with a note' : ' (no notes API here)'}`;
      },
    },
    {
      name: 'Protect and unprotect',
      run: async () => {
        if (!s.template) throw new Error('needs the template');
        const [on, off] = await excelRun((ctx) => protectRoundTrip(ctx, s.template));
        if (!on || off) throw new Error(`protected: ${on}, then ${off}`);
        return 'protected, then unprotected';
      },
    },
  ];
}

/** The CREGO functions in this Excel: a formula round trip, dates in and out, a LIVE tick, the ribbon, Refresh. */
function cregoChecks(s: Scratch): Check[] {
  return [
    {
      name: 'CREGO formula round trip',
      run: async () => {
        connected();
        await excelRun((ctx) => writeFormulas(ctx, s.scratch, EMI_CELL.row, EMI_CELL.col, [[formula('=CREGO.EMI(100000,12,12)')]]));
        const emi = await waitForCell(s.scratch, EMI_CELL, isNumber);
        if (!isNumber(emi) || emi <= 0) throw new Error(`CREGO.EMI answered ${String(emi)}`);
        // Docs silent on what Excel passes for a blank cell: chosen, "not given" (src/functions/args.ts).
        const blank = cellAddress(BLANK_CELL.row, BLANK_CELL.col);
        await excelRun((ctx) => writeFormulas(ctx, s.scratch, BLANK_ARGS_CELL.row, BLANK_ARGS_CELL.col, [[formula(`=CREGO.EMI(100000,12,12,${blank},${blank},${blank})`)]]));
        const withBlanks = await waitForCell(s.scratch, BLANK_ARGS_CELL, (v) => v !== '#BUSY!' && v !== '' && v !== 0);
        if (withBlanks !== emi) throw new Error(`CREGO.EMI with blank cells as its optional arguments answered ${String(withBlanks)}, not ${emi}`);
        return `CREGO.EMI(100000,12,12) = ${emi} from the ${session()?.environment ?? ''} API; blank cells as its optional arguments give the same`;
      },
    },
    datesCheck(s),
    {
      name: 'LIVE tick',
      run: async () => {
        connected();
        const { client } = session()!;
        let account = '';
        for await (const page of client.pages('loans.list', { query: { status: 'active' }, pageSize: 1 })) {
          account = page[0]?.account ?? '';
          break;
        }
        if (!account) throw new Error('the API lists no active loan to watch');
        await excelRun((ctx) => writeFormulas(ctx, s.scratch, LIVE_CELL.row, LIVE_CELL.col, [[formula(`=CREGO.LIVE("${account}","dpd",30)`)]]));
        await waitForCell(s.scratch, LIVE_CELL, isNumber);
        return 'a LIVE cell received its first update';
      },
    },
    {
      // Docs silent on how long Office waits for a command's association: functions.js associates it as it
      // loads (see src/functions/ribbon.ts), and the pane hands over its Refresh once started.
      name: 'Ribbon Refresh',
      run: async () => {
        const { ribbon } = connected().status();
        if (!ribbon.associated) throw new Error('Office.actions.associate is missing: the ribbon\'s Refresh data button cannot run in this Excel (use the pane\'s Refresh)');
        if (!ribbon.paneHandler) throw new Error('the pane has not handed its Refresh to the ribbon: the button will refresh cells without the Data as of stamp');
        return 'Refresh data associated when functions.js loaded, with the pane\'s Refresh (stamp and log) behind it';
      },
    },
    refreshCheck(s),
  ];
}

/** Dates in and out: date text and Excel dates as arguments, the date system, how a date result shows. */
function datesCheck(s: Scratch): Check {
  return {
    // Two choices Microsoft's docs leave open, checked in this Excel: date arguments are `any` (text such as
    // "2026-01-15" reaches the add-in as typed), and the workbook's date system, read through
    // workbook.functions.date and handed to the functions, is the one Excel's own DATE() uses in cells.
    name: 'Dates in and out',
    run: async () => {
      connected();
      const { system } = await handDateSystem();
      const [start, due] = [DATE_CELLS, { ...DATE_CELLS, col: DATE_CELLS.col + 1 }];
      await excelRun((ctx) => writeFormulas(ctx, s.scratch, start.row, start.col, [[formula('=DATE(2026,1,15)'), formula('=DATE(2026,2,15)')]]));
      const excelDue = await waitForCell(s.scratch, due, isNumber);
      const schedules = [
        { at: TEXT_DATES_SCHEDULE, formula: '=CREGO.SCHEDULE(100000,12,12,"2026-01-15","2026-02-15")', given: 'as text' },
        { at: CELL_DATES_SCHEDULE, formula: `=CREGO.SCHEDULE(100000,12,12,${cellAddress(start.row, start.col)},${cellAddress(due.row, due.col)})`, given: 'as Excel dates' },
      ];
      for (const x of schedules) await excelRun((ctx) => writeFormulas(ctx, s.scratch, x.at.row, x.at.col, [[formula(x.formula)]]));
      for (const x of schedules) {
        const got = await waitForCell(s.scratch, firstDueOf(x.at), isNumber);
        if (got !== excelDue) throw new Error(`CREGO.SCHEDULE with its dates given ${x.given} answered a first due date of ${String(got)}; Excel's DATE(2026,2,15) here is ${excelDue}`);
      }
      const shown = await excelRun((ctx) => readCellText(ctx, s.scratch, firstDueOf(TEXT_DATES_SCHEDULE).row, firstDueOf(TEXT_DATES_SCHEDULE).col));
      const asDate = !/^\s*-?[\d.,]+\s*$/.test(shown);
      if (showsDataTypes() && !asDate) throw new Error(`a date result shows as the bare number ${shown}, though this Excel has CustomFunctionsRuntime 1.4`);
      const how = asDate ? `shows as ${shown}` : `shows as the number ${shown} (this Excel predates CustomFunctionsRuntime 1.4: format date cells as dates)`;
      return `dates as text and as Excel dates read alike; 15-Feb-2026 is ${excelDue} in this workbook (${system ?? 'unknown, so 1900'} date system) and ${how}`;
    },
  };
}

/** Refresh › Active sheet, then Refresh › Selection: each must send the cells' requests again. */
function refreshCheck(s: Scratch): Check {
  return {
    name: 'Refresh',
    run: async () => {
      const rt = connected();
      const sent = rt.status().cache.sent;
      // Refresh › Active sheet on the scratch sheet: only its cells, never the user's whole workbook.
      await excelRun(async (ctx) => {
        activateSheet(ctx, s.scratch);
        await ctx.sync();
      });
      await rt.refresh('sheet');
      const emi = await waitForCell(s.scratch, EMI_CELL, isNumber);
      const refetched = rt.status().cache.sent - sent;
      if (refetched < 1) throw new Error('Refresh › Active sheet sent no request: the cells kept cached answers');
      // Refresh › Selection: Range.calculate() on cells whose inputs did not change (docs silent on whether
      // it runs their custom functions again).
      await excelRun((ctx) => goTo(ctx, s.scratch, cellAddress(EMI_CELL.row, EMI_CELL.col)));
      const sentBefore = rt.status().cache.sent;
      await rt.refresh('selection');
      await waitForCell(s.scratch, EMI_CELL, isNumber);
      const selected = rt.status().cache.sent - sentBefore;
      if (selected < 1) throw new Error('Refresh › Selection sent no request: Excel did not run the selected cell again');
      return `Active sheet: ${refetched} request(s) sent again; Selection: ${selected}; EMI still ${String(emi)}`;
    },
  };
}

function cleanupCheck(s: Scratch): Check {
  return {
    name: 'Scratch sheets removed',
    run: async () => {
      const left = await excelRun(async (ctx) => {
        const still = await deleteSheets(ctx, s.made);
        if (s.userSheet) {
          activateSheet(ctx, s.userSheet);
          await ctx.sync();
        }
        return still;
      });
      if (left.length) throw new Error(`still there: ${left.join(', ')}`);
      return `${s.made.length} removed; back on your sheet`;
    },
  };
}

function hostLine(): string {
  const diag = typeof Office === 'undefined' ? undefined : Office.context?.diagnostics;
  const level = excelApiLevel();
  const parts = [diag ? `${diag.host} ${diag.platform} ${diag.version}` : 'Excel (version not reported)', level ? `ExcelApi 1.${level}` : ''];
  return parts.filter(Boolean).join(', ');
}

/** Run every check, showing each as it finishes; resolves with the report text. */
export async function runSelfTest(onResult: (r: CheckResult) => void = () => {}): Promise<string> {
  const made: string[] = [];
  const results = await runChecks(checks(made), onResult);
  if (made.length && !results.at(-1)?.ok) await excelRun((ctx) => deleteSheets(ctx, made)).catch(() => undefined);
  const s = session();
  const token = await loadToken().catch(() => null);
  return formatReport(
    { when: new Date(), addinVersion: await addinVersion(), host: hostLine(), environment: s?.environment ?? 'not connected', paneOpened: paneShownBy() ?? 'not yet' },
    results,
    [token ?? '', s?.user ?? ''],
  );
}

/** The add-in's version, as its manifest (served beside the pane) says. */
async function addinVersion(): Promise<string> {
  try {
    const xml = await (await fetch('./manifest.xml')).text();
    return /<Version>([^<]+)<\/Version>/.exec(xml)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function resultItem(r: CheckResult): HTMLLIElement {
  return el('li', { 'data-ok': String(r.ok), 'data-check': r.name }, `${r.ok ? 'Pass' : 'Fail'}: ${r.name}`, el('span', { class: 'meta' }, `${r.ms} ms · ${r.detail}`));
}

export function setupSelfTest(): void {
  const run = byId<HTMLButtonElement>('selftest-run');
  const copy = byId<HTMLButtonElement>('selftest-copy');
  const list = byId('selftest-list');
  const report = byId('selftest-report');
  const status = byId('selftest-status');
  run.addEventListener('click', () =>
    void busy(run, async () => {
      const items: HTMLLIElement[] = [];
      setChildren(list);
      report.hidden = true;
      copy.disabled = true;
      say(status, 'Running the self-test…', 'info');
      const text = await runSelfTest((r) => {
        items.push(resultItem(r));
        setChildren(list, ...items);
      });
      report.textContent = text;
      report.hidden = false;
      copy.disabled = false;
      const failed = items.filter((i) => i.dataset.ok === 'false').length;
      say(status, failed ? `${failed} check(s) failed: copy the report into your support ticket.` : 'Every check passed.', failed ? 'error' : 'success');
    }),
  );
  copy.addEventListener('click', () => {
    const text = report.textContent ?? '';
    const done = () => say(status, 'Report copied.', 'success');
    const fallback = () => {
      // Without clipboard access (some Excel webviews), select the text for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(report);
      document.getSelection()?.removeAllRanges();
      document.getSelection()?.addRange(range);
      say(status, 'Report selected: press Ctrl+C (Cmd+C on a Mac) to copy it.', 'info');
    };
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });
}
