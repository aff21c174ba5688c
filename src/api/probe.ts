/**
 * The conformance probe behind `crego doctor` and the task pane's "Check connection": calls
 * the harmless GETs of the map against the configured API and reports, endpoint by endpoint,
 * whether the answer has the shape the add-in expects. Most paths are assumptions
 * (docs/api-assumptions.md), so this is how a person pointing the add-in at the real Crego
 * learns at once which assumptions hold, and what to put in an API profile.
 *
 * No Node imports: the task pane runs this with the browser client.
 */
import { isCregoError, type CregoClient } from './contract';
import { EndpointResolver, type ResolvedEndpoint } from './profile';
import type { EndpointKey, PagedKey } from './endpoints';

export type ProbeStatus =
  | 'conforming'
  | 'missing_fields'
  | 'wrong_types'
  | 'not_found'
  | 'not_implemented'
  | 'error'
  | 'skipped';

export interface ProbeResult {
  key: string;
  name: string;
  method: string;
  /** The path template actually called (after the profile). */
  path: string;
  source: 'documented' | 'assumed';
  status: ProbeStatus;
  httpStatus?: number;
  /** Expected fields absent from the answer. */
  missing: string[];
  /** Fields present with an unexpected JSON type. */
  wrongTypes: Array<{ field: string; expected: string; got: string }>;
  /** One line for a person: what was found and what it means. */
  message: string;
}

export interface ProbeReport {
  ok: boolean;
  /** Set when the server could not be used at all (unreachable, credentials refused): the one thing to fix. */
  fatal?: string;
  results: ProbeResult[];
  /** The ids the id-based GETs were tried with, found through List Loans. */
  ids: Partial<Record<IdKind, string>>;
  counts: Record<ProbeStatus, number>;
}

export interface ProbeOptions {
  /** Also try every other GET of the map (not only the ones the add-in uses). */
  all?: boolean;
  signal?: AbortSignal;
  /** The map as the client resolves it (with its profile); defaults to `client.resolver` or the plain map. */
  resolver?: EndpointResolver;
  /** Words the one failure that stops every check (the CLI names its cause for a terminal); default: its message. */
  describeFatal?: (error: unknown) => string | undefined;
}

type IdKind = 'account' | 'loan' | 'line_account' | 'record' | 'fee' | 'topup';
type Expect = 'number' | 'string' | 'boolean' | 'array' | 'object' | 'date';

/** Fields whose JSON type is certain enough to check; a `date` is epoch seconds (a number) or null. */
const EXPLICIT: Record<string, Expect> = {
  id: 'string', account: 'string', loan: 'string', demand: 'string', record: 'string', type: 'string', status: 'string',
  ref_id: 'string', utr: 'string', remark: 'string', borrower_name: 'string', asset_category: 'string',
  payment_mode: 'string', invoice_no: 'string', message: 'string', tenure_period: 'string', roi_period: 'string',
  pf_value_type: 'string', settlement_order: 'string', component_order: 'string', access: 'string', refresh: 'string',
  token_type: 'string', method: 'string', numeric_ref_id: 'string',
  sent_to_gl: 'boolean', to_be_deleted: 'boolean', allowed: 'boolean', is_downloaded: 'boolean', is_imported: 'boolean',
  dpd: 'number', peak_dpd: 'number', index: 'number', emi_count: 'number', days_in_month: 'number',
  days_in_year: 'number', tenure_value: 'number', tenure_days: 'number', roi: 'number', principal: 'number',
  interest: 'number', opening_balance: 'number', closing_balance: 'number', total_fees: 'number',
  total_interest: 'number', broken_period_interest: 'number', excess_payment: 'number', emis_paid: 'number',
  emis_remaining: 'number', pf_value: 'number', pf_gst: 'number', expires_in: 'number', count: 'number',
  schedule: 'array', results: 'array',
};
/** Fields that may legitimately be null (unset references, optional texts, dates not reached yet). */
const NULLABLE = new Set([
  'loan', 'utr', 'remark', 'payment_mode', 'invoice_no', 'record', 'demand', 'line_amount', 'next_due_amount',
  'numeric_ref_id', 'ref_id', 'method', 'debit_bank', 'credit_bank', 'payout_to', 'payout_service_id', 'failed_remark',
  'errors', 'id', 'emi_amount', 'message', 'asset_category',
]);

