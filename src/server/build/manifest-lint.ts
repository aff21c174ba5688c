/**
 * Offline manifest lint: the rules Office enforces at load time that the XSD cannot express.
 * A broken shared-runtime manifest usually validates and then fails silently in Excel (functions
 * never register, the pane opens a second runtime), so each rule below names what to fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { child, findAll, parseXml, type XmlElement } from './xml';

export const MAX_RESID_LENGTH = 32;

type ResourceKind = 'Image' | 'Url' | 'ShortString' | 'LongString';

/** Which resource kind an element's `resid` must point at. */
const RESID_KIND: Record<string, ResourceKind> = {
  Image: 'Image',
  SourceLocation: 'Url',
  Runtime: 'Url',
  FunctionFile: 'Url',
  LearnMoreUrl: 'Url',
  Label: 'ShortString',
  Title: 'ShortString',
  Namespace: 'ShortString',
  Description: 'LongString',
};

/** Icon sizes Office asks for: ribbon images 16/32/80, IconUrl 32, HighResolutionIconUrl 64. */
const REQUIRED_RIBBON_SIZES = [16, 32, 80];

export interface LintOptions {
  /** When given, every URL must start with this origin, and a non-localhost origin forbids "localhost". */
  origin?: string;
  /** When given (the built dist/), URLs on the add-in's origin must be files there, icons of the right size. */
  distDir?: string;
}

/** Returns the problems found, one human sentence each (empty when the manifest passes). */
export function lintManifest(xml: string, opts: LintOptions = {}): string[] {
  let doc: XmlElement;
  try {
    doc = parseXml(xml);
  } catch (err) {
    return [(err as Error).message];
  }
  const resources = readResources(doc);
  const manifest: Manifest = { xml, doc, resources, urls: collectUrls(doc, resources), opts };
  const problems: string[] = [];
  const report: Report = (msg, el) => problems.push(el ? `line ${el.line}: ${msg}` : msg);
  for (const rule of RULES) rule(manifest, report);
  return problems;
}

interface Resource {
  kind: ResourceKind;
  value: string;
  el: XmlElement;
}
type Resources = Map<string, Resource>;

/** What every rule reads: the parsed manifest, its resources by id, the URLs it names, the options. */
interface Manifest {
  xml: string;
  doc: XmlElement;
  resources: Resources;
  urls: FoundUrl[];
  opts: LintOptions;
}
/** A rule reports each problem as one sentence, with the element when it can point at a line. */
type Report = (msg: string, el?: XmlElement) => void;
type Rule = (m: Manifest, report: Report) => void;

/** The resource groups of <Resources>, by the kind their ids stand for. */
const RESOURCE_GROUPS: readonly { group: string; kind: ResourceKind; item: string }[] = [
  { group: 'Images', kind: 'Image', item: 'Image' },
  { group: 'Urls', kind: 'Url', item: 'Url' },
  { group: 'ShortStrings', kind: 'ShortString', item: 'String' },
  { group: 'LongStrings', kind: 'LongString', item: 'String' },
];

/** Every resource element with its kind, in document order per group. */
function resourceElements(doc: XmlElement): { kind: ResourceKind; el: XmlElement }[] {
  return RESOURCE_GROUPS.flatMap(({ group, kind, item }) => findAll(doc, group).flatMap((g) => g.children.filter((c) => c.name === item).map((el) => ({ kind, el }))));
}

/** Resources by id (a duplicate id: the last one wins, and ruleResourceIds reports it). */
function readResources(doc: XmlElement): Resources {
  const resources: Resources = new Map();
  for (const { kind, el } of resourceElements(doc)) resources.set(el.attrs.id ?? '', { kind, value: el.attrs.DefaultValue ?? '', el });
  return resources;
}

/** Resource ids are unique and at most 32 characters (Office refuses longer ones at load time). */
function ruleResourceIds(m: Manifest, report: Report): void {
  const seen = new Set<string>();
  for (const { el } of resourceElements(m.doc)) {
    const id = el.attrs.id ?? '';
    if (seen.has(id)) report(`resource id '${id}' is defined twice; ids must be unique.`, el);
    if (id.length > MAX_RESID_LENGTH) report(`resource id '${id}' is ${id.length} characters; Office allows at most ${MAX_RESID_LENGTH}.`, el);
    seen.add(id);
  }
}

/** Every resid is defined, short enough, and names a resource of the kind its element needs. */
function ruleResids(m: Manifest, report: Report): void {
  const walk = (el: XmlElement) => {
    const resid = el.attrs.resid;
    if (resid !== undefined) {
      const want = RESID_KIND[el.name];
      const found = m.resources.get(resid);
      if (resid.length > MAX_RESID_LENGTH) report(`resid '${resid}' on <${el.name}> is ${resid.length} characters; Office allows at most ${MAX_RESID_LENGTH}.`, el);
      if (!found) report(`resid '${resid}' on <${el.name}> is not defined in <Resources>; add it or fix the name.`, el);
      else if (want && found.kind !== want) report(`resid '${resid}' on <${el.name}> must name a ${want} resource, but it is a ${found.kind}.`, el);
    }
    el.children.forEach(walk);
  };
  walk(m.doc);
}

