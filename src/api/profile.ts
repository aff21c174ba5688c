/**
 * API profiles: a JSON document that corrects entries of the endpoint map without a rebuild
 * (most Crego paths are assumptions, see docs/api-assumptions.md). Loaded from the task pane
 * settings (an object), a file (`--profile FILE`) or the `CREGO_API_PROFILE` env var (node.ts
 * does the file reading; this module has no Node imports so the task pane can use it).
 *
 * Every rename is written `ours → theirs`: `"fields": {"emi_amount": "emi"}` means the API
 * calls our `emi_amount` `emi`. Requests are renamed on the way out (query names, body keys)
 * and answers on the way back (field names), so the rest of the add-in keeps one vocabulary.
 *
 * {
 *   "name": "crego-preprod",
 *   "pagination": { "page": "page", "pageSize": "size" },
 *   "endpoints": {
 *     "emis.list": { "path": "/v1/lms/emi/", "query": { "account": "account_id" }, "fields": { "emi_amount": "emi" } }
 *   }
 * }
 */
import { CregoError } from './contract';
import { DEFAULT_SETTINGS, UTR_SCOPES, type ApiSettings, type UtrScope } from './settings';
import { BUSINESS_DATE_ENCODINGS, type BusinessDateEncoding } from './dates';
import { ENDPOINTS, PAGINATION, pathParams, type EndpointDef, type HttpMethod } from './endpoints';

export { DEFAULT_SETTINGS, UTR_SCOPES, type ApiSettings, type UtrScope };

export interface ProfilePagination {
  /** Query parameter carrying the 1-based page number. */
  page?: string;
  /** Query parameter carrying the page size. */
  pageSize?: string;
  defaultPageSize?: number;
  maxPageSize?: number;
  /** Envelope field names, if the API does not use `count` / `results`. */
  count?: string;
  results?: string;
}

export interface ProfileEndpoint {
  path?: string;
  method?: HttpMethod;
  /** Query parameter renames, ours → API's. */
  query?: Record<string, string>;
  /** Body field renames, ours → API's (applied to each item of a bulk request too). */
  body?: Record<string, string>;
  /** Answer field renames, ours → API's (applied to each result of a page or bulk answer). */
  fields?: Record<string, string>;
  pagination?: ProfilePagination;
}

export interface ApiProfile {
  name?: string;
  description?: string;
  pagination?: ProfilePagination;
  endpoints?: Record<string, ProfileEndpoint>;
  /** Default `account`. With `tenant`, a sheet may not use one UTR on two accounts, and look-ups by UTR span accounts. */
  utrScope?: UtrScope;
  /** Default `end_of_day`, as Crego's first-platform example; `start_of_day` for tenants that stamp 00:00 IST. */
  businessDateEncoding?: BusinessDateEncoding;
}

export interface ResolvedPagination {
  page: string;
  pageSize: string;
  defaultPageSize: number;
  maxPageSize: number;
  count: string;
  results: string;
}

/** A map entry with a profile applied: what the client actually sends. */
export interface ResolvedEndpoint extends EndpointDef {
  /** Query renames ours → API's. */
  queryNames: Record<string, string>;
  /** Body renames ours → API's. */
  bodyNames: Record<string, string>;
  /** Answer renames API's → ours (inverted from the profile). */
  answerNames: Record<string, string>;
  pagination: ResolvedPagination;
  /** True when the profile changed anything about this entry. */
  overridden: boolean;
}

