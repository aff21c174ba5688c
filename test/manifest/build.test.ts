import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAddin } from '../../src/server/build/build';
import { functionsContractProblems, metadataIds, registeredActions, registeredIds } from '../../src/server/build/functions-contract';
import { lintManifest } from '../../src/server/build/manifest-lint';
import { validateBuild } from '../../src/server/build/validate';
import { OFFICE_JS_URL } from '../../src/server/build/office-js';
import { buildInto, read, REPO } from './helpers';

describe('the add-in build (development origin)', () => {
  let dev: Awaited<ReturnType<typeof buildInto>>;
  beforeAll(async () => {
    dev = await buildInto({});
  });
  afterAll(() => dev?.cleanup());

  it('writes the manifest for https://localhost:3000 with the package version', () => {
    const xml = read(dev.dir, 'manifest.xml');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(xml).toContain(`<Version>${pkg.version.split('-')[0]}.0</Version>`);
    expect(xml).toContain('<bt:Url id="Taskpane.Url" DefaultValue="https://localhost:3000/taskpane.html"/>');
  });

  it('passes every offline check: XSD, lint with the icon files, functions contract', async () => {
    expect(await validateBuild(dev.dir, { origin: dev.origin })).toEqual({ problems: [], skipped: [] });
  });

  it('npm run validate fails, never passes quietly, when the XSD check cannot run', async () => {
    const nowhere = { OFFICE_SCHEMAS_DIR: join(tmpdir(), 'no-such-office-schemas') };
    // A folder named in OFFICE_SCHEMAS_DIR that holds no schema is a problem, strict or not (no silent fallback).
    for (const strict of [false, true]) {
      const report = await validateBuild(dev.dir, { origin: dev.origin, env: nowhere, strict });
      expect(report.problems).toEqual([expect.stringContaining(`OFFICE_SCHEMAS_DIR='${nowhere.OFFICE_SCHEMAS_DIR}' holds no OfficeAppManifestV1_1.xsd`)]);
    }
    // No schema folder anywhere: npm run validate (strict) fails; the lenient check only notes it.
    const bare = mkdtempSync(join(tmpdir(), 'crego-no-schemas-'));
    try {
      expect((await validateBuild(dev.dir, { origin: dev.origin, env: {}, repoRoot: bare, strict: true })).problems).toEqual([expect.stringContaining('was not checked against the schema')]);
      expect(await validateBuild(dev.dir, { origin: dev.origin, env: {}, repoRoot: bare })).toMatchObject({ problems: [], skipped: [expect.stringContaining('no schema folder')] });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('functions.js registers exactly the ids functions.json declares, synchronously at load', () => {
    const declared = metadataIds(read(dev.dir, 'functions.json'));
    const registered = registeredIds(read(dev.dir, 'functions.js'));
    expect(declared.length).toBeGreaterThan(0);
    expect([...registered].sort()).toEqual([...declared].sort());
    expect(declared).toEqual(expect.arrayContaining(['LOAN', 'PORTFOLIO', 'ROLLRATES']));
    // CREGO.LOAN's card: Excel shows an entity result only when the metadata allows data types for "any".
    expect((JSON.parse(read(dev.dir, 'functions.json')) as { allowCustomDataForDataTypeAny?: boolean }).allowCustomDataForDataTypeAny).toBe(true);
  });

  it('functions.js associates the ribbon’s Refresh command synchronously at load (not after Office.onReady in the pane)', () => {
    expect(registeredActions(read(dev.dir, 'functions.js'))).toEqual(['refreshAll']);
    expect(functionsContractProblems(read(dev.dir, 'functions.js'), read(dev.dir, 'functions.json'))).toEqual([]);
    // A functions.js that leaves the association to later (here: never) fails the contract, naming the action.
    const js = read(dev.dir, 'functions.js').replace(/associateRibbonActions|\.actions\.associate\b/g, (m) => (m.startsWith('.') ? '.actions.associateLater' : m));
    const stub = `globalThis.Office={actions:{associateLater(){}}};`;
    expect(functionsContractProblems(stub + js, read(dev.dir, 'functions.json')).join('\n')).toMatch(/Office\.actions\.associate\('refreshAll'|failed while loading/);
  });

  it('functions.js is a classic script, not a module', () => {
    const js = read(dev.dir, 'functions.js');
    expect(js).not.toMatch(/^\s*(import|export)\s/m);
    expect(js).toMatch(/^\(function\(\)\{/);
  });

  it('a functions.js that forgets an id is caught, naming the id', () => {
    const json = read(dev.dir, 'functions.json');
    const id = metadataIds(json)[0]!;
    const js = read(dev.dir, 'functions.js').replace(new RegExp(`CustomFunctions\\.associate\\(\`${id}\`,[a-zA-Z_$]+\\)`), 'void 0');
    expect(functionsContractProblems(js, json)).toEqual([expect.stringContaining(`${id} is in functions.json but functions.js never calls CustomFunctions.associate('${id}'`)]);
  });

  it('taskpane.html loads office.js, then functions.js, as classic scripts before the pane module', () => {
    const html = read(dev.dir, 'taskpane.html');
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts[0]).toBe(` src="${OFFICE_JS_URL}"`);
    expect(scripts[1]).toBe(' src="functions.js"');
    expect(scripts.slice(2).every((s) => s.includes('type="module"'))).toBe(true);
    expect(html.match(/src="[^"]*office\.js"/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script: the CSP forbids it
  });

  it('ships icons of the sizes the manifest states, and the lint notices a wrong one', () => {
    const xml = read(dev.dir, 'manifest.xml');
    expect(lintManifest(xml, { distDir: dev.dir })).toEqual([]);
    const broken = mkdtempSync(join(tmpdir(), 'crego-icons-'));
    try {
      cpSync(dev.dir, broken, { recursive: true });
      copyFileSync(join(dev.dir, 'assets', 'icon-32.png'), join(broken, 'assets', 'icon-16.png'));
      expect(lintManifest(xml, { distDir: broken })).toEqual([
        expect.stringMatching(/resource 'Icon\.16x16' 'https:\/\/localhost:3000\/assets\/icon-16\.png' is 32x32 pixels; it must be 16x16/),
      ]);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

/** The development server's origin (localhost:PORT) or a loopback address: a production build must contain neither. */
const LOCAL_URL = /\blocalhost:\d|\/\/(127\.0\.0\.1|\[::1\])\b/i;

/** Every non-image file under `dir`, as paths relative to it. */
function textFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => f.split(sep).join('/'))
    .filter((f) => statSync(join(dir, f)).isFile() && !/\.(png|ico|woff2?)$/i.test(f));
}

describe('the production build (ADDIN_ORIGIN)', () => {
  let prod: Awaited<ReturnType<typeof buildInto>>;
  beforeAll(async () => {
    prod = await buildInto({ ADDIN_ORIGIN: 'https://addin.example.com/' });
  });
  afterAll(() => prod?.cleanup());

  it('writes dist/manifest.xml on that origin with no localhost anywhere', async () => {
    const xml = read(prod.dir, 'manifest.xml');
    expect(prod.origin).toBe('https://addin.example.com');
    expect(xml).not.toMatch(/localhost/i);
    expect(xml).toContain('<AppDomain>https://addin.example.com</AppDomain>');
    expect(xml).toContain('DefaultValue="https://addin.example.com/functions.json"');
    expect(await validateBuild(prod.dir, { origin: prod.origin })).toEqual({ problems: [], skipped: [] });
  });

  it('nothing else in the output (pages, scripts, bundles, source maps) points at this machine either', () => {
    const files = textFiles(prod.dir);
    expect(files).toEqual(expect.arrayContaining(['taskpane.html', 'functions.js', 'functions.json', 'help.html']));
    expect(files.some((f) => /^assets\/.+\.js$/.test(f))).toBe(true);
    for (const f of files) expect(read(prod.dir, f), f).not.toMatch(LOCAL_URL);
  });
});

describe('the build refuses', () => {
  it('an http ADDIN_ORIGIN, before building anything', async () => {
    await expect(buildAddin({ repoRoot: REPO, env: { ADDIN_ORIGIN: 'http://addin.example.com' }, outDir: join(tmpdir(), 'never-built') })).rejects.toThrow(
      "ADDIN_ORIGIN='http://addin.example.com' must use https",
    );
  });

  it('functions whose JSDoc custom-functions-metadata rejects, with its messages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crego-badfn-'));
    try {
      const source = join(dir, 'bad.ts');
      writeFileSync(source, '/**\n * Bad.\n * @customfunction BAD-ID\n * @param when a date\n */\nexport function bad(when: Date): number {\n  return when.getTime();\n}\n');
      const built = buildAddin({ repoRoot: REPO, env: {}, outDir: join(dir, 'dist'), functionSources: [source] });
      await expect(built).rejects.toThrow(/custom-functions-metadata found 3 error\(s\)/);
      await expect(built).rejects.toThrow(/does not support type "Date"/);
      await expect(built).rejects.toThrow(/id contains invalid characters.*BAD-ID/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
