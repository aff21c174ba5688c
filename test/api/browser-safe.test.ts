import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const NODE_ONLY = new Set(['undici', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every module specifier reachable from `entry` through relative imports (type-only imports skipped: erased at build). */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)].map(
      (m) => m[1] ?? m[2],
    );
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), `${s}.ts`));
  };
  visit(resolve(entry));
  return seen;
}

describe('browser entry points', () => {
  it.each(['src/api/index.ts', 'src/api/probe.ts', 'src/api/profile.ts'])('%s reaches no undici and no Node module', (entry) => {
    const graph = reachable(entry);
    const offenders = [...graph].flatMap(([file, specs]) => specs.filter((s) => NODE_ONLY.has(s)).map((s) => `${file}: ${s}`));
    expect(offenders).toEqual([]);
    expect(graph.size).toBeGreaterThan(entry.endsWith('index.ts') ? 8 : 1);
  });

  it('the Node entry does use undici (so the check above can tell them apart)', () => {
    const graph = reachable('src/api/node.ts');
    expect([...graph.values()].flat()).toContain('undici');
  });
});
