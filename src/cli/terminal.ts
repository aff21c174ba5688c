/**
 * Text from Crego printed on a terminal. A remark or a name is data someone else typed: raw
 * control characters in it could move the cursor, recolour or retitle the terminal, or hide text
 * (ANSI escapes, bidirectional overrides), and a value starting with `=` could become a formula
 * when the tab-separated output is pasted into a spreadsheet. So control characters are shown as
 * escapes and formula-like text carries Excel's text mark, the leading apostrophe.
 */
import { cellText } from '../excel/cellValues';

/** C0 controls and DEL, C1 controls, and the Unicode bidirectional overrides/isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** `text` with every control character shown as an escape (`\n`, `\e`, `\x07`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** One cell's text for a tab-separated terminal line: formula-like text marked, controls escaped. */
export function cellForTerminal(text: string): string {
  return escapeControls(cellText(text));
}

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}
