/**
 * Excel keeps an add-in's functions.json (and functions.js) for up to 24 hours ("changes to
 * functions.json and functions.js files may take up to 24 hours to reach your end users", Microsoft's
 * custom-functions troubleshooting page), while the task pane, which loads functions.js in the shared
 * runtime, updates sooner. For a day after a release, then, new code can be called through the
 * previous release's metadata. This module lists each change to functions.json that old metadata
 * would turn into wrong cells, so a release keeps signatures backward-compatible.
 */

interface Parameter {
  name: string;
  type?: string;
  dimensionality?: string;
  optional?: boolean;
  repeating?: boolean;
}

interface CustomFunction {
  id: string;
  name: string;
  parameters?: Parameter[];
  result?: { type?: string; dimensionality?: string };
  options?: Record<string, boolean | undefined>;
}

interface Metadata {
  allowCustomDataForDataTypeAny?: boolean;
  functions?: CustomFunction[];
}

/** Options that make Excel pass the trailing invocation argument. */
const INVOCATION_OPTIONS = ['cancelable', 'stream', 'requiresAddress', 'requiresParameterAddresses'];
/** Options that change how Excel calls the function (the invocation argument, streaming, recalculation). */
const CALLING_OPTIONS = [...INVOCATION_OPTIONS, 'capturesCallingObject', 'volatile'];

/** `any` (or no type, which means any) takes whatever a narrower type took; nothing else widens. */
function accepts(current: string | undefined, released: string | undefined): boolean {
  return current === undefined || current === 'any' || current === released;
}

function takesInvocation(fn: CustomFunction): boolean {
  return INVOCATION_OPTIONS.some((option) => fn.options?.[option] === true);
}

function parameterChanges(fn: CustomFunction, was: CustomFunction): string[] {
  const problems: string[] = [];
  const now = fn.parameters ?? [];
  const before = was.parameters ?? [];
  before.forEach((p, i) => {
    const q = now[i];
    if (!q) return void problems.push(`${fn.id}: parameter ${p.name} was removed (a cell typed with it would pass one argument too many)`);
    if (q.name !== p.name) problems.push(`${fn.id}: parameter ${i + 1} was ${p.name}, now ${q.name} (renamed or reordered: cells pass it by position)`);
    if ((q.dimensionality ?? 'scalar') !== (p.dimensionality ?? 'scalar')) problems.push(`${fn.id}: ${p.name} was ${p.dimensionality ?? 'scalar'}, now ${q.dimensionality ?? 'scalar'}`);
    if (!accepts(q.type, p.type)) problems.push(`${fn.id}: ${p.name} was ${p.type ?? 'any'}, now ${q.type} (only a change to any is safe)`);
    if (p.optional && !q.optional) problems.push(`${fn.id}: ${p.name} was optional, now required`);
    if (Boolean(p.repeating) !== Boolean(q.repeating)) problems.push(`${fn.id}: ${p.name} changed whether it repeats`);
  });
  const added = now.slice(before.length);
  for (const q of added.filter((q) => !q.optional)) problems.push(`${fn.id}: new parameter ${q.name} is required (old metadata never passes it)`);
  if (added.length > 0 && takesInvocation(was)) {
    problems.push(`${fn.id}: new parameter ${added.map((q) => q.name).join(', ')} before the invocation (old metadata passes the invocation in its place)`);
  }
  return problems;
}

function functionChanges(fn: CustomFunction, was: CustomFunction): string[] {
  const problems: string[] = [];
  if (fn.name !== was.name) problems.push(`${was.id}: its name in Excel was ${was.name}, now ${fn.name} (formulas typed with the old name stop working)`);
  const before = was.result ?? {};
  const now = fn.result ?? {};
  if ((now.dimensionality ?? 'scalar') !== (before.dimensionality ?? 'scalar')) problems.push(`${was.id}: result was ${before.dimensionality ?? 'scalar'}, now ${now.dimensionality ?? 'scalar'}`);
  // A result may narrow (old metadata of type any takes a number), never widen: a `number` result refuses a formatted value.
  if (!accepts(before.type, now.type)) problems.push(`${was.id}: result was ${before.type}, now ${now.type ?? 'any'} (old metadata would refuse the new values)`);
  for (const option of CALLING_OPTIONS) {
    if (Boolean(fn.options?.[option]) !== Boolean(was.options?.[option])) problems.push(`${was.id}: option ${option} was ${Boolean(was.options?.[option])}, now ${Boolean(fn.options?.[option])}`);
  }
  return [...problems, ...parameterChanges(fn, was)];
}

/**
 * Every change from `released` to `current` (both functions.json text) that a cell calling the new
 * functions.js through the released metadata would notice. New functions, new descriptions and
 * parameter types widened to `any` are compatible; empty when the release is safe to deploy.
 */
export function breakingChanges(released: string, current: string): string[] {
  const was = JSON.parse(released) as Metadata;
  const now = JSON.parse(current) as Metadata;
  const byId = new Map((now.functions ?? []).map((f) => [f.id, f]));
  const problems: string[] = [];
  if (was.allowCustomDataForDataTypeAny && !now.allowCustomDataForDataTypeAny) problems.push('allowCustomDataForDataTypeAny was turned off (cards and formatted values would show #VALUE!)');
  for (const fn of was.functions ?? []) {
    const next = byId.get(fn.id);
    if (!next) problems.push(`${fn.id} was removed (cells typed with it break, and while old metadata is cached Excel calls an id functions.js no longer registers)`);
    else problems.push(...functionChanges(next, fn));
  }
  return problems;
}