/** A profile that failed validation; `problems` lists every wrong entry, one line each. */
export class ProfileError extends CregoError {
  readonly problems: string[];
  constructor(origin: string, problems: string[]) {
    super({
      kind: 'config',
      message: `API profile ${origin} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    });
    this.name = 'ProfileError';
    this.problems = problems;
  }
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const TOP_KEYS = ['$schema', 'name', 'description', 'pagination', 'endpoints', 'utrScope', 'businessDateEncoding'];
const ENTRY_KEYS = ['path', 'method', 'query', 'body', 'fields', 'pagination'];
const PAGINATION_NAME_KEYS = ['page', 'pageSize', 'count', 'results'] as const;
const PAGINATION_SIZE_KEYS = ['defaultPageSize', 'maxPageSize'] as const;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Closest known word, to turn a typo into "did you mean …?". */
function suggest(word: string, known: readonly string[]): string {
  let best = '';
  let bestScore = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestScore) {
      bestScore = d;
      best = k;
    }
  }
  return best && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function checkUnknownKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[], problems: string[]) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) problems.push(`${where}: unknown setting '${k}'${suggest(k, allowed)}; allowed: ${allowed.join(', ')}`);
  }
}

function checkPagination(where: string, value: unknown, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where}: must be an object like {"page": "page", "pageSize": "page_size"}`);
    return;
  }
  checkUnknownKeys(where, value, [...PAGINATION_NAME_KEYS, ...PAGINATION_SIZE_KEYS], problems);
  for (const k of PAGINATION_NAME_KEYS) {
    const v = value[k];
    if (v !== undefined && (typeof v !== 'string' || !NAME_RE.test(v)))
      problems.push(`${where}.${k}: must be a parameter name like "page_size", got ${JSON.stringify(v)}`);
  }
  for (const k of PAGINATION_SIZE_KEYS) {
    const v = value[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1))
      problems.push(`${where}.${k}: must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
  }
}

function checkRenames(
  where: string,
  value: unknown,
  known: readonly string[] | undefined,
  what: string,
  problems: string[],
): void {
  if (!isObject(value)) {
    problems.push(`${where}: must be an object of renames {"our_name": "api_name"}`);
    return;
  }
  const targets = new Map<string, string>();
  for (const [ours, theirs] of Object.entries(value)) {
    if (known && !known.includes(ours))
      problems.push(`${where}: '${ours}' is not a ${what} of this endpoint${suggest(ours, known)}; known: ${known.join(', ')}`);
    if (typeof theirs !== 'string' || !NAME_RE.test(theirs)) {
      problems.push(`${where}.${ours}: the API's name must be a plain name like "account_id", got ${JSON.stringify(theirs)}`);
      continue;
    }
    const clash = targets.get(theirs);
    if (clash) problems.push(`${where}: '${clash}' and '${ours}' are both renamed to '${theirs}'`);
    targets.set(theirs, ours);
  }
}

/** Body names a rename may use: a bulk endpoint's items are the single create's bodies. */
function bodyNamesOf(def: EndpointDef, byKey: ReadonlyMap<string, EndpointDef>): readonly string[] | undefined {
  if (def.answer !== 'bulk') return def.body;
  return byKey.get(`${def.key.split('.')[0]}.create`)?.body;
}

