/*
 * THE WORKBOOK AND HOST SIDE OF EXCEL in the browser tests only, loaded after Microsoft's office.js client
 * (excel-web-16.00.js) and before the fake host (host/excel-host.js), all three answering
 * https://appsforoffice.microsoft.com/lib/1/hosted/office.js (test/browser/host/office-host.ts officeScript()).
 * The client is Microsoft's: this file has no Excel.run of its own. It keeps an in-memory workbook whose
 * objects (the part of the Excel object model src/excel uses) the fake host executes each batch against, the
 * host side of `Office` (onReady, requirement sets, ribbon actions, OfficeRuntime.storage), a CustomFunctions
 * registry so the real functions.js registers, and a small calculation engine: =CREGO.* formulas call the
 * registered functions (with the argument shapes functions.json declares) and spill their results;
 * SUM/SUMIF/COUNTIF and DATE (in the workbook's date system) are computed natively; Range.text shows General and the add-in's date formats.
 * Like Excel, a string written through `values` is read as if typed: starting with "=", "+" or "-" (and not a
 * number) it becomes a formula, numeric text becomes a number unless the cell is Text-formatted, and a leading
 * apostrophe keeps text as text; the tests rely on that to prove server text never becomes a formula or loses
 * its zeros.
 * window.__workbook exposes the model to the test.
 */
