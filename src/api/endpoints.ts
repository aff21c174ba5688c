/**
 * The endpoint map: one declarative table of every Crego LMS endpoint (72, as listed in
 * ../shared/crego-api/), plus the auth endpoints the add-in signs in with.
 *
 * The client builds every request from this table and the sandbox mounts its routes from it,
 * so the two cannot drift. `source: 'documented'` entries are exactly as Crego documents them;
 * `source: 'assumed'` entries follow the documented Django-REST style and each choice is
 * explained in docs/api-assumptions.md. A deployment corrects an assumed entry with an API
 * profile (src/api/profile.ts) without a rebuild.
 *
 * This file is plain data: no I/O, no Office, importable by the browser, Node and the sandbox.
 */
import { SUMMARY_FIELDS } from './fields';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What the answer body looks like. `page` = the documented {count,current_page,page_size,results} envelope. */
export type AnswerShape = 'object' | 'page' | 'bulk' | 'empty';

export interface EndpointDef {
  /** Stable id used in code, profiles and logs, e.g. `accounts.summary`. */
  key: string;
  /** Docs section group: EMIs, Records, Topups, Accounts, Payouts, Loans, Line Details, ... */
  group: string;
  /** The name in Crego's docs sidebar. */
  name: string;
  method: HttpMethod;
  /** Path template with `{param}` placeholders; always ends with `/`. */
  path: string;
  /** Query parameter names the endpoint accepts (pagination names are added for `page` answers). */
  query?: string[];
  /** Body field names (informational; the typed request lives in types.ts). */
  body?: string[];
  answer: AnswerShape;
  /** Field names the answer object (or each page result / bulk item) must carry: the conformance probe checks them. */
  fields?: readonly string[];
  source: 'documented' | 'assumed';
  /** The sandbox implements it for real (others answer 501 there). */
  implemented?: boolean;
  /** Harmless to call for the conformance probe (a GET with no side effects). */
  probe?: boolean;
  /** Auth endpoints are called without a bearer token. */
  noAuth?: boolean;
}

/**
 * Pagination parameter names (undocumented: Crego shows the response envelope but no request
 * parameters). Kept here so a profile or one edit changes them everywhere.
 */
export const PAGINATION = {
  pageParam: 'page',
  sizeParam: 'page_size',
  defaultPageSize: 15,
  maxPageSize: 500,
} as const;

/** The 23 documented Get Summary fields, in the order of Crego's example (named with their meaning in fields.ts). */
export { SUMMARY_FIELDS } from './fields';

/** Documented List Settlements result fields. */
export const SETTLEMENT_FIELDS = [
  'id', 'created_at', 'updated_at', 'date', 'amount', 'outstanding_amount', 'remaining_amount',
  'sent_to_gl', 'due_amount', 'dpd', 'peak_dpd', 'to_be_deleted', 'account', 'demand', 'record',
] as const;

/** Record fields: the documented Initiate Adjustment answer (a record-like object) plus `account`/`loan`. */
export const RECORD_FIELDS = [
  'id', 'created_at', 'updated_at', 'type', 'ref_id', 'index', 'received_amount', 'tds_amount', 'amount',
  'remaining_amount', 'payment_mode', 'utr', 'settlement_order', 'component_order', 'date', 'settled_at',
  'bank_date', 'remark', 'status', 'account', 'loan',
] as const;

export const PAYOUT_FIELDS = [
  'id', 'created_at', 'updated_at', 'type', 'ref_id', 'numeric_ref_id', 'index', 'amount', 'method', 'status',
  'payout_service_id', 'processed_at', 'bank_date', 'date', 'failed_remark', 'utr', 'debit_bank', 'credit_bank',
  'payout_to', 'is_downloaded', 'is_imported', 'sent_to_gl', 'account',
] as const;

export const LOAN_FIELDS = [
  'id', 'created_at', 'updated_at', 'account', 'type', 'status', 'loan_amount', 'disbursal_amount',
  'roi_value', 'emi_count', 'emi_amount', 'disbursal_date', 'first_due_date', 'maturity_date', 'closed_at',
  'borrower_name',
] as const;