function expectedType(field: string): Expect | undefined {
  if (EXPLICIT[field]) return EXPLICIT[field];
  if (/(_at|_date)$/.test(field)) return 'date';
  if (/(_amount|_outstanding|_paid|_due)$/.test(field)) return 'number';
  return undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Compare one answer object with the expected field list. */
export function checkFields(value: unknown, fields: readonly string[]): Pick<ProbeResult, 'missing' | 'wrongTypes'> {
  const missing: string[] = [];
  const wrongTypes: ProbeResult['wrongTypes'] = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { missing: [], wrongTypes: [{ field: '(answer)', expected: 'object', got: jsonType(value) }] };
  }
  const obj = value as Record<string, unknown>;
  for (const field of fields) {
    if (!(field in obj)) {
      missing.push(field);
      continue;
    }
    const want = expectedType(field);
    const got = jsonType(obj[field]);
    if (!want) continue;
    if (got === 'null' && (want === 'date' || NULLABLE.has(field))) continue;
    const okType = want === 'date' ? got === 'number' : got === want;
    if (!okType) wrongTypes.push({ field, expected: want === 'date' ? 'epoch seconds (number)' : want, got: got === 'string' ? `string ${JSON.stringify(String(obj[field]).slice(0, 20))}` : got });
  }
  return { missing, wrongTypes };
}

/** Which id an `{id}` GET needs, for the endpoints the add-in uses (others: by group, best effort). */
const ID_FOR: Record<string, IdKind> = {
  'accounts.summary': 'account',
  'accounts.loan_params': 'account',
  'accounts.refresh_limit': 'line_account',
  'loans.emi_amount': 'loan',
  'loans.summary': 'loan',
  'records.get': 'record',
  'fees.get': 'fee',
};
const ID_BY_GROUP: Record<string, IdKind> = { Accounts: 'account', Loans: 'loan', Records: 'record', Fee: 'fee', Topups: 'topup' };

/** Object endpoints that need an account in the query (the map names it). */
const needsAccountQuery = (ep: ResolvedEndpoint) => ep.answer !== 'page' && !!ep.query?.includes('account');

function plan(resolver: EndpointResolver, all: boolean): ResolvedEndpoint[] {
  return resolver
    .all()
    .filter((ep) => ep.method === 'GET' && (all || ep.probe || (ep.implemented && ep.path.includes('{'))));
}

/** Run the probe. Never throws for an endpoint's failure: every outcome is a row of the report. */
export async function runProbe(client: CregoClient, options: ProbeOptions = {}): Promise<ProbeReport> {
  const resolver =
    options.resolver ?? (client as { resolver?: EndpointResolver }).resolver ?? new EndpointResolver();
  const signal = options.signal;
  const ids: Partial<Record<IdKind, string>> = {};
  const firstOf = async (key: PagedKey, query: Record<string, string> = {}) => {
    try {
      const page = await client.call(key, {
        query: { ...query, [resolver.get(key).pagination.pageSize]: 1 },
        signal,
        cache: 'bypass',
      });
      return (page?.results?.[0] ?? undefined) as Record<string, unknown> | undefined;
    } catch {
      return undefined; // reported by the endpoint's own row
    }
  };
  // Can we talk to it at all? An unreachable server or refused credentials fail every row the
  // same way: say it once instead of a page of identical errors.
  try {
    await client.call('loans.list', { query: { [resolver.get('loans.list').pagination.pageSize]: 1 }, signal, cache: 'bypass' });
  } catch (err) {
    if (isCregoError(err) && FATAL_KINDS.has(err.kind)) {
      const results = plan(resolver, !!options.all).map((ep) => ({
        key: ep.key, name: ep.name, method: ep.method, path: ep.path, source: ep.source,
        status: 'skipped' as const, missing: [], wrongTypes: [], message: 'skipped: the server cannot be used (see above)',
      }));
      return { ok: false, fatal: options.describeFatal?.(err) ?? err.message, results, ids, counts: countBy(results) };
    }
  }
  // Ids to try the `{id}` GETs with, from the live data.
  const loan = await firstOf('loans.list');
  if (typeof loan?.account === 'string') ids.account = loan.account;
  if (typeof loan?.id === 'string') ids.loan = loan.id;
  const line = await firstOf('loans.list', { type: 'credit_line' });
  if (line?.type === 'credit_line' && typeof line.account === 'string') ids.line_account = line.account;
  const acc: Record<string, string> = ids.account ? { account: ids.account } : {};
  const [record, fee, topup] = await Promise.all([
    firstOf('records.list', acc),
    firstOf('fees.list', acc),
    ids.line_account ? firstOf('topups.list', { account: ids.line_account }) : undefined,
  ]);
  if (typeof record?.id === 'string') ids.record = record.id;
  if (typeof fee?.id === 'string') ids.fee = fee.id;
  if (typeof topup?.id === 'string') ids.topup = topup.id;

  const results = await Promise.all(plan(resolver, !!options.all).map((ep) => probeOne(client, ep, ids, signal)));
  return { ok: results.every((r) => r.status === 'conforming' || r.status === 'skipped'), results, ids, counts: countBy(results) };
}