(function () {
  'use strict';

  // ── addresses ────────────────────────────────────────────────────────────────────────────────
  function colLetter(i) {
    let n = i + 1, s = '';
    while (n > 0) { const r = (n - 1) % 26; s = String.fromCharCode(65 + r) + s; n = Math.floor((n - 1) / 26); }
    return s;
  }
  function colIndex(letters) {
    let n = 0;
    for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  }
  function a1(r, c) { return colLetter(c) + (r + 1); }
  function parseRef(text) {
    let sheet = null, ref = text.trim();
    const bang = ref.lastIndexOf('!');
    if (bang >= 0) { sheet = ref.slice(0, bang).replace(/^'|'$/g, '').replace(/''/g, "'"); ref = ref.slice(bang + 1); }
    const m = /^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$/.exec(ref);
    if (!m) return null;
    const r0 = Number(m[2]) - 1, c0 = colIndex(m[1]);
    const r1 = m[4] ? Number(m[4]) - 1 : r0, c1 = m[3] ? colIndex(m[3]) : c0;
    return { sheet, r0: Math.min(r0, r1), c0: Math.min(c0, c1), rows: Math.abs(r1 - r0) + 1, cols: Math.abs(c1 - c0) + 1 };
  }
  function officeError(code, message) { const e = new Error(message); e.code = code; return e; }

  // ── the workbook model ───────────────────────────────────────────────────────────────────────
  const model = { sheets: [], active: null, selection: null, tables: [], charts: [], calcRuns: 0, cancellations: 0, log: [], settings: new Map(), styles: new Map(), runOptions: [], cellEdit: false, nextId: 1 };
  function newSheet(name) {
    const s = { id: '{00000000-0001-0000-0000-' + String(model.nextId++).padStart(12, '0') + '}', name, cells: new Map(), frozen: null, visibility: 'Visible', validations: [], notes: new Map(), charts: [], tables: [], protection: null, unlocked: new Set(), styled: [] };
    model.sheets.push(s);
    return s;
  }
  function sheetByName(name) { return model.sheets.find((s) => s.name.toLowerCase() === String(name).toLowerCase() || s.id === name) || null; }
  function cell(sheet, r, c, create) {
    const k = r + ',' + c;
    let x = sheet.cells.get(k);
    if (!x && create) { x = { value: '', formula: null, numberFormat: 'General', fill: '', bold: false, spillFrom: null, error: null }; sheet.cells.set(k, x); }
    return x;
  }
  /** The number format a cell shows: its own, else that of a cell style applied over it (Range.style). */
  function formatAt(sheet, r, c) {
    const x = cell(sheet, r, c, false);
    if (x && x.numberFormat !== 'General') return x.numberFormat;
    for (let i = sheet.styled.length - 1; i >= 0; i--) {
      const st = sheet.styled[i];
      if (r >= st.r0 && r < st.r0 + st.rows && c >= st.c0 && c < st.c0 + st.cols) return st.numberFormat;
    }
    return x ? x.numberFormat : 'General';
  }
  function valueOf(sheet, r, c) { const x = cell(sheet, r, c, false); return x ? x.value : ''; }
  /** A day's serial in the workbook's date system, as Excel's DATE answers it (month and day may overflow). */
  function workbookSerial(year, month, day) {
    const serial = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(1899, 11, 30)) / 86400000);
    return model.date1904 === true ? serial - 1462 : serial;
  }
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  /**
   * What Range.text shows for a value in a number format: General, and the two date formats the add-in
   * uses (a serial counted in the workbook's date system). Any other format is not modelled: a test
   * reading it fails instead of trusting a guess.
   */
  function displayText(value, format) {
    if (typeof value !== 'number') return typeof value === 'boolean' ? String(value).toUpperCase() : String(value);
    if (format === 'General') return String(value);
    const m = /^dd-mmm-yyyy( hh:mm)?$/.exec(format);
    if (!m) throw officeError('GeneralException', 'double: Range.text in number format ' + format + ' is not modelled');
    const d = new Date(Date.UTC(1899, 11, 30) + (value + (model.date1904 === true ? 1462 : 0)) * 86400000);
    const pad = (n) => String(n).padStart(2, '0');
    const day = pad(d.getUTCDate()) + '-' + MONTHS[d.getUTCMonth()] + '-' + d.getUTCFullYear();
    return m[1] ? day + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) : day;
  }
  // Sheet protection as Excel enforces it: on a protected sheet a locked cell (every cell, unless
  // Format Cells › Protection unlocked it) refuses a change, from a person or from an add-in.
  function isLocked(sheet, r, c) { return !sheet.unlocked.has(r + ',' + c); }
  /** What a protected sheet allows only with the option (formatting, notes, sorting). */
  function refuseUnless(sheet, option) {
    if (sheet.protection && !sheet.protection[option]) throw officeError('AccessDenied', 'The sheet is protected (' + option + ' is off)');
  }
  function refuseIfProtected(sheet, r0, c0, rows, cols) {
    if (!sheet.protection) return;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      if (isLocked(sheet, r0 + i, c0 + j)) throw officeError('AccessDenied', 'The cell or chart you are trying to change is on a protected sheet (' + a1(r0 + i, c0 + j) + ')');
    }
  }
  /** What typing does: "'text" is text, "=..." is a formula, numeric text stays text here (kept simple). */
  function assignValue(sheet, r, c, v) {
    const x = cell(sheet, r, c, true);
    endInvocation(x);
    clearSpill(sheet, r, c);
    x.error = null;
    x.entity = null;
    x.cellValue = null;
    if (typeof v === 'string' && v.startsWith("'")) { x.value = v.slice(1); x.formula = null; return; }
    if (typeof v === 'string' && v.startsWith('=') && v.length > 1) { x.formula = v; x.value = pendingValue(v); dirty = true; return; }
    // Range.values: "If the returned value starts with a plus ("+"), minus ("-"), or equal sign ("="), Excel
    // interprets this value as a formula" (@types/office-js): "-5 fee" is a broken formula, -5 a number.
    if (typeof v === 'string' && /^[+-]/.test(v) && !/^[+-]\d+(\.\d+)?$/.test(v.trim())) { x.formula = '=' + v; x.value = '#NAME?'; return; }
    x.value = v === null || v === undefined ? '' : v;
    x.formula = null;
    dirty = true;
  }
  /**
   * A string written to a cell is read as if typed: numeric text becomes a number unless the cell is
   * Text-formatted (@), so 004321 in a General cell is 4321 (a leading apostrophe keeps it text).
   */
  function readLikeTyping(sheet, r, c, v) {
    return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) && formatAt(sheet, r, c) !== '@' ? Number(v) : v;
  }
  function assignFormula(sheet, r, c, f) {
    if (typeof f === 'string' && f.startsWith('=') && f.length > 1) {
      const x = cell(sheet, r, c, true);
      if (x.formula !== f) endInvocation(x);
      clearSpill(sheet, r, c);
      x.formula = f; x.value = pendingValue(f); x.error = null; x.entity = null; x.cellValue = null; dirty = true;
    } else assignValue(sheet, r, c, f);
  }
  /** What a formula shows until calculated: a custom function's cell says #BUSY! until its answer arrives, as in Excel. */
  function pendingValue(f) { return /CREGO\./i.test(f) ? '#BUSY!' : 0; }
  function clearSpill(sheet, r, c) {
    const key = r + ',' + c;
    for (const x of sheet.cells.values()) if (x.spillFrom === key) { x.value = ''; x.spillFrom = null; }
  }
  function usedBounds(sheet) {
    let r0 = Infinity, c0 = Infinity, r1 = -1, c1 = -1;
    for (const [k, x] of sheet.cells) {
      if (x.value === '' && !x.formula) continue;
      const [r, c] = k.split(',').map(Number);
      r0 = Math.min(r0, r); c0 = Math.min(c0, c); r1 = Math.max(r1, r); c1 = Math.max(c1, c);
    }
    return r1 < 0 ? null : { r0, c0, rows: r1 - r0 + 1, cols: c1 - c0 + 1 };
  }

  // ── calculation ──────────────────────────────────────────────────────────────────────────────
  let dirty = false;
  let metadata = null;
  let dataTypes = false;
  const registry = new Map();
  async function functionMeta() {
    if (!metadata) {
      const res = await fetch('./functions.json');
      const json = await res.json();
      metadata = new Map((json.functions || []).map((f) => [f.id, f]));
      // Data types (cards, formatted numbers) in and out of `any` need the flag and CustomFunctionsRuntime 1.4.
      dataTypes = json.allowCustomDataForDataTypeAny === true && isSetSupported('CustomFunctionsRuntime', '1.4');
    }
    return metadata;
  }
  function splitArgs(text) {
    const out = []; let depth = 0, quote = false, cur = '';
    for (const ch of text) {
      if (ch === '"') quote = !quote;
      if (!quote && (ch === '(' || ch === '{')) depth++;
      if (!quote && (ch === ')' || ch === '}')) depth--;
      if (!quote && depth === 0 && ch === ',') { out.push(cur.trim()); cur = ''; continue; }
      cur += ch;
    }
    if (text.trim() !== '' || out.length) out.push(cur.trim());
    return out;
  }
  function argValue(sheet, text) {
    if (text === '') return null;
    if (text.startsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
    if (text.startsWith('{')) return [splitArgs(text.slice(1, -1)).map((t) => argValue(sheet, t))];
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (/^(TRUE|FALSE)$/i.test(text)) return /^TRUE$/i.test(text);
    const ref = parseRef(text);
    if (ref) {
      const s = ref.sheet ? sheetByName(ref.sheet) : sheet;
      const rows = [];
      for (let i = 0; i < ref.rows; i++) { const row = []; for (let j = 0; j < ref.cols; j++) row.push(valueOf(s, ref.r0 + i, ref.c0 + j)); rows.push(row); }
      return rows;
    }
    throw new Error('double: cannot read argument ' + text);
  }
  function flat(v) { return Array.isArray(v) ? v.flat() : [v]; }
  const NATIVE = {
    DATE: ([y, m, d]) => workbookSerial(flat(y)[0], flat(m)[0], flat(d)[0]),
    SUM: (args) => args.flatMap(flat).reduce((a, b) => a + (typeof b === 'number' ? b : 0), 0),
    COUNTIF: ([range, crit]) => flat(range).filter((v) => String(v) === String(flat(crit)[0])).length,
    SUMIF: ([range, crit, sumRange]) => {
      const keys = flat(range), vals = flat(sumRange), want = String(flat(crit)[0]);
      return keys.reduce((acc, k, i) => acc + (String(k) === want && typeof vals[i] === 'number' ? vals[i] : 0), 0);
    },
  };
  /**
   * `=A2` and Excel's dot notation on an entity value: `=A2.dpd`, `=A2.[field name]` read a field's
   * basic value; a field the entity lacks is #FIELD!, as in Excel.
   */
  function evaluateReference(sheet, x) {
    const m = /^=\s*(\$?[A-Za-z]{1,3}\$?\d+)(?:\.(?:\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_]*)))?\s*$/.exec(x.formula);
    if (!m) return false;
    const ref = parseRef(m[1]);
    const source = cell(sheet, ref.r0, ref.c0, false);
    const field = m[2] || m[3];
    if (!field) { x.value = source ? source.value : 0; x.entity = source ? source.entity || null : null; x.cellValue = source ? source.cellValue || null : null; return true; }
    const property = source && source.entity && source.entity.properties[field];
    x.value = property ? property.basicValue : '#FIELD!';
    return true;
  }
  async function evaluate(sheet, r, c, x, preview) {
    if (evaluateReference(sheet, x)) return;
    const m = /^=([A-Z.]+)\((.*)\)$/s.exec(x.formula.trim());
    if (!m) { x.value = '#NAME?'; return; }
    const name = m[1];
    const tokens = splitArgs(m[2]);
    const args = tokens.map((t) => argValue(sheet, t));
    if (NATIVE[name]) { x.value = NATIVE[name](args); return; }
    if (!name.startsWith('CREGO.')) { x.value = '#NAME?'; return; }
    const id = name.slice(6);
    const fn = registry.get(id);
    const meta = (await functionMeta()).get(id);
    if (!fn || !meta) { x.value = '#NAME?'; return; }
    const params = meta.parameters || [];
    const call = [];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const v = i < args.length ? args[i] : null;
      if (v === null) { call.push(null); continue; }
      if (p.dimensionality === 'matrix') { call.push(Array.isArray(v) ? v : [[v]]); continue; }
      // A scalar `any` parameter given a cell holding a data type receives the data type itself (a
      // formatted date from another CREGO cell arrives as {type: 'Double', basicValue, numberFormat}).
      const held = (p.type === undefined || p.type === 'any') && dataTypes ? dataTypeAt(sheet, tokens[i]) : null;
      if (held) { call.push(held); continue; }
      const one = coerce(Array.isArray(v) ? v[0][0] : v, p.type);
      // Text Excel cannot read as a number, given to a `number` parameter: the cell shows #VALUE! and the function is not called.
      if (one === NOT_A_NUMBER && preview) return { value: '#VALUE!' };
      if (one === NOT_A_NUMBER) { endInvocation(x); x.value = '#VALUE!'; x.error = null; return; }
      call.push(one);
    }
    const opts = meta.options || {};
    const formulaText = x.formula;
    // A streaming cell whose formula did not change keeps its stream across recalculations, as in Excel.
    if (opts.stream && x.invocation && x.invocation.formula === formulaText && !preview) return;
    if (!preview) endInvocation(x);
    let invocation = null;
    if (opts.cancelable || opts.requiresAddress || opts.stream) {
      invocation = {
        address: sheet.name + '!' + a1(r, c),
        onCanceled: null,
        isInValuePreview: !!preview,
        // Streaming: each setResult lands in the cell while this invocation is the cell's own.
        setResult: (v) => { if (x.invocation === invocation) show(sheet, r, c, x, v); },
      };
      call.push(invocation);
    }
    if (!preview && invocation) { invocation.formula = formulaText; x.invocation = invocation; }
    if (opts.stream) { fn(...call); return; }
    let result;
    try {
      result = await fn(...call);
    } catch (e) {
      if (!preview && invocation && x.invocation !== invocation) return; // cancelled meanwhile: Excel drops the answer
      if (preview) return { error: e };
      x.value = (e && e.code ? ErrorCells[e.code] : '#VALUE!') || '#VALUE!';
      x.error = e && e.message ? e.message : '';
      return;
    }
    if (preview) return { value: result };
    if (invocation && x.invocation !== invocation) return; // cancelled meanwhile
    if (invocation && !opts.stream) x.invocation = null;
    show(sheet, r, c, x, result);
  }
  /** The data type a single-cell reference holds (an entity or a formatted number), else null. */
  function dataTypeAt(sheet, text) {
    const ref = text ? parseRef(text) : null;
    if (!ref || ref.rows !== 1 || ref.cols !== 1) return null;
    const x = cell(ref.sheet ? sheetByName(ref.sheet) : sheet, ref.r0, ref.c0, false);
    return (x && (x.entity || x.cellValue)) || null;
  }
  /** A function's answer in its cell, spilling an array; an error object shows its code. */
  function show(sheet, r, c, x, result) {
    if (result && typeof result === 'object' && !Array.isArray(result) && result.code) {
      x.value = ErrorCells[result.code] || '#VALUE!';
      x.error = result.message || '';
      return;
    }
    x.error = null;
    const grid = Array.isArray(result) ? result : [[result]];
    grid.forEach((row, i) => row.forEach((v, j) => {
      const target = i === 0 && j === 0 ? x : cell(sheet, r + i, c + j, true);
      // An entity value (Excel.EntityCellValue) shows its text; dot notation reads its properties.
      // A formatted number (Excel.DoubleCellValue) shows its basicValue in its numberFormat. Either
      // data type without allowCustomDataForDataTypeAny or CustomFunctionsRuntime 1.4 is #VALUE!.
      const entity = v && typeof v === 'object' && v.type === 'Entity' ? v : null;
      const double = v && typeof v === 'object' && v.type === 'Double' ? v : null;
      const refused = (entity || double) && !dataTypes;
      const shown = refused ? '#VALUE!' : entity ? entity.text : double ? double.basicValue : v && typeof v === 'object' && v.code ? ErrorCells[v.code] || '#VALUE!' : v;
      target.value = shown;
      target.entity = refused ? null : entity;
      target.cellValue = refused ? null : double;
      if (i > 0 || j > 0) target.spillFrom = r + ',' + c;
    }));
  }
  /** Excel cancels a cell's running call when the cell is edited, cleared or recalculated: onCanceled fires. */
  function endInvocation(x) {
    const inv = x && x.invocation;
    if (!inv) return;
    x.invocation = null;
    model.cancellations++;
    if (typeof inv.onCanceled === 'function') inv.onCanceled();
  }
  const NOT_A_NUMBER = {};
  /**
   * What Excel hands a parameter of a declared type: numeric text becomes a number, date text
   * (2024-01-05) the date's serial in the workbook's system, other text NOT_A_NUMBER (#VALUE!).
   */
  function coerce(v, type) {
    if (type !== 'number' || typeof v !== 'string') return v;
    if (v.trim() === '') return v;
    if (/^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
    if (d) return workbookSerial(+d[1], +d[2], +d[3]);
    return NOT_A_NUMBER;
  }
  /** A CustomFunctions.Error's code → the cell text; a code Excel does not know shows #VALUE!. */
  const ErrorCells = { '#VALUE!': '#VALUE!', '#N/A': '#N/A', '#DIV/0!': '#DIV/0!', '#NUM!': '#NUM!', '#NULL!': '#NULL!' };
  let calculating = Promise.resolve();
  /** A formula the double cannot read shows #VALUE! (with the reason) instead of breaking the calculation chain. */
  async function safely(f) {
    try {
      await evaluate(f.s, f.r, f.c, f.x);
    } catch (e) {
      f.x.value = '#VALUE!';
      f.x.error = String(e && e.message);
    }
  }
  function recalc(scope) {
    calculating = calculating.then(async () => {
      model.calcRuns++;
      const sheets = scope && scope.sheet ? [scope.sheet] : model.sheets;
      const formulas = [];
      for (const s of sheets) for (const [k, x] of s.cells) if (x.formula) {
        const [r, c] = k.split(',').map(Number);
        if (scope && scope.range && !(r >= scope.range.r0 && r < scope.range.r0 + scope.range.rows && c >= scope.range.c0 && c < scope.range.c0 + scope.range.cols)) continue;
        formulas.push({ s, r, c, x, crego: x.formula.includes('CREGO.') });
      }
      // CREGO.* first (they feed SUMIF/COUNTIF), all at once like one recalculation wave.
      await Promise.all(formulas.filter((f) => f.crego).map((f) => safely(f)));
      for (const f of formulas.filter((f) => !f.crego)) await safely(f);
    });
    return calculating;
  }

  // ── Office.js objects ────────────────────────────────────────────────────────────────────────
  function grid(rows, cols, fn) { return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => fn(i, j))); }
  function makeRange(sheet, r0, c0, rows, cols) {
    const each = (value, set) => { for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) set(r0 + i, c0 + j, Array.isArray(value) ? value[i][j] : value); };
    const checkShape = (v, what) => {
      if (!Array.isArray(v) || v.length !== rows || v.some((row) => !Array.isArray(row) || row.length !== cols)) {
        throw officeError('InvalidArgument', what + ': the array does not match the size of the range ' + a1(r0, c0) + ' (' + rows + 'x' + cols + ')');
      }
    };
    const range = {
      isNullObject: false,
      load() { return range; },
      get address() { return quoteSheet(sheet.name) + '!' + (rows === 1 && cols === 1 ? a1(r0, c0) : a1(r0, c0) + ':' + a1(r0 + rows - 1, c0 + cols - 1)); },
      get rowIndex() { return r0; },
      get columnIndex() { return c0; },
      get rowCount() { return rows; },
      get columnCount() { return cols; },
      get values() { return grid(rows, cols, (i, j) => valueOf(sheet, r0 + i, c0 + j)); },
      set values(v) { checkShape(v, 'values'); refuseIfProtected(sheet, r0, c0, rows, cols); each(v, (r, c, x) => assignValue(sheet, r, c, readLikeTyping(sheet, r, c, x))); },
      get formulas() { return grid(rows, cols, (i, j) => { const x = cell(sheet, r0 + i, c0 + j, false); return x ? x.formula || x.value : ''; }); },
      set formulas(v) { checkShape(v, 'formulas'); refuseIfProtected(sheet, r0, c0, rows, cols); each(v, (r, c, x) => assignFormula(sheet, r, c, x)); },
      get numberFormat() { return grid(rows, cols, (i, j) => formatAt(sheet, r0 + i, c0 + j)); },
      // What each cell shows: a formatted number (Excel.DoubleCellValue) in its own format, else in the cell's.
      get text() {
        return grid(rows, cols, (i, j) => {
          const x = cell(sheet, r0 + i, c0 + j, false);
          return x ? displayText(x.value, x.cellValue ? x.cellValue.numberFormat : formatAt(sheet, r0 + i, c0 + j)) : '';
        });
      },
      set style(name) {
        refuseUnless(sheet, 'allowFormatCells');
        const st = model.styles.get(name);
        if (!st) throw officeError('ItemNotFound', 'double: no style ' + name);
        sheet.styled.push({ r0, c0, rows, cols, numberFormat: st.includeNumber === false ? 'General' : st.numberFormat });
      },
      set numberFormat(v) { checkShape(v, 'numberFormat'); refuseUnless(sheet, 'allowFormatCells'); each(v, (r, c, x) => { cell(sheet, r, c, true).numberFormat = x; }); },
      get worksheet() { return makeSheet(sheet); },
      format: {
        fill: {
          set color(v) { refuseUnless(sheet, 'allowFormatCells'); each(null, (r, c) => { cell(sheet, r, c, true).fill = v; }); },
          get color() { const x = cell(sheet, r0, c0, false); return x ? x.fill : ''; },
          clear() { each(null, (r, c) => { const x = cell(sheet, r, c, false); if (x) x.fill = ''; }); },
        },
        font: {
          set bold(v) { each(null, (r, c) => { cell(sheet, r, c, true).bold = v; }); },
          get bold() { const x = cell(sheet, r0, c0, false); return x ? x.bold : false; },
          color: '',
        },
        autofitColumns() {},
        protection: {
          set locked(v) {
            if (sheet.protection) throw officeError('AccessDenied', 'Cell protection cannot change on a protected sheet');
            each(null, (r, c) => { if (v) sheet.unlocked.delete(r + ',' + c); else sheet.unlocked.add(r + ',' + c); });
          },
          get locked() { return isLocked(sheet, r0, c0); },
        },
      },
      dataValidation: {
        get type() { const v = findValidation(sheet, r0, c0); return v ? 'List' : 'None'; },
        get rule() { const v = findValidation(sheet, r0, c0); return v ? v.rule : {}; },
        set rule(rule) { sheet.validations.push({ r0, c0, rows, cols, rule }); },
        set errorAlert(a) { const v = sheet.validations[sheet.validations.length - 1]; if (v) v.errorAlert = a; },
        set prompt(a) { const v = sheet.validations[sheet.validations.length - 1]; if (v) v.prompt = a; },
        clear() { sheet.validations = sheet.validations.filter((v) => !(v.r0 === r0 && v.c0 === c0)); },
        load() {},
      },
      getCell(i, j) { return makeRange(sheet, r0 + i, c0 + j, 1, 1); },
      // What Microsoft's client uses to cut a large write into 1,500-cell pieces (setRangePropertiesInBulk).
      _box: { r0, c0, rows, cols },
      getRow(i) { return makeRange(sheet, r0 + i, c0, 1, cols); },
      getSpillingToRangeOrNullObject() { return nullObject(); },
      getColumn(j) { return makeRange(sheet, r0, c0 + j, rows, 1); },
      getOffsetRange(dr, dc) { return makeRange(sheet, r0 + dr, c0 + dc, rows, cols); },
      getResizedRange(dr, dc) { return makeRange(sheet, r0, c0, rows + dr, cols + dc); },
      getBoundingRect(other) {
        const b = typeof other === 'string' ? parseRef(other) : other._box;
        const top = Math.min(r0, b.r0), left = Math.min(c0, b.c0);
        const bottom = Math.max(r0 + rows, b.r0 + b.rows), right = Math.max(c0 + cols, b.c0 + b.cols);
        return makeRange(sheet, top, left, bottom - top, right - left);
      },
      // Per-cell fills, as Excel reports them: no fill reads as white; the value is there after sync.
      getCellProperties(options) {
        if (!(options && options.format && options.format.fill && options.format.fill.color)) throw officeError('InvalidArgument', 'double: only format.fill.color is modelled');
        const value = grid(rows, cols, (i, j) => { const x = cell(sheet, r0 + i, c0 + j, false); return { format: { fill: { color: (x && x.fill) ? x.fill.toUpperCase() : '#FFFFFF' } } }; });
        return { value };
      },
      getEntireColumn() { return makeRange(sheet, 0, c0, 1048576, cols); },
      select() { model.active = sheet; model.selection = { sheet: sheet.name, r0, c0, rows, cols }; },
      calculate() { pending.push(() => recalc({ sheet, range: { r0, c0, rows, cols } })); },
      /** The formula cells of the range, one area per cell (Range.getSpecialCellsOrNullObject, ExcelApi 1.9). */
      getSpecialCellsOrNullObject(type) {
        if (type !== 'Formulas') throw officeError('InvalidArgument', 'double: only formulas special cells');
        const items = [];
        for (const [k, x] of sheet.cells) {
          const [r, c] = k.split(',').map(Number);
          if (x.formula && r >= r0 && r < r0 + rows && c >= c0 && c < c0 + cols) items.push({ formulas: [[x.formula]] });
        }
        return { isNullObject: items.length === 0, load() { return this; }, areas: { items, load() { return this; } } };
      },
    };
    return range;
  }
  function findValidation(sheet, r, c) {
    return sheet.validations.find((v) => r >= v.r0 && r < v.r0 + v.rows && c >= v.c0 && c < v.c0 + v.cols) || null;
  }
  function quoteSheet(name) { return /[^A-Za-z0-9_]/.test(name) ? "'" + name.replace(/'/g, "''") + "'" : name; }
  function nullObject() { return { isNullObject: true, load() { return this; } }; }

  function makeSheet(sheet) {
    const ws = {
      isNullObject: false,
      load() { return ws; },
      get id() { return sheet.id; },
      get name() { return sheet.name; },
      get visibility() { return sheet.visibility; },
      set visibility(v) { sheet.visibility = v; },
      activate() { model.active = sheet; },
      delete() {
        model.sheets = model.sheets.filter((x) => x !== sheet);
        model.tables = model.tables.filter((t) => t.sheet !== sheet);
        if (model.active === sheet) model.active = model.sheets[0] || null;
        if (model.selection && model.selection.sheet === sheet.name && model.active) model.selection = { sheet: model.active.name, r0: 0, c0: 0, rows: 1, cols: 1 };
      },
      calculate() { model.log.push('calculate sheet ' + sheet.name); pending.push(() => recalc({ sheet })); },
      protection: {
        load() { return this; },
        get protected() { return !!sheet.protection; },
        get options() { return sheet.protection ? Object.assign({}, sheet.protection) : {}; },
        protect(options) {
          if (sheet.protection) throw officeError('InvalidOperation', 'The sheet is already protected');
          sheet.protection = Object.assign({}, options || {});
          model.log.push('protect ' + sheet.name);
        },
        unprotect() { sheet.protection = null; model.log.push('unprotect ' + sheet.name); },
      },
      getRange(address) {
        // No address: the whole sheet (Worksheet.getRange(address?)). Microsoft's client sends the omitted argument as null.
        if (address === undefined || address === null) return makeRange(sheet, 0, 0, 1048576, 16384);
        const ref = parseRef(address);
        if (!ref) throw officeError('InvalidArgument', 'Bad address ' + address);
        return makeRange(sheet, ref.r0, ref.c0, ref.rows, ref.cols);
      },
      getRangeByIndexes(r, c, rows, cols) { return makeRange(sheet, r, c, rows, cols); },
      getUsedRangeOrNullObject() {
        const b = usedBounds(sheet);
        return b ? makeRange(sheet, b.r0, b.c0, b.rows, b.cols) : nullObject();
      },
      freezePanes: {
        freezeRows(n) { sheet.frozen = { rows: n, cols: 0 }; },
        freezeColumns(n) { sheet.frozen = { rows: 0, cols: n }; },
        freezeAt(address) { const ref = parseRef(address); sheet.frozen = { rows: ref.rows, cols: ref.cols }; },
        unfreeze() { sheet.frozen = null; },
      },
      tables: {
        get items() { return sheet.tables.map(makeTable); },
        getItem(key) { const t = sheet.tables.find((x) => x.id === key || x.name.toLowerCase() === String(key).toLowerCase()); if (!t) throw officeError('ItemNotFound', 'No table ' + key); return makeTable(t); },
        add(address, hasHeaders) {
          const ref = parseRef(address);
          const t = { id: String(model.nextId++), name: 'Table' + (model.tables.length + 1), style: '', sheet, ref, hasHeaders };
          model.tables.push(t);
          sheet.tables.push(t);
          return makeTable(t);
        },
      },
      notes: {
        add(address, content) { refuseUnless(sheet, 'allowEditObjects'); sheet.notes.set(parseAddress(address), content); },
        getItemOrNullObject(address) {
          const key = parseAddress(address);
          if (!sheet.notes.has(key)) return nullObject();
          return {
            isNullObject: false,
            load() { return this; },
            get content() { return sheet.notes.get(key); },
            set content(v) { sheet.notes.set(key, v); },
            delete() { sheet.notes.delete(key); },
          };
        },
      },
      charts: {
        add(type, source, seriesBy) {
          const chart = { name: 'Chart ' + (model.charts.length + 1), type, source: source.address, seriesBy, title: { text: '' }, legend: { visible: true }, position: null };
          model.charts.push(chart);
          sheet.charts.push(chart);
          return Object.assign(chart, { setPosition(from, to) { chart.position = [from, to]; }, load() { return chart; } });
        },
      },
    };
    return ws;
  }
  function parseAddress(address) { const ref = parseRef(typeof address === 'string' ? address : address.address); return a1(ref.r0, ref.c0); }
  function makeTable(t) {
    const api = {
      isNullObject: false,
      load() { return api; },
      get id() { return t.id; },
      get name() { return t.name; },
      set name(v) { t.name = v; },
      get style() { return t.style; },
      set style(v) { t.style = v; },
      get worksheet() { return makeSheet(t.sheet); },
      getHeaderRowRange() { return makeRange(t.sheet, t.ref.r0, t.ref.c0, 1, t.ref.cols); },
      getRange() { return makeRange(t.sheet, t.ref.r0, t.ref.c0, t.ref.rows, t.ref.cols); },
      getDataBodyRange() { return makeRange(t.sheet, t.ref.r0 + 1, t.ref.c0, t.ref.rows - 1, t.ref.cols); },
    };
    return api;
  }

  const pending = [];
  const workbook = {
    styles: {
      load() { return this; },
      get items() { return [...model.styles.values()].map((st) => ({ name: st.name })); },
      add(name) { if (model.styles.has(name)) throw officeError('InvalidArgument', 'double: style exists'); model.styles.set(name, { name, numberFormat: 'General', includeNumber: true }); },
      getItem(name) { const st = model.styles.get(name); if (!st) throw officeError('ItemNotFound', 'double: no style ' + name); return st; },
    },
    worksheets: {
      get items() { return model.sheets.map(makeSheet); },
      load() { return this; },
      getItem(name) {
        const s = sheetByName(name);
        if (!s) throw officeError('ItemNotFound', 'The requested resource does not exist: sheet ' + name);
        return makeSheet(s);
      },
      getItemOrNullObject(name) { const s = sheetByName(name); return s ? makeSheet(s) : nullObject(); },
      add(name) {
        if (sheetByName(name)) throw officeError('ItemAlreadyExists', 'A sheet named ' + name + ' exists');
        return makeSheet(newSheet(name));
      },
      getActiveWorksheet() { return makeSheet(model.active); },
    },
    tables: {
      get items() { return model.tables.map(makeTable); },
      getItem(key) { const t = model.tables.find((x) => x.id === key || x.name.toLowerCase() === String(key).toLowerCase()); if (!t) throw officeError('ItemNotFound', 'No table ' + key); return makeTable(t); },
      load() { return this; },
      getItemOrNullObject(name) { const t = model.tables.find((x) => x.name.toLowerCase() === String(name).toLowerCase()); return t ? makeTable(t) : nullObject(); },
    },
    application: { calculate() { model.log.push('calculate application'); pending.push(() => recalc(null)); } },
    // Workbook.settings (ExcelApi 1.4): saved with the workbook, so they outlive a pane.
    settings: {
      add(key, value) { model.settings.set(key, value); },
      getItemOrNullObject(key) {
        if (!model.settings.has(key)) return nullObject();
        return { isNullObject: false, load() { return this; }, get value() { return model.settings.get(key); }, delete() { model.settings.delete(key); } };
      },
    },
    // Released API only: no preview Workbook.use1904DateSystem (absent from production office.js).
    // Workbook.functions.date answers a serial of the workbook's date system, as Excel's DATE does.
    load() { return workbook; },
    functions: {
      date(year, month, day) {
        if (model.date1904 === 'refuse') throw officeError('ApiNotFound', 'double: Functions.date is not available');
        return { value: workbookSerial(year, month, day), error: null, load() { return this; } };
      },
    },
    getSelectedRanges() {
      const s = model.selection;
      const range = makeRange(sheetByName(s.sheet), s.r0, s.c0, s.rows, s.cols);
      return { load() { return this; }, get address() { return range.address; }, calculate() { range.calculate(); } };
    },
    getSelectedRange() {
      const s = model.selection;
      const sheet = sheetByName(s.sheet);
      return makeRange(sheet, s.r0, s.c0, s.rows, s.cols);
    },
  };
  /**
   * How a batch ends: the calculations it asked for (calculate()) and, when it changed values or formulas,
   * Excel's automatic recalculation, are started. Neither is awaited: Excel answers the batch while the
   * custom functions are still fetching (their cells show #BUSY! until the answers arrive), so a caller
   * that needs the values waits for them itself, as the pane's Refresh does.
   */
  function afterBatch() {
    for (const run of pending.splice(0)) void run();
    if (dirty) { dirty = false; void recalc(null); }
  }

  // ── globals ──────────────────────────────────────────────────────────────────────────────────
  class CFError extends Error {
    constructor(code, message) { super(message || ''); this.code = code; }
  }
  window.CustomFunctions = {
    associate(id, fn) {
      if (typeof id === 'object') { for (const [k, v] of Object.entries(id)) registry.set(k.toUpperCase(), v); return; }
      registry.set(String(id).toUpperCase(), fn);
    },
    Error: CFError,
    // As in Excel (@types/custom-functions-runtime): each code's value is the text the cell shows.
    ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A', divisionByZero: '#DIV/0!', invalidNumber: '#NUM!', nullReference: '#NULL!', invalidName: '#NAME?', invalidReference: '#REF!' },
  };
  const actions = new Map();
  // OfficeRuntime.storage outlives the pane in Excel; sessionStorage gives the same across a reload here.
  const PREFIX = 'office-runtime:';
  window.OfficeRuntime = {
    storage: {
      async getItem(k) { return sessionStorage.getItem(PREFIX + k); },
      async setItem(k, v) { sessionStorage.setItem(PREFIX + k, String(v)); },
      async removeItem(k) { sessionStorage.removeItem(PREFIX + k); },
    },
  };
  // A test may declare the host's API level before the page loads: window.__hostApi = { ExcelApi: '1.8' }.
  const hostApi = window.__hostApi || {};
  const visibilityHandlers = [];
  // Microsoft's office.js is loaded first and the test declares the host (window.__excelHostConfig): Excel and
  // OfficeExtension are the real client's, and only the host's side is played here.
  const hostConfig = window.__excelHostConfig;
  if (!hostConfig) throw new Error('office-double.js runs after Microsoft\'s office.js and window.__excelHostConfig (test/browser/host/office-host.ts officeScript())');
  const apiLevel = hostConfig.excelApi;
  function isSetSupported(name, version) {
    const [a, b] = String(version || '1.1').split('.').map(Number);
    const declared = hostApi[name];
    if (declared) {
      const [x, y] = String(declared).split('.').map(Number);
      return x > a || (x === a && y >= (b || 0));
    }
    if (/^ExcelApi$/i.test(name)) return (b || 0) <= apiLevel;
    if (/^ExcelApi(Online|Desktop)$/i.test(name)) return false; // platform-only sets: the bundled client has neither
    return true; // SharedRuntime, CustomFunctionsRuntime, DelayForCellEdit, …
  }
  // (office.js defines Office.context as a getter: the host's members are defined over it.)
  const office = window.Office || (window.Office = {});
  const hostMembers = {
    HostType: { Excel: 'Excel' },
    context: { requirements: { isSetSupported }, diagnostics: { host: 'Excel', platform: 'PC', version: 'fake host behind office.js' } },
    addin: {
      onVisibilityModeChanged(handler) { visibilityHandlers.push(handler); return Promise.resolve(() => undefined); },
    },
    actions: { associate(name, fn) { actions.set(name, fn); } },
    onReady(cb) { const info = { host: 'Excel', platform: 'PC' }; return Promise.resolve().then(() => { if (cb) cb(info); return info; }); },
  };
  // office.js reads Office.context from the app factory its loader sets up with the host: this host's.
  if (window.OSF && !window.OSF._OfficeAppFactory) window.OSF._OfficeAppFactory = { getContext: () => hostMembers.context };
  for (const [k, v] of Object.entries(hostMembers)) {
    const d = Object.getOwnPropertyDescriptor(office, k);
    if (!d || d.configurable) Object.defineProperty(office, k, { value: v, configurable: true, writable: true, enumerable: true });
    else if (d.writable) office[k] = v;
  }
  // What the fake Excel host (host/excel-host.js) executes a batch against, and how a batch ends.
  window.__officeDouble = {
    workbook,
    afterBatch,
    /** Whether the user is editing a cell (__workbook.setCellEdit), and each batch's run options, as the host records them. */
    cellEdit: () => model.cellEdit,
    recordRun: (options) => { model.runOptions.push(options); },
  };

  // A new workbook: one empty sheet, A1 selected.
  model.active = newSheet('Sheet1');
  model.selection = { sheet: 'Sheet1', r0: 0, c0: 0, rows: 1, cols: 1 };

  // ── what the test reads and does ────────────────────────────────────────────────────────────
  window.__workbook = {
    sheetNames: () => model.sheets.map((s) => s.name),
    activeSheet: () => model.active && model.active.name,
    selection: () => model.selection,
    /**
     * "Typing": values written as a person would, at a top-left A1 address. As in Excel, numeric text
     * typed into a cell that is not Text-formatted becomes a number (004321 → 4321).
     */
    type(sheetName, address, rows) {
      const s = sheetByName(sheetName); const ref = parseRef(address);
      refuseIfProtected(s, ref.r0, ref.c0, rows.length, Math.max(...rows.map((r) => r.length)));
      rows.forEach((row, i) => row.forEach((v, j) => assignValue(s, ref.r0 + i, ref.c0 + j, readLikeTyping(s, ref.r0 + i, ref.c0 + j, v))));
      if (dirty) { dirty = false; return recalc(null); }
      return Promise.resolve();
    },
    setDate1904(flag) { model.date1904 = flag; },
    /** The user opens the (hidden) task pane: Office's visibility event. */
    showPane() { for (const h of visibilityHandlers) h({ visibilityMode: 'Taskpane' }); },
    /** The user is typing in a cell (Excel's cell-edit mode). */
    setCellEdit(flag) { model.cellEdit = flag; },
    /** What each request that reached the host asked for: { delayForCellEdit: true } when it carried the flag, else null. */
    runOptions: () => model.runOptions.slice(),
    /**
     * Data › Sort on a block (e.g. A4:O6), rows ordered by one of its columns (0-based within the block),
     * descending when asked: whole rows move, result columns with them. Refused on a protected sheet.
     */
    sortRows(sheetName, address, byColumn, descending) {
      const s = sheetByName(sheetName); const ref = parseRef(address);
      refuseUnless(s, 'allowSort');
      const rows = makeRange(s, ref.r0, ref.c0, ref.rows, ref.cols).values;
      const key = (row) => row[byColumn];
      rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (descending ? -1 : 1));
      rows.forEach((row, i) => row.forEach((v, j) => assignValue(s, ref.r0 + i, ref.c0 + j, v)));
    },
    protection: (sheetName) => { const p = sheetByName(sheetName).protection; return p ? Object.assign({}, p) : null; },
    /** What the workbook's settings hold (Workbook.settings). */
    setting: (key) => (model.settings.has(key) ? model.settings.get(key) : null),
    setSetting: (key, value) => { model.settings.set(key, value); },
    /** Protect a sheet as a person would (Review › Protect Sheet, no password). */
    protect: (sheetName) => { sheetByName(sheetName).protection = {}; },
    log: () => model.log.slice(),
    /** A fill the user gave a cell (Home > Fill colour). */
    setFill(sheetName, address, color) { const s = sheetByName(sheetName); const ref = parseRef(address); cell(s, ref.r0, ref.c0, true).fill = color; },
    select(sheetName, address) { const ref = parseRef(address); model.active = sheetByName(sheetName); model.selection = { sheet: sheetName, r0: ref.r0, c0: ref.c0, rows: ref.rows, cols: ref.cols }; },
    cell(sheetName, address) {
      const s = sheetByName(sheetName); const ref = parseRef(address);
      const x = s && cell(s, ref.r0, ref.c0, false);
      return x ? { value: x.value, formula: x.formula, numberFormat: formatAt(s, ref.r0, ref.c0), valueFormat: x.cellValue ? x.cellValue.numberFormat : null, fill: x.fill, bold: x.bold, note: s.notes.get(a1(ref.r0, ref.c0)) || null, error: x.error, entity: x.entity || null } : null;
    },
    values(sheetName, address) { const s = sheetByName(sheetName); const ref = parseRef(address); return makeRange(s, ref.r0, ref.c0, ref.rows, ref.cols).values; },
    used(sheetName) { const s = sheetByName(sheetName); const b = s && usedBounds(s); return b ? makeRange(s, b.r0, b.c0, b.rows, b.cols).values : []; },
    validations(sheetName) { return sheetByName(sheetName).validations.map((v) => ({ address: a1(v.r0, v.c0) + ':' + a1(v.r0 + v.rows - 1, v.c0 + v.cols - 1), source: v.rule.list && v.rule.list.source })); },
    tables: () => model.tables.map((t) => ({ name: t.name, sheet: t.sheet.name, address: a1(t.ref.r0, t.ref.c0) + ':' + a1(t.ref.r0 + t.ref.rows - 1, t.ref.c0 + t.ref.cols - 1), style: t.style })),
    charts: () => model.charts.map((c) => ({ name: c.name, type: c.type, source: c.source, title: c.title.text, position: c.position })),
    frozen: (sheetName) => sheetByName(sheetName).frozen,
    visibility: (sheetName) => sheetByName(sheetName).visibility,
    registered: () => [...registry.keys()].sort(),
    actions: () => [...actions.keys()],
    runAction: (name) => new Promise((resolve) => actions.get(name)({ completed: resolve })),
    storageKeys: () => Object.keys(sessionStorage).filter((k) => k.startsWith(PREFIX)).map((k) => k.slice(PREFIX.length)),
    calcRuns: () => model.calcRuns,
    /** How many running calls Excel cancelled (edits, clears, recalculations of a pending cell). */
    cancellations: () => model.cancellations,
    /**
     * Formula value preview: what Excel computes while a formula is typed, before Enter
     * (isInValuePreview true); nothing is written. Resolves with {value} or {error}.
     */
    preview(sheetName, address, formulaText) {
      const s = sheetByName(sheetName); const ref = parseRef(address);
      const scratch = { value: '', formula: formulaText, numberFormat: 'General', fill: '', bold: false, spillFrom: null, error: null };
      return evaluate(s, ref.r0, ref.c0, scratch, true);
    },
    settled: () => calculating,
  };
})();