export const EMI_FIELDS = [
  'id', 'loan', 'account', 'index', 'due_date', 'emi_amount', 'principal', 'interest', 'opening_balance',
  'closing_balance', 'paid_amount', 'outstanding_amount', 'status', 'dpd',
] as const;

export const FEE_FIELDS = [
  'id', 'created_at', 'updated_at', 'account', 'loan', 'type', 'amount', 'gst_amount', 'total_amount',
  'paid_amount', 'outstanding_amount', 'date', 'due_date', 'ref_id', 'remark', 'status',
] as const;

export const TOPUP_FIELDS = [
  'id', 'created_at', 'updated_at', 'account', 'loan', 'amount', 'date', 'tenure_days', 'due_date',
  'invoice_no', 'ref_id', 'remark', 'status', 'principal_outstanding',
] as const;

export const LINE_FIELDS = ['account', 'line_amount', 'utilised_amount', 'available_amount', 'as_of_date'] as const;

export const CALCULATE_EMI_FIELDS = [
  'loan_amount', 'roi', 'emi_count', 'emi_amount', 'total_interest', 'total_amount', 'schedule',
] as const;

export const OUTSTANDING_FIELDS = [
  'account', 'as_of_date', 'principal_outstanding', 'interest_outstanding', 'overdue_outstanding',
  'penal_outstanding', 'fee_outstanding', 'total_outstanding', 'principal_due', 'interest_due', 'total_due',
  'dpd', 'next_due_date', 'next_due_amount',
] as const;

export const LOAN_SUMMARY_FIELDS = [
  'loan', 'account', 'loan_amount', 'principal_paid', 'principal_outstanding', 'interest_paid',
  'interest_outstanding', 'total_outstanding', 'emis_paid', 'emis_remaining', 'next_due_date', 'dpd', 'status',
] as const;

export const BULK_ITEM_FIELDS = ['index', 'status', 'id', 'errors'] as const;

const LIST_FILTERS = ['account', 'loan', 'status', 'expand'];

/**
 * Compact builder so the table below reads one endpoint per line. Generic in the key and the answer
 * shape, so the table's type keeps every key as a literal: `EndpointKey` is their union and a typo in
 * `client.call('acounts.summary')` fails `tsc`, not a test.
 */
function ep<const K extends string, const A extends AnswerShape>(
  key: K,
  group: string,
  name: string,
  method: HttpMethod,
  path: string,
  answer: A,
  extra: Partial<EndpointDef> = {},
): EndpointDef & { key: K; answer: A } {
  return { source: 'assumed', ...extra, key, group, name, method, path, answer };
}
const DOC = { source: 'documented' } as const;
const REAL = { implemented: true } as const;
const PROBE = { implemented: true, probe: true } as const;