function checkEntry(
  key: string,
  def: EndpointDef,
  entry: unknown,
  problems: string[],
  byKey: ReadonlyMap<string, EndpointDef>,
): void {
  const where = `endpoints.${key}`;
  if (!isObject(entry)) {
    problems.push(`${where}: must be an object like {"path": "/v1/lms/…/"}`);
    return;
  }
  checkUnknownKeys(where, entry, ENTRY_KEYS, problems);
  if (entry.path !== undefined) {
    const p = entry.path;
    if (typeof p !== 'string' || !p.startsWith('/')) {
      problems.push(`${where}.path: must be a path starting with "/", got ${JSON.stringify(p)}`);
    } else {
      if (!p.endsWith('/')) problems.push(`${where}.path: "${p}" must end with "/" (every Crego path keeps its trailing slash)`);
      if (/[?#\s]/.test(p)) problems.push(`${where}.path: "${p}" must not contain a query, a fragment or spaces`);
      const want = pathParams(def.path).sort();
      const got = pathParams(p).sort();
      const stray = [...p.replace(/\{[a-z_]+\}/g, '').matchAll(/[{}]/g)].length > 0;
      if (stray || want.join(',') !== got.join(','))
        problems.push(
          `${where}.path: "${p}" must use the placeholders ${want.length ? want.map((n) => `{${n}}`).join(', ') : '(none)'} ` +
            `like "${def.path}"; it has ${got.length ? got.map((n) => `{${n}}`).join(', ') : 'none'}`,
        );
    }
  }
  if (entry.method !== undefined && !METHODS.includes(entry.method as HttpMethod))
    problems.push(`${where}.method: must be one of ${METHODS.join(', ')}, got ${JSON.stringify(entry.method)}`);
  const pagingNames = def.answer === 'page' ? [PAGINATION.pageParam, PAGINATION.sizeParam] : [];
  if (entry.query !== undefined)
    checkRenames(`${where}.query`, entry.query, def.query ? [...def.query, ...pagingNames] : undefined, 'query parameter', problems);
  if (entry.body !== undefined) checkRenames(`${where}.body`, entry.body, bodyNamesOf(def, byKey), 'body field', problems);
  if (entry.fields !== undefined) checkRenames(`${where}.fields`, entry.fields, def.fields, 'answer field', problems);
  if (entry.pagination !== undefined) {
    if (def.answer !== 'page') problems.push(`${where}.pagination: ${key} does not answer with pages`);
    else checkPagination(`${where}.pagination`, entry.pagination, problems);
  }
}

/**
 * Validate a profile (an object, or JSON text) and return it typed. Throws `ProfileError`
 * listing every problem with the entry it is in and how to fix it.
 */
export function parseProfile(input: unknown, origin = '(settings)', map: readonly EndpointDef[] = ENDPOINTS): ApiProfile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ProfileError(origin, [`not valid JSON: ${(err as Error).message}`]);
    }
  }
  const problems: string[] = [];
  if (!isObject(value)) throw new ProfileError(origin, ['must be a JSON object like {"endpoints": {…}}']);
  checkUnknownKeys('profile', value, TOP_KEYS, problems);
  for (const k of ['name', 'description'] as const)
    if (value[k] !== undefined && typeof value[k] !== 'string') problems.push(`${k}: must be text`);
  if (value.pagination !== undefined) checkPagination('pagination', value.pagination, problems);
  if (value.utrScope !== undefined && !UTR_SCOPES.includes(value.utrScope as UtrScope))
    problems.push(`utrScope: must be one of ${UTR_SCOPES.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(value.utrScope)}`);
  if (value.businessDateEncoding !== undefined && !BUSINESS_DATE_ENCODINGS.includes(value.businessDateEncoding as BusinessDateEncoding))
    problems.push(
      `businessDateEncoding: must be one of ${BUSINESS_DATE_ENCODINGS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(value.businessDateEncoding)}`,
    );
  if (value.endpoints !== undefined) {
    if (!isObject(value.endpoints)) problems.push('endpoints: must be an object keyed by endpoint key, e.g. "accounts.summary"');
    else {
      const byKey = new Map(map.map((d) => [d.key, d]));
      const keys = map.map((d) => d.key);
      for (const [key, entry] of Object.entries(value.endpoints)) {
        const def = byKey.get(key);
        if (!def) problems.push(`endpoints.${key}: unknown endpoint key${suggest(key, keys)}`);
        else checkEntry(key, def, entry, problems, byKey);
      }
    }
  }
  if (problems.length) throw new ProfileError(typeof value.name === 'string' ? `'${value.name}'` : origin, problems);
  return value as ApiProfile;
}

const invert = (r: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(r ?? {}).map(([ours, theirs]) => [theirs, ours]));

/** The endpoint map with a (validated) profile applied; what the client and the probe consult. */
export class EndpointResolver {
  private readonly resolved = new Map<string, ResolvedEndpoint>();
  readonly profileName?: string;
  readonly settings: ApiSettings;