/** Shared runtime: the requirement set, and exactly one <Runtime>, long-lived. */
function ruleSharedRuntime(m: Manifest, report: Report): void {
  const runtimes = findAll(m.doc, 'Runtime');
  if (!findAll(m.doc, 'Set').some((s) => s.attrs.Name === 'SharedRuntime')) report(`the SharedRuntime requirement set is missing: add <Set Name="SharedRuntime" MinVersion="1.1"/> under <Requirements><Sets>.`);
  if (runtimes.length !== 1) report(`expected exactly one <Runtime> inside <Runtimes>, found ${runtimes.length}: the shared runtime needs one.`);
  const runtime = runtimes[0];
  if (runtime && runtime.attrs.lifetime !== 'long') report(`<Runtime lifetime="${runtime.attrs.lifetime ?? 'short (default)'}">: a shared runtime needs lifetime="long".`, runtime);
}

/** The one <Runtime>, whose resid every page of the add-in must use (none: the rules comparing with it stay quiet). */
function sharedRuntime(m: Manifest): XmlElement | undefined {
  return findAll(m.doc, 'Runtime')[0];
}

/** The CustomFunctions extension point is complete and its page runs in the shared runtime. */
function ruleCustomFunctions(m: Manifest, report: Report): void {
  const runtime = sharedRuntime(m);
  if (!runtime) return;
  const rid = runtime.attrs.resid;
  const cf = findAll(m.doc, 'ExtensionPoint').find((e) => e.attrs['xsi:type'] === 'CustomFunctions');
  if (!cf) report(`no <ExtensionPoint xsi:type="CustomFunctions">: the CREGO functions would not exist.`);
  const page = child(child(cf, 'Page'), 'SourceLocation');
  if (cf && !page) report(`the CustomFunctions extension point has no <Page><SourceLocation/>.`, cf);
  if (page && page.attrs.resid !== rid) {
    report(`runtime resid mismatch: CustomFunctions <Page> uses '${page.attrs.resid}' but <Runtime> uses '${rid}'; they must be identical or Excel starts a separate runtime.`, page);
  }
  for (const name of ['Script', 'Metadata', 'Namespace']) {
    if (cf && !child(cf, name)) report(`the CustomFunctions extension point has no <${name}>.`, cf);
  }
}

/** <FunctionFile> and the pane's ShowTaskpane action load the shared runtime's page, not a second runtime. */
function rulePagesShareRuntime(m: Manifest, report: Report): void {
  const runtime = sharedRuntime(m);
  if (!runtime) return;
  const rid = runtime.attrs.resid;
  for (const ff of findAll(m.doc, 'FunctionFile')) {
    if (ff.attrs.resid !== rid) report(`runtime resid mismatch: <FunctionFile> uses '${ff.attrs.resid}' but <Runtime> uses '${rid}'; they must be identical.`, ff);
  }
  for (const action of findAll(m.doc, 'Action').filter((a) => a.attrs['xsi:type'] === 'ShowTaskpane')) {
    const loc = child(action, 'SourceLocation');
    if (loc && loc.attrs.resid !== rid) report(`runtime resid mismatch: the ShowTaskpane action opens '${loc.attrs.resid}' but <Runtime> uses '${rid}'; the pane would run in a second runtime.`, loc);
    // "none of the descendant <Action> elements should have a <TaskpaneID>" (configure a shared runtime).
    const id = action.children.find((c) => c.name.toLowerCase() === 'taskpaneid');
    if (id) report(`a ShowTaskpane action has a <${id.name}>: with a shared runtime Microsoft's docs say to leave it out (it risks a second pane).`, id);
  }
}

/** The functions' namespace is typed in formulas, so it must look like one. */
function ruleNamespace(m: Manifest, report: Report): void {
  const ns = findAll(m.doc, 'Namespace')[0];
  const nsValue = ns ? m.resources.get(ns.attrs.resid ?? '')?.value : undefined;
  if (nsValue !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(nsValue)) {
    report(`custom functions namespace '${nsValue}' should be upper-case letters, digits or _ (it is typed in formulas: =${nsValue}.SUMMARY).`, ns);
  }
}

/** URLs: valid, https, all on one origin (the add-in's, when given), and no localhost left in a production manifest. */
function ruleUrls(m: Manifest, report: Report): void {
  const { origin } = m.opts;
  const origins = new Set<string>();
  for (const { url, el, what } of m.urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      report(`${what} '${url}' is not a valid URL.`, el);
      continue;
    }
    if (parsed.protocol !== 'https:') report(`${what} '${url}' is not https; Office loads add-in content only over https.`, el);
    origins.add(parsed.origin);
    if (origin && !url.startsWith(origin)) report(`${what} '${url}' is not under the add-in origin ${origin}.`, el);
  }
  if (origins.size > 1) report(`URLs use ${origins.size} origins (${[...origins].join(', ')}); every URL must be on the add-in's one origin.`);
  if (origin && !/\/\/(localhost|127\.0\.0\.1)[:/]/.test(`${origin}/`) && /localhost/i.test(m.xml)) {
    report(`the manifest for ${origin} still mentions localhost; a production manifest must not.`);
  }
}