export const ENDPOINTS = [
  // ── EMIs (7) ──────────────────────────────────────────────────────────────────────────
  ep('emis.list', 'EMIs', 'List EMI', 'GET', '/v1/lms/emis/', 'page', { ...PROBE, query: ['account', 'loan', 'status', 'as_of_date'], fields: EMI_FIELDS }),
  ep('emis.settlements', 'EMIs', 'List Settlements', 'GET', '/v1/lms/settlements/', 'page', { ...DOC, ...PROBE, query: ['demand', 'expand', 'loan', 'account', 'record'], fields: SETTLEMENT_FIELDS }),
  ep('emis.restructure', 'EMIs', 'Restructure', 'POST', '/v1/lms/emis/restructure/', 'object'),
  ep('emis.calculate', 'EMIs', 'Calculate EMI', 'POST', '/v1/lms/emis/calculate_emi/', 'object', { ...REAL, body: ['loan_amount', 'roi', 'emi_count', 'emi_rounding', 'start_date', 'first_due_date', 'days_in_year', 'days_in_month', 'interest_type', 'amortization', 'emi_timing'], fields: CALCULATE_EMI_FIELDS }),
  ep('emis.run_eod', 'EMIs', 'Run EOD', 'POST', '/v1/lms/emis/run_eod/', 'object'),
  ep('payouts.add_tranche', 'EMIs', 'Request Tranche', 'POST', '/v1/lms/payouts/add_tranche/', 'object', { ...DOC, ...REAL, body: ['loan_id', 'amount'], fields: PAYOUT_FIELDS }),
  ep('emis.outstanding', 'EMIs', 'Outstanding data', 'GET', '/v1/lms/emis/outstanding/', 'object', { ...PROBE, query: ['account', 'as_of_date'], fields: OUTSTANDING_FIELDS }),

  // ── Records (12) ──────────────────────────────────────────────────────────────────────
  ep('records.request_approval', 'Records', 'Request Approval', 'PUT', '/v1/lms/records/{id}/request_approval/', 'object'),
  ep('records.bulk_nach', 'Records', 'Bulk Nach Request', 'POST', '/v1/lms/records/bulk_nach_request/', 'bulk'),
  ep('records.nach_status', 'Records', 'NACH presentation status', 'PUT', '/v1/lms/records/{id}/nach_status/', 'object'),
  ep('records.excess_refund', 'Records', 'Initiate Excess Payment Refund', 'POST', '/v1/lms/records/excess_refund/', 'object', { ...REAL, body: ['account', 'amount', 'remark'], fields: RECORD_FIELDS }),
  ep('records.adjustment', 'Records', 'Initiate Adjustment for Cashback & Holdback', 'POST', '/v1/lms/records/adjustment/', 'object'),
  ep('records.get', 'Records', 'Get Single Record', 'GET', '/v1/lms/records/{id}/', 'object', { ...REAL, fields: RECORD_FIELDS }),
  ep('records.list', 'Records', 'Record Listing', 'GET', '/v1/lms/records/', 'page', { ...PROBE, query: [...LIST_FILTERS, 'utr', 'type', 'date_from', 'date_to'], fields: RECORD_FIELDS }),
  ep('records.create', 'Records', 'Create Record', 'POST', '/v1/lms/records/', 'object', { ...REAL, body: ['account', 'type', 'amount', 'date', 'payment_mode', 'utr', 'tds_amount', 'bank_date', 'remark', 'settlement_order'], fields: RECORD_FIELDS }),
  ep('records.mark_processed', 'Records', 'Mark Processed', 'PUT', '/v1/lms/records/{id}/mark_processed/', 'object'),
  ep('records.unmatched', 'Records', 'Unmatched', 'GET', '/v1/lms/records/unmatched/', 'page'),
  ep('records.export', 'Records', 'Export record', 'PUT', '/v1/lms/records/export/', 'object'),
  ep('records.bulk_create', 'Records', 'Bulk Create Records', 'POST', '/v1/lms/records/bulk_create/', 'bulk', { ...REAL, body: ['items'], fields: BULK_ITEM_FIELDS }),

  // ── Topups (9) ────────────────────────────────────────────────────────────────────────
  ep('topups.list', 'Topups', 'List Topups', 'GET', '/v1/lms/topups/', 'page', { ...PROBE, query: [...LIST_FILTERS, 'ref_id'], fields: TOPUP_FIELDS }),
  ep('topups.unschedule', 'Topups', 'Unschedule a scheduled topup', 'PUT', '/v1/lms/topups/{id}/unschedule/', 'object'),
  ep('topups.reinitiate_payout', 'Topups', 'Reinitiate Payout', 'POST', '/v1/lms/topups/{id}/reinitiate_payout/', 'object'),
  ep('topups.check_line_amount', 'Topups', 'Check Line Amount', 'PUT', '/v1/lms/topups/check_line_amount/', 'object', { ...REAL, body: ['account', 'amount'], fields: ['account', 'amount', 'available_amount', 'allowed', 'message'] }),
  ep('topups.create', 'Topups', 'Create Topup', 'POST', '/v1/lms/topups/', 'object', { ...REAL, body: ['account', 'amount', 'date', 'tenure_days', 'invoice_no', 'ref_id', 'remark'], fields: TOPUP_FIELDS }),
  ep('topups.update', 'Topups', 'Update Topup', 'PATCH', '/v1/lms/topups/{id}/', 'object'),
  ep('topups.bulk_create', 'Topups', 'Bulk Topup Create', 'POST', '/v1/lms/topups/bulk_create/', 'bulk', { ...REAL, body: ['items'], fields: BULK_ITEM_FIELDS }),
  ep('topups.rerun_checks', 'Topups', 'Re Run Checks', 'GET', '/v1/lms/topups/{id}/rerun_checks/', 'object'),
  ep('topups.invoice_parse', 'Topups', 'Invoice Parse', 'PATCH', '/v1/lms/topups/{id}/invoice_parse/', 'object'),

  // ── Accounts (9) ──────────────────────────────────────────────────────────────────────
  ep('accounts.initiate_disbursement', 'Accounts', 'Initiate Disbursement', 'POST', '/v1/lms/accounts/{id}/initiate_disbursement/', 'object'),
  ep('accounts.initiate_loan_params', 'Accounts', 'Initiate Loan Params', 'POST', '/v1/lms/accounts/initiate_loan_params/', 'object'),
  ep('accounts.create', 'Accounts', 'Create Account', 'POST', '/v1/lms/accounts/', 'object', { ...REAL, body: ['borrower_name', 'type', 'loan_amount', 'line_amount', 'roi', 'emi_count', 'disbursal_date', 'days_in_year', 'days_in_month', 'pf_value', 'pf_value_type', 'pf_gst', 'first_due_date', 'emi_rounding', 'interest_type', 'amortization', 'penal_roi', 'overdue_roi', 'tenure_days', 'roi_value'] }),
  ep('accounts.close', 'Accounts', 'Close Loan Account', 'PUT', '/v1/lms/accounts/{id}/close/', 'object'),
  ep('accounts.refresh_limit', 'Accounts', 'Refresh Limit', 'GET', '/v1/lms/accounts/{id}/refresh_limit/', 'object', { ...REAL, fields: LINE_FIELDS }),
  ep('accounts.loan_params', 'Accounts', 'Get Loan Params', 'GET', '/v1/lms/accounts/{id}/loan_params/', 'object', { ...REAL, fields: ['id', 'type', 'days_in_month', 'days_in_year', 'tenure_period', 'tenure_value', 'roi_period', 'roi_value', 'pf_value_type', 'pf_value', 'pf_gst', 'emi_count'] }),
  ep('accounts.summary', 'Accounts', 'Get Summary', 'GET', '/v1/lms/accounts/{id}/summary/', 'object', { ...DOC, ...REAL, query: ['as_of_date', 'include_closed_loan'], fields: SUMMARY_FIELDS }),
  ep('accounts.reset_rps', 'Accounts', 'Reset RPS', 'POST', '/v1/lms/accounts/{id}/reset_rps/', 'object'),
  ep('accounts.update_loan_params', 'Accounts', 'Update Loan Params', 'PATCH', '/v1/lms/accounts/initiate_loan_params/', 'empty', { ...DOC, ...REAL, body: ['lead_id', 'program_id', 'line_detail', 'loan_data'] }),

  // ── Payouts (7) ───────────────────────────────────────────────────────────────────────
  ep('payouts.retry', 'Payouts', 'Retry Failed Payout', 'PUT', '/v1/lms/payouts/{id}/retry/', 'object'),
  ep('payouts.create', 'Payouts', 'Create Payout', 'POST', '/v1/lms/payouts/', 'object'),
  ep('payouts.callback', 'Payouts', 'Payout Callback', 'POST', '/v1/lms/payouts/callback/', 'object'),
  ep('payouts.process', 'Payouts', 'Process Payout', 'PUT', '/v1/lms/payouts/{id}/process/', 'object'),
  ep('payouts.unmatched', 'Payouts', 'Unmatched Payouts', 'GET', '/v1/lms/payouts/unmatched/', 'page'),
  ep('payouts.list', 'Payouts', 'List Payouts', 'GET', '/v1/lms/payouts/', 'page'),
  ep('payouts.export', 'Payouts', 'Export Payout for Bank', 'PUT', '/v1/lms/payouts/export/', 'object'),

  // ── Loans (7) ─────────────────────────────────────────────────────────────────────────
  ep('loans.export_cashback', 'Loans', 'Export Cashback', 'GET', '/v1/lms/loans/export_cashback/', 'object'),
  ep('loans.emi_amount', 'Loans', 'Get Emi Amount', 'GET', '/v1/lms/loans/{id}/emi_amount/', 'object', { ...REAL, fields: ['loan', 'emi_amount', 'emi_count', 'roi'] }),
  ep('loans.summary', 'Loans', 'Get Loan Summary', 'GET', '/v1/lms/loans/{id}/summary/', 'object', { ...REAL, query: ['as_of_date'], fields: LOAN_SUMMARY_FIELDS }),
  ep('loans.excess_balance', 'Loans', 'List Loans with Excess Balance', 'GET', '/v1/lms/loans/excess_balance/', 'page', { ...PROBE, query: ['account'], fields: [...LOAN_FIELDS, 'excess_amount'] }),
  ep('loans.adjustments', 'Loans', 'Initiate Adjustment', 'POST', '/v1/lms/loans/{id}/adjustments/', 'object', { ...DOC, ...REAL, body: ['amount', 'type'], fields: RECORD_FIELDS }),
  ep('loans.refund', 'Loans', 'Initiate Refund', 'POST', '/v1/lms/loans/{id}/refund/', 'object'),
  ep('loans.list', 'Loans', 'List Loans', 'GET', '/v1/lms/loans/', 'page', { ...PROBE, query: ['account', 'status', 'type', 'asset_category', 'search'], fields: LOAN_FIELDS }),

  // ── Line Details (6) ──────────────────────────────────────────────────────────────────
  ep('line_details.filter', 'Line Details', 'Filter Line Details', 'GET', '/v1/lms/line_details/filter/', 'page'),
  ep('line_details.create', 'Line Details', 'Create', 'POST', '/v1/lms/line_details/', 'object'),
  ep('line_details.update', 'Line Details', 'Update', 'PATCH', '/v1/lms/line_details/{id}/', 'object'),
  ep('line_details.by_type', 'Line Details', 'Get by type', 'GET', '/v1/lms/line_details/by_type/', 'object'),
  ep('line_details.bulk_internal', 'Line Details', 'Bulk Internal', 'POST', '/v1/lms/line_details/bulk_internal/', 'bulk'),
  ep('line_details.retrieve', 'Line Details', 'Retrieve', 'GET', '/v1/lms/line_details/{id}/', 'object'),

  // ── Loan Data (3) ─────────────────────────────────────────────────────────────────────
  ep('loan_data.create', 'Loan Data', 'Create', 'POST', '/v1/lms/loan_data/', 'object'),
  ep('loan_data.update', 'Loan Data', 'Update', 'PATCH', '/v1/lms/loan_data/{id}/', 'object'),
  ep('loan_data.retrieve', 'Loan Data', 'Retrieve', 'GET', '/v1/lms/loan_data/{id}/', 'object'),

  // ── Extra Data (2) ────────────────────────────────────────────────────────────────────
  ep('extra_data.update', 'Extra Data', 'Update Extra Data', 'PATCH', '/v1/lms/extra_data/{id}/', 'object'),
  ep('extra_data.list', 'Extra Data', 'List Extra Data', 'GET', '/v1/lms/extra_data/', 'page'),

  // ── Topup Group (3) ───────────────────────────────────────────────────────────────────
  ep('topup_groups.create', 'Topup Group', 'Create Topup Group', 'POST', '/v1/lms/topup_groups/', 'object'),
  ep('topup_groups.list', 'Topup Group', 'List Topup Group', 'GET', '/v1/lms/topup_groups/', 'page'),
  ep('topup_groups.update', 'Topup Group', 'Update TopupGroup', 'PATCH', '/v1/lms/topup_groups/{id}/', 'object'),

  // ── Payout Batch (1) ──────────────────────────────────────────────────────────────────
  ep('payout_batches.send', 'Payout Batch', 'Send Payout batch', 'POST', '/v1/lms/payout_batches/send/', 'object'),

  // ── Fee (6) ───────────────────────────────────────────────────────────────────────────
  ep('fees.demands', 'Fee', 'Get Fee Demands', 'GET', '/v1/lms/fees/demands/', 'page', { ...PROBE, query: ['account', 'loan', 'status'], fields: FEE_FIELDS }),
  ep('fees.bulk_create', 'Fee', 'Bulk Create Fee', 'POST', '/v1/lms/fees/bulk_create/', 'bulk', { ...REAL, body: ['items'], fields: BULK_ITEM_FIELDS }),
  ep('fees.create', 'Fee', 'Create Fee', 'POST', '/v1/lms/fees/', 'object', { ...REAL, body: ['account', 'type', 'amount', 'date', 'due_date', 'gst_applicable', 'ref_id', 'remark'], fields: FEE_FIELDS }),
  ep('fees.list', 'Fee', 'List Fee', 'GET', '/v1/lms/fees/', 'page', { ...PROBE, query: [...LIST_FILTERS, 'type', 'ref_id'], fields: FEE_FIELDS }),
  ep('fees.get', 'Fee', 'Fee Details', 'GET', '/v1/lms/fees/{id}/', 'object', { ...REAL, fields: FEE_FIELDS }),
  ep('fees.delete', 'Fee', 'Delete Fee', 'DELETE', '/v1/lms/fees/{id}/', 'empty', { ...REAL }),

  // ── Auth (not LMS; the documented Crego Platform login/refresh pair) ───────────────────
  ep('auth.login', 'Auth', 'Get Token', 'POST', '/auth/login/', 'object', { ...DOC, ...REAL, noAuth: true, body: ['username', 'password', 'type'], fields: ['access', 'refresh', 'expires_in', 'token_type', 'user'] }),
  ep('auth.refresh', 'Auth', 'Refresh Token', 'POST', '/auth/tokens/refresh/', 'object', { ...DOC, ...REAL, noAuth: true, body: ['refresh'], fields: ['access', 'refresh', 'expires_in', 'token_type', 'user'] }),
  ep('auth.ping', 'Auth', 'Ping', 'GET', '/auth/ping/', 'object', { ...PROBE, fields: ['status', 'user'] }),
] as const satisfies readonly EndpointDef[];