/** Failures that make every other call fail the same way. */
const FATAL_KINDS = new Set(['network', 'auth', 'timeout', 'cancelled', 'config']);

function countBy(results: ProbeResult[]): Record<ProbeStatus, number> {
  const statuses: ProbeStatus[] = ['conforming', 'missing_fields', 'wrong_types', 'not_found', 'not_implemented', 'error', 'skipped'];
  return Object.fromEntries(statuses.map((s) => [s, results.filter((r) => r.status === s).length])) as Record<ProbeStatus, number>;
}

async function probeOne(
  client: CregoClient,
  ep: ResolvedEndpoint,
  ids: Partial<Record<IdKind, string>>,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const base = { key: ep.key, name: ep.name, method: ep.method, path: ep.path, source: ep.source, missing: [], wrongTypes: [] };
  const path: Record<string, string> = {};
  const query: Record<string, string | number> = {};
  if (ep.path.includes('{')) {
    const kind = ID_FOR[ep.key] ?? ID_BY_GROUP[ep.group];
    const id = kind && ids[kind];
    if (!id) return { ...base, status: 'skipped', message: `skipped: no ${kind ?? 'id'} found to try it with` };
    path.id = id;
  }
  if (needsAccountQuery(ep)) {
    if (!ids.account) return { ...base, status: 'skipped', message: 'skipped: no account found to try it with' };
    query.account = ids.account;
  }
  if (ep.answer === 'page') query[ep.pagination.pageSize] = 1;
  let answer: unknown;
  try {
    // The probe walks the map itself, so every key it holds is one of the map's.
    answer = await client.call(ep.key as EndpointKey, { path, query, signal, cache: 'bypass' });
  } catch (err) {
    if (!isCregoError(err)) return { ...base, status: 'error', message: 'failed unexpectedly' };
    if (err.status === 404)
      return { ...base, status: 'not_found', httpStatus: 404, message: `404: the path ${ep.path} looks wrong (correct it in an API profile)` };
    if (err.status === 501) return { ...base, status: 'not_implemented', httpStatus: 501, message: '501: not implemented by this server' };
    if (err.status === 405)
      return { ...base, status: 'error', httpStatus: 405, message: `405: ${ep.method} is not accepted here (correct the method in an API profile)` };
    return { ...base, status: 'error', httpStatus: err.status, message: err.message };
  }
  let target: unknown = answer;
  if (ep.answer === 'page') {
    const env = answer as { count?: unknown; results?: unknown } | null;
    if (!env || typeof env.count !== 'number' || !Array.isArray(env.results))
      return {
        ...base,
        status: 'wrong_types',
        httpStatus: 200,
        wrongTypes: [{ field: '(answer)', expected: '{count, results: […]}', got: jsonType(answer) }],
        message: 'the answer is not the {count, current_page, page_size, results} page envelope',
      };
    if (env.results.length === 0) return { ...base, status: 'conforming', httpStatus: 200, message: 'page envelope ok (empty: fields not checked)' };
    target = env.results[0];
  }
  const { missing, wrongTypes } = checkFields(target, ep.fields ?? []);
  if (missing.length)
    return { ...base, status: 'missing_fields', httpStatus: 200, missing, wrongTypes, message: `missing: ${missing.join(', ')}` };
  if (wrongTypes.length)
    return {
      ...base,
      status: 'wrong_types',
      httpStatus: 200,
      missing,
      wrongTypes,
      message: wrongTypes.map((w) => `${w.field}: expected ${w.expected}, got ${w.got}`).join('; '),
    };
  return { ...base, status: 'conforming', httpStatus: 200, message: `${(ep.fields ?? []).length} fields ok` };
}