/** The icons Office asks for are named: IconUrl, HighResolutionIconUrl, and the ribbon's three sizes. */
function ruleIcons(m: Manifest, report: Report): void {
  if (!findAll(m.doc, 'IconUrl')[0]) report('<IconUrl> is missing (a 32x32 PNG).');
  if (!findAll(m.doc, 'HighResolutionIconUrl')[0]) report('<HighResolutionIconUrl> is missing (a 64x64 PNG).');
  const ribbonSizes = new Set(findAll(m.doc, 'Image').filter((i) => i.attrs.size).map((i) => Number(i.attrs.size)));
  for (const size of REQUIRED_RIBBON_SIZES) {
    if (findAll(m.doc, 'Icon').length > 0 && !ribbonSizes.has(size)) report(`no ${size}px ribbon icon (<bt:Image size="${size}">); Office requires 16, 32 and 80.`);
  }
}

/** The pixel size each icon URL must have: 32 and 64 for the add-in's icons, the stated size for ribbon images. */
function expectedIconSizes(m: Manifest): Map<string, number> {
  const sizes = new Map<string, number>();
  const iconUrl = findAll(m.doc, 'IconUrl')[0]?.attrs.DefaultValue;
  const hiRes = findAll(m.doc, 'HighResolutionIconUrl')[0]?.attrs.DefaultValue;
  if (iconUrl) sizes.set(iconUrl, 32);
  if (hiRes) sizes.set(hiRes, 64);
  for (const img of findAll(m.doc, 'Image').filter((i) => i.attrs.size && i.attrs.resid)) {
    const r = m.resources.get(img.attrs.resid!);
    if (r) sizes.set(r.value, Number(img.attrs.size));
  }
  return sizes;
}

/** With the build output at hand: every URL on the add-in's origin is a file there, and each icon has its size. */
function ruleBuiltFiles(m: Manifest, report: Report): void {
  const { distDir } = m.opts;
  if (!distDir) return;
  const base = m.opts.origin ?? (m.urls[0] ? new URL(m.urls[0].url).origin : '');
  const sizes = expectedIconSizes(m);
  for (const { url, el, what } of m.urls) {
    if (!base || !url.startsWith(`${base}/`) || what === 'AppDomain') continue;
    const rel = decodeURIComponent(new URL(url).pathname.slice(new URL(base).pathname.replace(/\/$/, '').length));
    const file = join(distDir, rel);
    if (!existsSync(file)) {
      report(`${what} '${url}' has no file ${rel} in the build output; the server would answer 404.`, el);
      continue;
    }
    const size = sizes.get(url);
    if (size === undefined) continue;
    const dims = pngSize(readFileSync(file));
    if (!dims) report(`${what} '${url}' is not a PNG file.`, el);
    else if (dims.width !== size || dims.height !== size) report(`${what} '${url}' is ${dims.width}x${dims.height} pixels; it must be ${size}x${size}.`, el);
  }
}

/** The rules, in the order their problems are listed. */
const RULES: readonly Rule[] = [ruleResourceIds, ruleResids, ruleSharedRuntime, ruleCustomFunctions, rulePagesShareRuntime, ruleNamespace, ruleUrls, ruleIcons, ruleBuiltFiles];

interface FoundUrl {
  url: string;
  el: XmlElement;
  what: string;
}

/** Every URL the manifest makes Office fetch or trust. */
function collectUrls(doc: XmlElement, resources: Resources): FoundUrl[] {
  const out: FoundUrl[] = [];
  for (const name of ['IconUrl', 'HighResolutionIconUrl', 'SupportUrl']) {
    for (const el of findAll(doc, name)) out.push({ url: el.attrs.DefaultValue ?? '', el, what: `<${name}>` });
  }
  for (const el of findAll(doc, 'SourceLocation').filter((s) => s.attrs.DefaultValue !== undefined)) {
    out.push({ url: el.attrs.DefaultValue!, el, what: '<SourceLocation>' });
  }
  for (const el of findAll(doc, 'AppDomain')) out.push({ url: el.text.trim(), el, what: 'AppDomain' });
  for (const [id, r] of resources) {
    if (r.kind === 'Url' || r.kind === 'Image') out.push({ url: r.value, el: r.el, what: `resource '${id}'` });
  }
  return out;
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(buf: Buffer): { width: number; height: number } | undefined {
  const signature = '89504e470d0a1a0a';
  if (buf.length < 24 || buf.subarray(0, 8).toString('hex') !== signature || buf.subarray(12, 16).toString('ascii') !== 'IHDR') return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}
