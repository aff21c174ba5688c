import { DEV_ORIGIN } from './origin.js';

/**
 * The manifest as it is deployed: every development URL moved to `origin`, <AppDomain> set to the
 * origin's scheme+host, comments dropped (an AppDomain cannot carry a path), and <Version> set. Excel caches
 * functions.json for up to a day per manifest version, so the version follows package.json.
 */
export function renderManifest(xml: string, opts: { origin: string; version: string }): string {
  const origin = opts.origin.replace(/\/+$/, '');
  return xml
    // The source comments talk about localhost and the build; a deployed manifest has neither.
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    .replace(/<AppDomain>[^<]*<\/AppDomain>/g, `<AppDomain>${new URL(origin).origin}</AppDomain>`)
    .split(DEV_ORIGIN)
    .join(origin)
    .replace(/<Version>[^<]*<\/Version>/, `<Version>${opts.version}</Version>`);
}
