/**
 * Formulas: a builder over the built functions.json (names, descriptions, parameters exactly as
 * Excel sees them) and the field catalogue the functions use (names with descriptions), which
 * inserts the formula at the selected cell.
 */
import { CATALOG, type FieldSpec } from '../functions/catalog';
import { qualify } from '../excel/address';
import { excelRun } from '../excel/run';
import { getSelection, insertFormulaAtSelection, readSelectedFormula } from '../excel/selection';
import { busy, byId, el, messageOf, say, setChildren } from './dom';
import { buildFormula, fieldsArgument, formulaArgument, isCellReference, parseFormula } from './formulaText';

interface ParamMeta {
  name: string;
  description?: string;
  type?: string;
  dimensionality?: string;
  optional?: boolean;
}

interface FunctionMeta {
  id: string;
  name: string;
  description?: string;
  parameters: ParamMeta[];
}

let functions: FunctionMeta[] = [];
/**
 * A reopened formula whose fields come from cells (the dashboard's `D4:H4`): kept as it is until
 * fields are ticked, so inserting the formula again does not silently drop them.
 */
let fieldReference: string | null = null;

/** Parameters that take a field name (matched by name, so a new function needs no change here). */
const FIELD_PARAM = 'field';
/** Parameters that are usually a cell or range: they get a "Use selection" button. */
const REF_PARAMS = new Set(['accountId', 'principal', 'annualRatePct', 'tenureMonths', 'asOfDate', 'fromDate', 'toDate', 'startDate']);

function current(): FunctionMeta | undefined {
  return functions.find((f) => f.id === byId<HTMLSelectElement>('fn').value);
}

function selectedFields(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>('#fn-fields input:checked')].map((i) => i.value);
}

function argumentsFor(fn: FunctionMeta): string[] {
  return fn.parameters.map((p) => {
    if (p.name === FIELD_PARAM && CATALOG[fn.id]) {
      const ticked = selectedFields();
      return ticked.length === 0 && fieldReference ? fieldReference : fieldsArgument(ticked);
    }
    const input = document.getElementById(`fn-arg-${p.name}`) as HTMLInputElement | null;
    return formulaArgument(input?.value ?? '');
  });
}

function updatePreview(): void {
  const fn = current();
  byId('fn-preview').textContent = fn ? buildFormula(fn.id, argumentsFor(fn)) : '';
}

function renderFields(fn: FunctionMeta, specs: readonly FieldSpec[], multiple: boolean): void {
  const box = byId('fn-fields');
  const rows = specs.map((spec) =>
    el(
      'label',
      { 'data-field': spec.name },
      el('input', { type: multiple ? 'checkbox' : 'radio', name: 'fn-field', value: spec.name }),
      spec.name,
      el('span', { class: 'hint' }, spec.description),
    ),
  );
  setChildren(box, ...rows);
  byId('fn-fields-box').hidden = false;
  byId('fn-fields-box').querySelector('legend')!.textContent = multiple ? `Fields of ${fn.id} (pick one or more)` : `Field of ${fn.id}`;
}

function renderFunction(): void {
  const fn = current();
  const args = byId('fn-args');
  fieldReference = null;
  setChildren(args);
  byId('fn-fields-box').hidden = true;
  if (!fn) return;
  byId('fn-desc').textContent = fn.description ?? '';
  for (const p of fn.parameters) {
    if (p.name === FIELD_PARAM && CATALOG[fn.id]) {
      renderFields(fn, CATALOG[fn.id], p.dimensionality === 'matrix');
      continue;
    }
    const id = `fn-arg-${p.name}`;
    const label = el('label', { for: id }, `${p.name}${p.optional ? ' (optional)' : ''}`);
    const input = el('input', { id, type: 'text', spellcheck: 'false', 'aria-describedby': `${id}-hint` });
    const hint = el('p', { id: `${id}-hint`, class: 'hint' }, p.description ?? '');
    args.append(label, input, hint);
    if (REF_PARAMS.has(p.name)) {
      const use = el('button', { type: 'button', class: 'link', 'data-for': id }, 'Use the selected cells');
      use.addEventListener('click', () =>
        void excelRun(getSelection)
          .then((sel) => {
            // Qualified with its sheet: the formula usually goes on another sheet than the ids.
            input.value = qualify(sel.sheet, sel.address);
            updatePreview();
          })
          .catch((e) => say(byId('fn-status'), messageOf(e), 'error')),
      );
      args.append(use);
    }
  }
  updatePreview();
}

