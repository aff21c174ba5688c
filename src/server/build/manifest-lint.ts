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
  const problems: string[] = [];
  const at = (el: XmlElement, msg: string) => problems.push(`line ${el.line}: ${msg}`);

  // Resources by id.
  const resources = new Map<string, { kind: ResourceKind; value: string; el: XmlElement }>();
  const addResources = (group: string, kind: ResourceKind, item: string) => {
    for (const g of findAll(doc, group)) {
      for (const r of g.children.filter((c) => c.name === item)) {
        const id = r.attrs.id ?? '';
        if (resources.has(id)) at(r, `resource id '${id}' is defined twice; ids must be unique.`);
        if (id.length > MAX_RESID_LENGTH) at(r, `resource id '${id}' is ${id.length} characters; Office allows at most ${MAX_RESID_LENGTH}.`);
        resources.set(id, { kind, value: r.attrs.DefaultValue ?? '', el: r });
      }
    }
  };
  addResources('Images', 'Image', 'Image');
  addResources('Urls', 'Url', 'Url');
  addResources('ShortStrings', 'ShortString', 'String');
  addResources('LongStrings', 'LongString', 'String');

  // Every resid defined, short enough, of the right kind.
  const walk = (el: XmlElement) => {
    const resid = el.attrs.resid;
    if (resid !== undefined) {
      const want = RESID_KIND[el.name];
      const found = resources.get(resid);
      if (resid.length > MAX_RESID_LENGTH) at(el, `resid '${resid}' on <${el.name}> is ${resid.length} characters; Office allows at most ${MAX_RESID_LENGTH}.`);
      if (!found) at(el, `resid '${resid}' on <${el.name}> is not defined in <Resources>; add it or fix the name.`);
      else if (want && found.kind !== want) at(el, `resid '${resid}' on <${el.name}> must name a ${want} resource, but it is a ${found.kind}.`);
    }
    el.children.forEach(walk);
  };
  walk(doc);

  // Shared runtime: one long-lived runtime, and every page reference uses its resid.
  const runtimes = findAll(doc, 'Runtime');
  const sets = findAll(doc, 'Set').filter((s) => s.attrs.Name === 'SharedRuntime');
  if (sets.length === 0) problems.push(`the SharedRuntime requirement set is missing: add <Set Name="SharedRuntime" MinVersion="1.1"/> under <Requirements><Sets>.`);
  if (runtimes.length !== 1) {
    problems.push(`expected exactly one <Runtime> inside <Runtimes>, found ${runtimes.length}: the shared runtime needs one.`);
  }
  const runtime = runtimes[0];
  if (runtime) {
    if (runtime.attrs.lifetime !== 'long') at(runtime, `<Runtime lifetime="${runtime.attrs.lifetime ?? 'short (default)'}">: a shared runtime needs lifetime="long".`);
    const rid = runtime.attrs.resid;
    const cf = findAll(doc, 'ExtensionPoint').find((e) => e.attrs['xsi:type'] === 'CustomFunctions');
    if (!cf) problems.push(`no <ExtensionPoint xsi:type="CustomFunctions">: the CREGO functions would not exist.`);
    const page = child(child(cf, 'Page'), 'SourceLocation');
    if (cf && !page) at(cf, `the CustomFunctions extension point has no <Page><SourceLocation/>.`);
    if (page && page.attrs.resid !== rid) {
      at(page, `runtime resid mismatch: CustomFunctions <Page> uses '${page.attrs.resid}' but <Runtime> uses '${rid}'; they must be identical or Excel starts a separate runtime.`);
    }
    for (const name of ['Script', 'Metadata', 'Namespace']) {
      if (cf && !child(cf, name)) at(cf, `the CustomFunctions extension point has no <${name}>.`);
    }
    for (const ff of findAll(doc, 'FunctionFile')) {
      if (ff.attrs.resid !== rid) at(ff, `runtime resid mismatch: <FunctionFile> uses '${ff.attrs.resid}' but <Runtime> uses '${rid}'; they must be identical.`);
    }
    for (const action of findAll(doc, 'Action').filter((a) => a.attrs['xsi:type'] === 'ShowTaskpane')) {
      const loc = child(action, 'SourceLocation');
      if (loc && loc.attrs.resid !== rid) at(loc, `runtime resid mismatch: the ShowTaskpane action opens '${loc.attrs.resid}' but <Runtime> uses '${rid}'; the pane would run in a second runtime.`);
      // "none of the descendant <Action> elements should have a <TaskpaneID>" (configure a shared runtime).
      const id = action.children.find((c) => c.name.toLowerCase() === 'taskpaneid');
      if (id) at(id, `a ShowTaskpane action has a <${id.name}>: with a shared runtime Microsoft's docs say to leave it out (it risks a second pane).`);
    }
  }
  const ns = findAll(doc, 'Namespace')[0];
  const nsValue = ns ? resources.get(ns.attrs.resid ?? '')?.value : undefined;
  if (nsValue !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(nsValue)) {
    at(ns!, `custom functions namespace '${nsValue}' should be upper-case letters, digits or _ (it is typed in formulas: =${nsValue}.SUMMARY).`);
  }

  // URLs: https, one origin.
  const urls = collectUrls(doc, resources);
  const origins = new Set<string>();
  for (const { url, el, what } of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      at(el, `${what} '${url}' is not a valid URL.`);
      continue;
    }
    if (parsed.protocol !== 'https:') at(el, `${what} '${url}' is not https; Office loads add-in content only over https.`);
    origins.add(parsed.origin);
    if (opts.origin && !url.startsWith(opts.origin)) at(el, `${what} '${url}' is not under the add-in origin ${opts.origin}.`);
  }
  if (origins.size > 1) problems.push(`URLs use ${origins.size} origins (${[...origins].join(', ')}); every URL must be on the add-in's one origin.`);
  if (opts.origin && !/\/\/(localhost|127\.0\.0\.1)[:/]/.test(`${opts.origin}/`) && /localhost/i.test(xml)) {
    problems.push(`the manifest for ${opts.origin} still mentions localhost; a production manifest must not.`);
  }

  // Icons.
  const iconUrl = findAll(doc, 'IconUrl')[0];
  const hiRes = findAll(doc, 'HighResolutionIconUrl')[0];
  if (!iconUrl) problems.push('<IconUrl> is missing (a 32x32 PNG).');
  if (!hiRes) problems.push('<HighResolutionIconUrl> is missing (a 64x64 PNG).');
  const ribbonSizes = new Set(findAll(doc, 'Image').filter((i) => i.attrs.size).map((i) => Number(i.attrs.size)));
  for (const size of REQUIRED_RIBBON_SIZES) {
    if (findAll(doc, 'Icon').length > 0 && !ribbonSizes.has(size)) problems.push(`no ${size}px ribbon icon (<bt:Image size="${size}">); Office requires 16, 32 and 80.`);
  }

  if (opts.distDir) {
    const base = opts.origin ?? (urls[0] ? new URL(urls[0].url).origin : '');
    const expectedSize = new Map<string, number>();
    if (iconUrl?.attrs.DefaultValue) expectedSize.set(iconUrl.attrs.DefaultValue, 32);
    if (hiRes?.attrs.DefaultValue) expectedSize.set(hiRes.attrs.DefaultValue, 64);
    for (const img of findAll(doc, 'Image').filter((i) => i.attrs.size && i.attrs.resid)) {
      const r = resources.get(img.attrs.resid!);
      if (r) expectedSize.set(r.value, Number(img.attrs.size));
    }
    for (const { url, el, what } of urls) {
      if (!base || !url.startsWith(`${base}/`) || what === 'AppDomain') continue;
      const rel = decodeURIComponent(new URL(url).pathname.slice(new URL(base).pathname.replace(/\/$/, '').length));
      const file = join(opts.distDir, rel);
      if (!existsSync(file)) {
        at(el, `${what} '${url}' has no file ${rel} in the build output; the server would answer 404.`);
        continue;
      }
      const size = expectedSize.get(url);
      if (size !== undefined) {
        const dims = pngSize(readFileSync(file));
        if (!dims) at(el, `${what} '${url}' is not a PNG file.`);
        else if (dims.width !== size || dims.height !== size) at(el, `${what} '${url}' is ${dims.width}x${dims.height} pixels; it must be ${size}x${size}.`);
      }
    }
  }
  return problems;
}

interface FoundUrl {
  url: string;
  el: XmlElement;
  what: string;
}

/** Every URL the manifest makes Office fetch or trust. */
function collectUrls(doc: XmlElement, resources: Map<string, { kind: ResourceKind; value: string; el: XmlElement }>): FoundUrl[] {
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
