/**
 * Which ExcelApi set each Excel class member belongs to, generated from the `[Api set: …]` annotations of
 * @types/office-js (never typed by hand), plus what each member returns, so the fake Excel host can tell
 * the class of every object path a batch names and refuse a member above the API level a test declares.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ts from 'typescript';

export interface MemberInfo {
  /** ExcelApi minor version needed to read or call it (1.x → x), or a non-numbered set name ('ExcelApiOnline 1.1', 'ExcelApiDesktop 1.1', 'preview'). */
  read: number | string;
  /** The same for setting it, when the annotation says so ("1.1 for get, 1.8 for set"). */
  write: number | string;
  /** The Excel class it returns (an object, a collection's item for getItem), or null for a value. */
  returns: string | null;
  kind: 'property' | 'method';
}
export type ApiSets = Record<string, Record<string, MemberInfo>>;

const SET = /\[Api set: ([^\]]+)\]/;

/** "ExcelApi 1.9" → 9; "ExcelApi 1.1 for get, 1.8 for set" → {read 1, write 8}; other sets by name. */
function parseSet(text: string | undefined): { read: number | string; write: number | string } {
  if (!text) return { read: 1, write: 1 };
  const m = SET.exec(text);
  if (!m) return { read: 1, write: 1 };
  const body = m[1];
  const first = /^ExcelApi 1\.(\d+)/.exec(body);
  if (!first) return /PREVIEW|Preview|BETA/.test(body) ? { read: 'preview', write: 'preview' } : { read: body.trim(), write: body.trim() };
  const read = Number(first[1]);
  const setter = /1\.(\d+) for set/.exec(body);
  return { read, write: setter ? Number(setter[1]) : read };
}

function typeName(node: ts.TypeNode | undefined, classes: Set<string>): string | null {
  if (!node) return null;
  if (ts.isArrayTypeNode(node)) return null;
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText().replace(/^Excel\./, '');
    if (name === 'FunctionResult') return 'FunctionResult';
    if (name === 'ClientResult' || name === 'OfficeExtension.ClientResult') return null;
    return classes.has(name) ? name : null;
  }
  return null;
}

let cached: ApiSets | null = null;

/** Every class of the `Excel` namespace → member (lower camel, as the d.ts spells it) → its set and result. */
export function excelApiSets(): ApiSets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@types/office-js/index.d.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const excel = source.statements.find((s): s is ts.ModuleDeclaration => ts.isModuleDeclaration(s) && s.name.getText() === 'Excel');
  if (!excel?.body || !ts.isModuleBlock(excel.body)) throw new Error('@types/office-js: no Excel namespace');
  const classes = excel.body.statements.filter(ts.isClassDeclaration);
  const names = new Set(classes.map((c) => c.name!.text));
  const out: ApiSets = {};
  for (const cls of classes) {
    const members: Record<string, MemberInfo> = {};
    for (const m of cls.members) {
      if (!(ts.isPropertyDeclaration(m) || ts.isMethodDeclaration(m) || ts.isGetAccessor(m)) || !m.name) continue;
      const name = m.name.getText();
      if (name.startsWith('_') || ['load', 'toJSON', 'set', 'track', 'untrack', 'context'].includes(name)) continue;
      const doc = ts.getJSDocCommentsAndTags(m).map((d) => d.getText()).join('\n');
      const set = parseSet(doc);
      const returns = ts.isMethodDeclaration(m) ? typeName(m.type, names) : typeName((m as ts.PropertyDeclaration).type, names);
      const prev = members[name];
      // Overloads: the earliest set any overload needs, and the first object type one returns.
      if (prev) {
        if (typeof prev.read === 'number' && typeof set.read === 'number') prev.read = Math.min(prev.read, set.read);
        prev.returns ??= returns;
        continue;
      }
      members[name] = { ...set, returns, kind: ts.isMethodDeclaration(m) ? 'method' : 'property' };
    }
    out[cls.name!.text] = members;
  }
  cached = out;
  return out;
}

/** The latest numbered ExcelApi set the typings know (1.x → x). */
export function latestExcelApi(sets: ApiSets = excelApiSets()): number {
  let max = 1;
  for (const cls of Object.values(sets)) for (const m of Object.values(cls)) if (typeof m.read === 'number') max = Math.max(max, m.read);
  return max;
}
