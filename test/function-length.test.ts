/**
 * No function in src/ is longer than 100 lines (from its first line to its last, nested functions
 * counted in their parent): a function that long holds steps that deserve names. Measured with the
 * TypeScript compiler's own parse, so the claim in the README is checked, not estimated.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const LIMIT = 100;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every function-like node of a file with its length in lines. */
export function functionLengths(file: string): Array<{ name: string; line: number; lines: number }> {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Array<{ name: string; line: number; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(sf) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : '(anonymous)');
      out.push({ name, line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe('function length', () => {
  it(`no function in src/ is longer than ${LIMIT} lines`, () => {
    const long = sources(join(ROOT, 'src')).flatMap((file) =>
      functionLengths(file).filter((f) => f.lines > LIMIT).map((f) => `${relative(ROOT, file)}:${f.line} ${f.name} (${f.lines} lines)`),
    );
    expect(long).toEqual([]);
  });

  it('the measure sees a long function (it can fail)', () => {
    const body = Array.from({ length: LIMIT + 1 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const file = join(tmpdir(), `crego-length-${process.pid}.ts`);
    writeFileSync(file, `export function tooLong() {\n${body}\n}\n`);
    expect(functionLengths(file)).toEqual([{ name: 'tooLong', line: 1, lines: LIMIT + 3 }]);
  });
});
