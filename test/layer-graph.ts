/**
 * The import graph of src/, read with the TypeScript parser (no regex over source text): every
 * static import, `export … from`, dynamic `import()` and `import = require()`, resolved to a file,
 * with whether it is type-only (erased at build). The layer test (test/layers.test.ts) checks its
 * rules on it; a planted violation can be checked with the same functions on a changed graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface Edge {
  /** src-relative path of the importing file, e.g. `api/client.ts`. */
  from: string;
  /** The specifier as written. */
  spec: string;
  /** src-relative target file, or null for a package / Node module. */
  to: string | null;
  typeOnly: boolean;
}

export interface SourceGraph {
  files: string[];
  edges: Edge[];
  /** Identifiers and string keys that name an Office global, per file, with line numbers. */
  officeNames: Map<string, string[]>;
}

export const OFFICE_GLOBALS = new Set(['Office', 'Excel', 'OfficeRuntime', 'CustomFunctions', 'OfficeExtension']);

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

function resolveRelative(fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, base.replace(/\.(m?js)$/, '.ts'), join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Parses one file's text (exported so a test can feed a planted file). */
export function scanSource(srcDir: string, file: string, text: string): { edges: Edge[]; officeNames: string[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const from = relative(srcDir, file);
  const edges: Edge[] = [];
  const officeNames: string[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const target = spec.startsWith('.') ? resolveRelative(file, spec) : null;
    edges.push({ from, spec, to: target ? relative(srcDir, target) : spec.startsWith('.') ? `${spec} (unresolved)` : null, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const namedAllTypes =
        !!clause && !clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, !!clause?.isTypeOnly || namedAllTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const namedAllTypes = !!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier.text, node.isTypeOnly || namedAllTypes);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      add(node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true);
    }
    const named = ts.isIdentifier(node) ? node.text : ts.isStringLiteral(node) && ts.isElementAccessExpression(node.parent) ? node.text : null;
    if (named && OFFICE_GLOBALS.has(named)) {
      officeNames.push(`${from}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} ${named}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { edges, officeNames };
}

export function readGraph(srcDir: string): SourceGraph {
  const files = listTs(srcDir).sort();
  const edges: Edge[] = [];
  const officeNames = new Map<string, string[]>();
  for (const file of files) {
    const scanned = scanSource(srcDir, file, readFileSync(file, 'utf8'));
    edges.push(...scanned.edges);
    if (scanned.officeNames.length) officeNames.set(relative(srcDir, file), [...new Set(scanned.officeNames)]);
  }
  return { files: files.map((f) => relative(srcDir, f)), edges, officeNames };
}

/** Import cycles (Tarjan's strongly connected components of more than one file, or a file importing itself). */
export function findCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) if (e.to) (next.get(e.from) ?? next.set(e.from, new Set()).get(e.from)!).add(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) strong(v);
  return cycles;
}

/** The layer a src-relative file belongs to: its first folder, with `bulk/node` apart. */
export function layerOf(file: string): string {
  if (file.startsWith('bulk/node/')) return 'bulk/node';
  return file.split('/')[0]!;
}

/**
 * Who may import whom. Dependencies point inward: the entry layers (taskpane, functions, server,
 * cli) → bulk, excel → api. api and bulk never reach the host, so the CLI and the sandbox tests run
 * them in Node, and the pane ships no Node code.
 */
const RANK: Record<string, number> = { api: 0, bulk: 1, 'bulk/node': 1, excel: 1, functions: 2, taskpane: 2, server: 2, cli: 2, sandbox: 2 };
/** What each layer may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  api: [],
  bulk: ['api'],
  'bulk/node': ['bulk', 'api'],
  excel: ['api', 'bulk'],
  functions: ['api', 'bulk', 'excel'],
  taskpane: ['api', 'bulk', 'excel', 'functions'],
  server: ['api', 'bulk', 'excel', 'sandbox'],
  cli: ['api', 'bulk', 'bulk/node', 'excel', 'functions', 'server', 'sandbox'],
  sandbox: ['api'],
};
/** The sandbox emulates Crego from the client's endpoint map alone: its paths, answer types and the settings it emulates. */
const SANDBOX_MAY_USE_FROM_API = new Set(['api/endpoints.ts', 'api/types.ts', 'api/settings.ts']);
/** Named exceptions, each with its reason. */
const ALLOWED: Record<string, string> = {
  'sandbox/index.ts -> server/certs.ts': "`startSandbox({ http2: true })` borrows the add-in server's development certificate (loaded lazily)",
  'sandbox/index.ts -> server/paths.ts': 'where that certificate lives',
};

/** Every broken rule, as `from -> to: rule` lines (empty when the graph keeps them). */
export function layerViolations(graph: Pick<SourceGraph, 'edges' | 'officeNames'>): string[] {
  const found: string[] = [];
  for (const edge of graph.edges) {
    if (!edge.to) continue;
    const line = `${edge.from} -> ${edge.to}`;
    if (edge.to.endsWith('(unresolved)')) {
      found.push(`${line}: import does not resolve to a file`);
      continue;
    }
    if (ALLOWED[line]) continue;
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === to) continue;
    if ((RANK[to] ?? 99) > (RANK[from] ?? -1)) found.push(`${line}: imports upward (${from} may import ${MAY_IMPORT[from]?.join(', ') || 'only itself'})`);
    else if (!MAY_IMPORT[from]?.includes(to)) found.push(`${line}: ${from} may import ${MAY_IMPORT[from]?.join(', ') || 'only itself'}`);
    else if (from === 'sandbox' && !SANDBOX_MAY_USE_FROM_API.has(edge.to)) found.push(`${line}: the sandbox uses only api's endpoint map (${[...SANDBOX_MAY_USE_FROM_API].join(', ')})`);
  }
  for (const [file, names] of graph.officeNames) {
    if (/^(api|bulk)\//.test(file)) found.push(...names.map((n) => `${n}: api and bulk name no Office global`));
  }
  return found;
}

/** Module specifiers (packages, Node modules) reachable from `entry` through runtime imports: what its bundle pulls in. */
export function reachablePackages(graph: SourceGraph, entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const e of graph.edges) {
      if (e.from !== file || e.typeOnly) continue;
      if (e.to) visit(e.to);
      else if (!packages.has(e.spec)) packages.set(e.spec, file);
    }
  };
  visit(entry);
  return { files, packages };
}