/** Round trip: reopen the builder on the CREGO formula of the selected cell. */
async function loadFromSelection(): Promise<void> {
  const { address, formula } = await excelRun(readSelectedFormula);
  const parsed = parseFormula(formula);
  const fn = parsed && functions.find((f) => f.id === parsed.fn);
  if (!parsed || !fn) {
    say(byId('fn-status'), `${address} holds no CREGO formula the builder knows; select a cell with one.`, 'warning');
    return;
  }
  byId<HTMLSelectElement>('fn').value = fn.id;
  renderFunction();
  fn.parameters.forEach((p, i) => {
    if (p.name === FIELD_PARAM && CATALOG[fn.id]) {
      const given = parsed.args[i] ?? '';
      if (!parsed.fieldLists[i] && isCellReference(given)) fieldReference = given.trim();
      const names = new Set((parsed.fieldLists[i] ?? [given]).map((n) => n.toLowerCase()));
      for (const box of document.querySelectorAll<HTMLInputElement>('#fn-fields input')) box.checked = names.has(box.value);
      return;
    }
    const input = document.getElementById(`fn-arg-${p.name}`) as HTMLInputElement | null;
    if (input) input.value = parsed.args[i] ?? '';
  });
  updatePreview();
  const fromCells = fieldReference ? ` Its fields come from ${fieldReference}, kept unless you tick fields.` : '';
  say(byId('fn-status'), `Loaded the formula of ${address}; change it and insert it again.${fromCells}`, 'info');
}

async function loadMetadata(): Promise<FunctionMeta[]> {
  const res = await fetch('./functions.json', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`Could not load the function list (functions.json: HTTP ${res.status})`);
  const body = (await res.json()) as { functions?: FunctionMeta[] };
  return (body.functions ?? []).map((f) => ({ ...f, parameters: f.parameters ?? [] }));
}

export async function setupFormulas(): Promise<void> {
  const select = byId<HTMLSelectElement>('fn');
  try {
    functions = await loadMetadata();
  } catch (error) {
    say(byId('fn-status'), messageOf(error), 'error');
    return;
  }
  for (const f of functions) select.append(el('option', { value: f.id }, f.id));
  if (functions.some((f) => f.id === 'SUMMARY')) select.value = 'SUMMARY';
  select.addEventListener('change', renderFunction);
  byId('fn-args').addEventListener('input', updatePreview);
  byId('fn-fields').addEventListener('change', () => {
    fieldReference = null; // ticking fields replaces the cells the reopened formula took them from
    updatePreview();
  });
  byId('fn-field-filter').addEventListener('input', () => {
    const q = byId<HTMLInputElement>('fn-field-filter').value.trim().toLowerCase();
    for (const label of document.querySelectorAll<HTMLElement>('#fn-fields label')) {
      label.hidden = q !== '' && !(label.textContent ?? '').toLowerCase().includes(q);
    }
  });
  byId('fn-load').addEventListener('click', () =>
    void busy(byId<HTMLButtonElement>('fn-load'), () => loadFromSelection().catch((e) => say(byId('fn-status'), messageOf(e), 'error'))),
  );
  byId('fn-insert').addEventListener('click', () =>
    void busy(byId<HTMLButtonElement>('fn-insert'), async () => {
      const fn = current();
      if (!fn) return;
      const formula = buildFormula(fn.id, argumentsFor(fn));
      const missing = fn.parameters.find((p, i) => !p.optional && argumentsFor(fn)[i] === '');
      if (missing) {
        say(byId('fn-status'), `Fill in ${missing.name}: ${missing.description ?? 'required'}`, 'error');
        return;
      }
      try {
        const at = await excelRun((ctx) => insertFormulaAtSelection(ctx, formula));
        say(byId('fn-status'), `Inserted ${formula} in ${at}.`, 'success');
      } catch (error) {
        say(byId('fn-status'), messageOf(error), 'error');
      }
    }),
  );
  renderFunction();
}