/** The key of every endpoint in the map, as a union of literals (`'accounts.summary' | 'records.list' | …`). */
export type EndpointKey = (typeof ENDPOINTS)[number]['key'];
/** The map's entry for one key. */
export type EndpointOf<K extends EndpointKey> = Extract<(typeof ENDPOINTS)[number], { key: K }>;
/** Keys of the endpoints that answer with pages (what `pages` and `listAll` accept). */
export type PagedKey = Extract<(typeof ENDPOINTS)[number], { answer: 'page' }>['key'];
/** Keys of the Bulk Create endpoints (`{items}` in, one result per item out). */
export type BulkKey = Extract<(typeof ENDPOINTS)[number], { answer: 'bulk' }>['key'];

const BY_KEY: ReadonlyMap<string, EndpointDef> = new Map(ENDPOINTS.map((e) => [e.key, e]));

/** Look an endpoint up by key; throws on a typo so mistakes fail loudly in tests. */
export function endpoint(key: string, map: ReadonlyMap<string, EndpointDef> = BY_KEY): EndpointDef {
  const def = map.get(key);
  if (!def) throw new Error(`Unknown Crego endpoint '${key}'`);
  return def;
}

/** Names of `{param}` placeholders in a path template, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
}

/** Fill a path template; every value is URI-encoded so an id can never change the path. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === null || String(v) === '') throw new Error(`Missing path parameter '${name}'`);
    return encodeURIComponent(String(v));
  });
}

/** The LMS endpoints only (the 72 of Crego's docs). */
export const LMS_ENDPOINTS = ENDPOINTS.filter((e) => e.group !== 'Auth');
