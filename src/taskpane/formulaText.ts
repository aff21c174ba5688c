/**
 * Turning the builder's inputs into formula text (pure, tested in Node). Arguments that look like
 * cell references stay references; numbers and TRUE/FALSE stay literal; anything else becomes a
 * quoted string with `"` doubled, so typed text can never break out of its argument.
 */

export const NAMESPACE = 'CREGO';

const CELL_REF = /^(?:(?:'[^']+'|[A-Za-z_][A-Za-z0-9_.]*)!)?\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?#?$/;

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