  constructor(profile?: ApiProfile, map: readonly EndpointDef[] = ENDPOINTS) {
    this.profileName = profile?.name;
    this.settings = {
      utrScope: profile?.utrScope ?? DEFAULT_SETTINGS.utrScope,
      businessDateEncoding: profile?.businessDateEncoding ?? DEFAULT_SETTINGS.businessDateEncoding,
    };
    const basePaging: ResolvedPagination = {
      page: profile?.pagination?.page ?? PAGINATION.pageParam,
      pageSize: profile?.pagination?.pageSize ?? PAGINATION.sizeParam,
      defaultPageSize: profile?.pagination?.defaultPageSize ?? PAGINATION.defaultPageSize,
      maxPageSize: profile?.pagination?.maxPageSize ?? PAGINATION.maxPageSize,
      count: profile?.pagination?.count ?? 'count',
      results: profile?.pagination?.results ?? 'results',
    };
    for (const def of map) {
      const o = profile?.endpoints?.[def.key];
      const pagination = { ...basePaging, ...stripUndefined(o?.pagination ?? {}) } as ResolvedPagination;
      this.resolved.set(def.key, {
        ...def,
        path: o?.path ?? def.path,
        method: o?.method ?? def.method,
        queryNames: { ...(o?.query ?? {}) },
        bodyNames: { ...(o?.body ?? {}) },
        answerNames: invert(o?.fields),
        pagination,
        overridden: !!o,
      });
    }
  }

  /** Throws a `config` CregoError for an unknown key (a programming mistake, caught by tests). */
  get(key: string): ResolvedEndpoint {
    const r = this.resolved.get(key);
    if (!r) throw new CregoError({ kind: 'config', message: `Unknown Crego endpoint '${key}'`, endpoint: key });
    return r;
  }

  all(): ResolvedEndpoint[] {
    return [...this.resolved.values()];
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Rename the top-level keys of a plain object; anything else passes through untouched. */
export function renameKeys(value: unknown, names: Record<string, string>): unknown {
  if (!isObject(value) || Object.keys(names).length === 0) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[names[k] ?? k] = v;
  return out;
}

/** Our request body → the API's names (each item of a bulk `{items}` request too). */
export function renameBody(ep: ResolvedEndpoint, body: unknown): unknown {
  if (Object.keys(ep.bodyNames).length === 0) return body;
  if (ep.answer === 'bulk' && isObject(body) && Array.isArray(body.items))
    return { ...body, items: body.items.map((item) => renameKeys(item, ep.bodyNames)) };
  return renameKeys(body, ep.bodyNames);
}

/** The API's answer → our names (object, each page result, each bulk result). */
export function renameAnswer(ep: ResolvedEndpoint, answer: unknown): unknown {
  const names = ep.answerNames;
  const { count, results } = ep.pagination;
  const envelopeRenamed = ep.answer === 'page' && (count !== 'count' || results !== 'results');
  if (Object.keys(names).length === 0 && !envelopeRenamed) return answer;
  if (!isObject(answer)) return answer;
  if (ep.answer === 'page' || ep.answer === 'bulk') {
    const src = ep.answer === 'page' ? renameKeys(answer, { [count]: 'count', [results]: 'results' }) : answer;
    const env = src as Record<string, unknown>;
    if (!Array.isArray(env.results)) return env;
    return { ...env, results: env.results.map((r) => renameKeys(r, names)) };
  }
  return renameKeys(answer, names);
}

/** Field errors keyed by the API's body/query names → keyed by ours, so messages name our columns. */
export function renameFieldErrors(ep: ResolvedEndpoint, errors: Record<string, string[]> | undefined) {
  const names = { ...invert(ep.queryNames), ...invert(ep.bodyNames) };
  if (!errors || Object.keys(names).length === 0) return errors;
  return renameKeys(errors, names) as Record<string, string[]>;
}
