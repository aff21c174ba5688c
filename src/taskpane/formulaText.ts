/**
 * Turning the builder's inputs into formula text (pure, tested in Node). Arguments that look like
 * cell references stay references; numbers and TRUE/FALSE stay literal; anything else becomes a
 * quoted string with `"` doubled, so typed text can never break out of its argument.
 */

export const NAMESPACE = 'CREGO';

const CELL_REF = /^(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?#?$/;

export function isCellReference(text: string): boolean {
  return CELL_REF.test(text.trim());
}

/** One argument as formula text; '' means "left out". */
export function formulaArgument(raw: string): string {
  const text = raw.trim();
  if (text === '') return '';
  if (isCellReference(text)) return text;
  if (/^-?\d+(\.\d+)?$/.test(text)) return text;
  if (/^(true|false)$/i.test(text)) return text.toUpperCase();
  return `"${text.replace(/"/g, '""')}"`;
}

/** Several field names as one argument: a single quoted name, or an array constant for a row of names. */
export function fieldsArgument(fields: readonly string[]): string {
  if (fields.length === 0) return '';
  if (fields.length === 1) return formulaArgument(fields[0]);
  return `{${fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')}}`;
}

/** `=CREGO.NAME(a, b)`, trailing left-out arguments dropped, inner ones kept empty. */
export function buildFormula(fn: string, args: readonly string[]): string {
  const list = [...args];
  while (list.length > 0 && list[list.length - 1] === '') list.pop();
  return `=${NAMESPACE}.${fn}(${list.join(',')})`;
}

/** Split an argument list on top-level commas (not inside quotes, parentheses or `{…}`). */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '(' || ch === '{')) depth++;
    if (!quoted && (ch === ')' || ch === '}')) depth--;
    if (!quoted && depth === 0 && ch === ',') {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (text.trim() !== '' || out.length > 0) out.push(current.trim());
  return out;
}

/** A quoted argument back to its text (`"say ""hi"""` → `say "hi"`); anything else as written. */
function unquote(arg: string): string {
  return arg.length >= 2 && arg.startsWith('"') && arg.endsWith('"') ? arg.slice(1, -1).replace(/""/g, '"') : arg;
}

export interface ParsedFormula {
  fn: string;
  /** Each argument as a person would type it in the builder (quotes removed). */
  args: string[];
  /** Field names when an argument is an array constant of strings `{"a","b"}` (by argument index). */
  fieldLists: Record<number, string[]>;
}

/** `=CREGO.SUMMARY(A2,{"dpd","total_outstanding"})` → its parts, so the builder can reopen it; null if not ours. */
export function parseFormula(formula: string): ParsedFormula | null {
  const m = new RegExp(`^=\\s*${NAMESPACE}\\.([A-Z][A-Z0-9_.]*)\\((.*)\\)\\s*$`, 'is').exec(formula.trim());
  if (!m) return null;
  const raw = splitArguments(m[2]);
  const fieldLists: Record<number, string[]> = {};
  raw.forEach((a, i) => {
    if (a.startsWith('{') && a.endsWith('}')) fieldLists[i] = splitArguments(a.slice(1, -1)).map(unquote);
  });
  return { fn: m[1].toUpperCase(), args: raw.map((a) => (a.startsWith('{') ? '' : unquote(a))), fieldLists };
}
