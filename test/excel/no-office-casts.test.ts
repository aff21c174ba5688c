/**
 * No code in src/ reaches an Office member through a cast. `x as unknown as T` and `x as any` switch the
 * type checker off, which is how the preview-only Workbook.use1904DateSystem got past the released typings
 * (finding 1 of the Excel-readiness audit): what the typings of production office.js do not have must not be
 * called. Type-aware: a cast counts when the value cast is an Office object (its type is declared by
 * @types/office-js, custom-functions-runtime or office-runtime) or the type cast to names one.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = resolve(__dirname, '../..');
const OFFICE_TYPINGS = /node_modules\/@types\/(office-js|custom-functions-runtime|office-runtime)\//;
const OFFICE_NAMES = /\b(Excel|Office|OfficeExtension|CustomFunctions|OfficeRuntime)\b/;

interface Finding { file: string; line: number; text: string }

function declaredByOffice(type: ts.Type, seen = new Set<ts.Type>()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isUnionOrIntersection()) return type.types.some((t) => declaredByOffice(t, seen));
  const symbol = type.aliasSymbol ?? type.getSymbol();
  return Boolean(symbol?.declarations?.some((d) => OFFICE_TYPINGS.test(d.getSourceFile().fileName)));
}

/** Every escaping cast (`as unknown as`, `as any`) in `program`'s files under `dir` that touches Office. */
export function officeCasts(program: ts.Program, dir: string): Finding[] {
  const checker = program.getTypeChecker();
  const found: Finding[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(dir) || sf.isDeclarationFile) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isAsExpression(node)) {
        const toAny = node.type.kind === ts.SyntaxKind.AnyKeyword;
        const inner = ts.isAsExpression(node.expression) && node.expression.type.kind === ts.SyntaxKind.UnknownKeyword ? node.expression : null;
        if (toAny || inner) {
          const operand = inner ? inner.expression : node.expression;
          const target = node.type.getText(sf);
          if (declaredByOffice(checker.getTypeAtLocation(operand)) || OFFICE_NAMES.test(target)) {
            const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
            found.push({ file: sf.fileName.slice(REPO.length + 1), line: line + 1, text: node.getText(sf) });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

function programOf(files: string[], extra?: { name: string; text: string }): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(resolve(REPO, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(config.options);
  if (extra) {
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (name === extra.name ? ts.createSourceFile(name, extra.text, lang) : read(name, lang, ...rest));
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => name === extra.name || exists(name);
  }
  return ts.createProgram(extra ? [...files, extra.name] : files, config.options, host);
}

const PROBE = resolve(REPO, 'src/__cast_probe__.ts');
/** The old 1904 read and its kin, which the check must catch (lines 2–4), and a cast that is not Office's (line 5). */
const PROBE_TEXT = [
  'export function old(ctx: Excel.RequestContext) {',
  '  const workbook = ctx.workbook as unknown as { load(p: string): unknown; use1904DateSystem?: unknown };',
  '  const anyRange = ctx.workbook.getSelectedRange() as any;',
  '  const reached = (globalThis as unknown as { Excel: typeof Excel }).Excel;',
  '  const fine = (JSON.parse("{}") as unknown as { a: number }).a;',
  '  return [workbook, anyRange, reached, fine];',
  '}',
].join('\n');

describe('Office members only through their released types', () => {
  // One type-checked program over src/ plus the probe (type checking is the slow part: ~30 s).
  let findings: Finding[] = [];
  it('the check catches the old 1904 read and its kin (a probe file beside src/)', () => {
    const config = ts.getParsedCommandLineOfConfigFile(resolve(REPO, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const src = config.fileNames.filter((f) => f.startsWith(resolve(REPO, 'src') + '/'));
    expect(src.length).toBeGreaterThan(50);
    findings = officeCasts(programOf(src, { name: PROBE, text: PROBE_TEXT }), resolve(REPO, 'src'));
    expect(findings.filter((f) => f.file === 'src/__cast_probe__.ts').map((f) => f.line)).toEqual([2, 3, 4]);
  }, 120_000);

  it('no cast in src/ reaches an Office member (as unknown as, as any)', () => {
    expect(findings.length).toBeGreaterThanOrEqual(3); // the check ran (the probe's three are in it)
    expect(findings.filter((f) => f.file !== 'src/__cast_probe__.ts')).toEqual([]);
  });
});
