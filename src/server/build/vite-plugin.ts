/**
 * Vite plugin that turns the task pane build into a complete Office add-in:
 *  - functions.json from the JSDoc of the functions sources (custom-functions-metadata's API;
 *    the build fails on its errors, which its CLI only prints);
 *  - functions.js, a classic IIFE that calls CustomFunctions.associate for every id at load
 *    (a deferred module bundle lets Excel calculate before registration: #VALUE! / #NAME?);
 *  - office.js and functions.js injected into taskpane.html as plain classic <script> tags, in
 *    that order, so the page that hosts the shared runtime registers the functions first thing;
 *  - manifest.xml rewritten for the deployment origin, icons and the help page copied.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'vite';
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import { OFFICE_JS_URL } from './office-js.js';
import { renderManifest } from './manifest-render.js';

export interface OfficeAddinOptions {
  repoRoot: string;
  /** Files carrying the JSDoc-annotated custom functions (absolute paths). */
  functionSources: string[];
  /** The public origin (no trailing slash) the manifest's URLs point at. */
  origin: string;
  /** Manifest <Version>, four numeric parts. */
  version: string;
}

export const FUNCTIONS_SCRIPT = 'functions.js';
export const FUNCTIONS_METADATA = 'functions.json';
const VIRTUAL_ENTRY = '\0crego-functions-entry';
const require = createRequire(import.meta.url);

export function officeAddin(opts: OfficeAddinOptions): Plugin {
  return {
    name: 'crego-office-addin',
    apply: 'build',
    transformIndexHtml: {
      // 'post': after Vite has bundled the page's module scripts, so it leaves these classic tags alone.
      order: 'post',
      handler(html) {
        const tags: string[] = [];
        if (!html.includes(OFFICE_JS_URL)) tags.push(`<script src="${OFFICE_JS_URL}"></script>`);
        if (!/src=["'][^"']*functions\.js["']/.test(html)) tags.push(`<script src="${FUNCTIONS_SCRIPT}"></script>`);
        if (tags.length === 0) return html;
        // Right after <meta charset> (which must come first), else at the top of <head>: before any module script.
        const anchor = /<meta\s+charset=[^>]*>/i.exec(html) ?? /<head[^>]*>/i.exec(html);
        if (!anchor) throw new Error('taskpane.html has no <head>: cannot add office.js and functions.js');
        const at = anchor.index + anchor[0].length;
        return `${html.slice(0, at)}\n    ${tags.join('\n    ')}${html.slice(at)}`;
      },
    },
    async generateBundle() {
      const tsMajor = Number(require('typescript/package.json').version.split('.')[0]);
      if (tsMajor !== 5) {
        // custom-functions-metadata drives the TypeScript 5 compiler API; 7.x crashes inside it ("reading 'NumberKeyword'").
        this.error(`custom-functions-metadata needs TypeScript 5.x, but typescript ${tsMajor}.x is installed: run npm ci (package.json pins ^5).`);
      }
      const meta = await generateCustomFunctionsMetadata(opts.functionSources, false);
      if (meta.errors.length > 0) {
        const where = opts.functionSources.map((f) => relative(opts.repoRoot, f)).join(', ');
        this.error(`custom-functions-metadata found ${meta.errors.length} error(s) in ${where}:\n  - ${meta.errors.join('\n  - ')}`);
      }
      if (meta.associate.length === 0) this.error(`no @customfunction found in ${opts.functionSources.join(', ')}`);
      this.emitFile({ type: 'asset', fileName: FUNCTIONS_METADATA, source: `${JSON.stringify(JSON.parse(meta.metadataJson), null, 2)}\n` });
      this.emitFile({ type: 'asset', fileName: FUNCTIONS_SCRIPT, source: await buildFunctionsScript(opts.repoRoot, meta.associate) });

      const manifest = readFileSync(join(opts.repoRoot, 'manifest.xml'), 'utf8');
      this.emitFile({ type: 'asset', fileName: 'manifest.xml', source: renderManifest(manifest, { origin: opts.origin, version: opts.version }) });
      const assets = join(opts.repoRoot, 'assets');
      for (const f of readdirSync(assets).filter((n) => n.endsWith('.png'))) {
        this.emitFile({ type: 'asset', fileName: `assets/${f}`, source: readFileSync(join(assets, f)) });
      }
      this.emitFile({ type: 'asset', fileName: 'help.html', source: readFileSync(join(assets, 'help.html')) });
    },
  };
}

/**
 * A nested Vite build of a virtual entry that imports each function by name and registers it.
 * Named imports make a missing export a build error instead of associate(id, undefined).
 */
async function buildFunctionsScript(repoRoot: string, associate: { sourceFileName: string; functionName: string; id: string }[]): Promise<string> {
  const bySource = new Map<string, { functionName: string; id: string; local: string }[]>();
  associate.forEach((a, i) => {
    const list = bySource.get(a.sourceFileName) ?? [];
    list.push({ functionName: a.functionName, id: a.id, local: `f${i}` });
    bySource.set(a.sourceFileName, list);
  });
  const lines: string[] = [];
  for (const [source, fns] of bySource) {
    lines.push(`import { ${fns.map((f) => `${f.functionName} as ${f.local}`).join(', ')} } from ${JSON.stringify(source)};`);
  }
  for (const fns of bySource.values()) {
    for (const f of fns) lines.push(`CustomFunctions.associate(${JSON.stringify(f.id)}, ${f.local});`);
  }
  const entrySource = lines.join('\n');

  const out = await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    publicDir: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [
      {
        name: 'crego-functions-entry',
        resolveId: (id) => (id === VIRTUAL_ENTRY ? id : null),
        load: (id) => (id === VIRTUAL_ENTRY ? entrySource : null),
      },
    ],
    build: {
      write: false,
      target: 'es2020',
      sourcemap: false,
      rollupOptions: {
        input: VIRTUAL_ENTRY,
        output: { format: 'iife', entryFileNames: FUNCTIONS_SCRIPT },
      },
    },
  });
  const outputs = Array.isArray(out) ? out : [out];
  for (const o of outputs) {
    if (!('output' in o)) continue;
    const chunk = o.output.find((c) => c.type === 'chunk' && c.fileName === FUNCTIONS_SCRIPT);
    if (chunk && chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('the functions.js build produced no chunk');
}
