/**
 * The layers of src/ (README, "Map of src/"): dependencies point inward, api and bulk never reach
 * Office, the browser's bundles carry no Node module, and src/ has no import cycle. Read from the
 * TypeScript parser's view of every file (test/layer-graph.ts); type-only imports count for layers
 * and cycles too (a cycle of types is still two modules that cannot be understood apart).
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, layerViolations, reachablePackages, readGraph, scanSource } from './layer-graph';

const SRC = resolve(__dirname, '../src');
const graph = readGraph(SRC);
const NODE_ONLY = new Set(['undici', 'exceljs', 'yauzl', 'yazl', 'saxes', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

describe('layers of src/', () => {
  it('reads the whole tree', () => {
    expect(graph.files.length).toBeGreaterThan(150);
    expect(graph.edges.filter((e) => e.to).length).toBeGreaterThan(500);
  });

  it('every import points inward; api and bulk import only each other and name no Office, Excel, OfficeRuntime or CustomFunctions', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('src/ has no import cycle', () => {
    expect(findCycles(graph.edges)).toEqual([]);
  });

  it('the host configuration has one home: /config.json and OfficeRuntime.storage are opened only in src/excel', () => {
    const opened = [...graph.officeNames].flatMap(([file, names]) => names.filter((n) => n.endsWith(' OfficeRuntime')).map(() => file));
    expect([...new Set(opened)]).toEqual(['excel/storage.ts']);
    const fromRuntime = graph.edges.filter((e) => e.from.startsWith('taskpane/') && e.to === 'functions/runtime.ts' && !e.typeOnly);
    expect(fromRuntime.map((e) => e.from)).toEqual([]);
  });

  it('catches a planted violation: an upward import, an Office global in api, a cycle', () => {
    const planted = scanSource(SRC, resolve(SRC, 'api/planted.ts'), "import { session } from '../taskpane/session';\nexport const host = Office.context;\n");
    const violations = layerViolations({ edges: planted.edges, officeNames: new Map([['api/planted.ts', planted.officeNames]]) });
    expect(violations).toEqual([
      'api/planted.ts -> taskpane/session.ts: imports upward (api may import only itself)',
      'api/planted.ts:2 Office: api and bulk name no Office global',
    ]);
    const back = scanSource(SRC, resolve(SRC, 'api/dates.ts'), "import type { CregoClient } from './client';\n");
    const cycles = findCycles([...graph.edges, ...back.edges]);
    expect(cycles.some((c) => c.includes('api/dates.ts') && c.includes('api/client.ts'))).toBe(true);
  });
});

describe('browser entry points', () => {
  it.each(['api/index.ts', 'api/probe.ts', 'api/profile.ts', 'functions/functions.ts', 'taskpane/taskpane.ts'])('%s reaches no undici and no Node module', (entry) => {
    const { files, packages } = reachablePackages(graph, entry);
    expect([...packages].filter(([spec]) => NODE_ONLY.has(spec))).toEqual([]);
    expect(files.size).toBeGreaterThan(entry.startsWith('api/pro') ? 1 : 8);
  });

  it('the Node entry does use undici (so the check above can tell them apart)', () => {
    expect([...reachablePackages(graph, 'api/node.ts').packages.keys()]).toContain('undici');
  });
});
