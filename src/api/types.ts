/**
 * Typed requests and answers for the endpoints the add-in uses, and the enum catalogues the
 * sandbox, the client, bulk sheets and custom functions share. Documented shapes follow
 * ../shared/crego-api/ to the letter; the rest are the choices in docs/api-assumptions.md.
 *
 * Dates on the wire are unix epoch seconds (JSON numbers, may carry a fraction). A business
 * date is end of day in Asia/Kolkata (x.999999), as in Crego's one example. See dates.ts.
 */
import type { EndpointKey, EndpointOf, SUMMARY_FIELDS } from './endpoints';

export type EpochSeconds = number;
export type Uuid = string;

/** The documented {count, current_page, page_size, results} list envelope. */
export interface Page<T> {
  count: number;
  current_page: number;
  page_size: number;
  results: T[];
}

export type SummaryField = (typeof SUMMARY_FIELDS)[number];

/** Get Summary answer: 23 documented fields. Amounts are numbers (may carry float noise). */
export interface AccountSummary {
  principal_paid: number;
  principal_outstanding: number;
  interest_paid: number;
  interest_outstanding: number;
  interest_due: number;
  overdue_paid: number;
  overdue_outstanding: number;
  penal_paid: number;
  penal_outstanding: number;
  total_fees: number;
  fee_paid: number;
  fee_outstanding: number;
  total_paid: number;
  total_outstanding: number;
  disbursal_amount: number;
  loan_amount: number;
  payout_amount: number;
  broken_period_interest: number;
  excess_payment: number;
  dpd: number;
  asset_category_date: EpochSeconds | null;
  peak_dpd: number;
  asset_category: AssetCategory;
}

export interface SummaryQuery {
  as_of_date?: EpochSeconds;
  include_closed_loan?: boolean;
}

export const ASSET_CATEGORIES = ['Regular', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'] as const;
export type AssetCategory = (typeof ASSET_CATEGORIES)[number];

/** Record (repayment / receipt). Shape from the documented Initiate Adjustment answer. */
export const RECORD_TYPES = ['repayment', 'receipt'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const PAYMENT_MODES = ['neft', 'rtgs', 'imps', 'upi', 'nach', 'cheque', 'cash'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];
export const RECORD_STATUSES = ['processed', 'pending', 'reverted'] as const;

export interface CreateRecordRequest {
  account: Uuid;
  type: RecordType;
  amount: number;
  /** Business date the money was received (epoch seconds, end of day IST). */
  date: EpochSeconds;
  payment_mode: PaymentMode;
  /** Bank reference (UTR). Unique per account: a second record with the same UTR is refused as a duplicate. */
  utr: string;
  tds_amount?: number;
  bank_date?: EpochSeconds | null;
  remark?: string;
}

export interface LoanRecord {
  id: Uuid;
  created_at: EpochSeconds;
  updated_at: EpochSeconds;
  type: RecordType | 'cashback' | 'holdback';
  ref_id: string;
  index: number;
  received_amount: number;
  tds_amount: number;
  amount: number;
  remaining_amount: number;
  payment_mode: PaymentMode | null;
  utr: string | null;
  settlement_order: string;
  component_order: string;
  date: EpochSeconds;
  settled_at: EpochSeconds | null;
  bank_date: EpochSeconds | null;
  remark: string | null;
  status: string;
  account: Uuid;
  loan: Uuid | null;
}

export const FEE_TYPES = [
  'processing_fee', 'late_fee', 'bounce_charge', 'documentation_fee', 'foreclosure_charge', 'other',
] as const;
export type FeeType = (typeof FEE_TYPES)[number];

export interface CreateFeeRequest {
  account: Uuid;
  type: FeeType;
  /** Fee before GST. */
  amount: number;
  date: EpochSeconds;
  due_date?: EpochSeconds;
  /** Adds 18% GST on top of `amount` when true (default true). */
  gst_applicable?: boolean;
  /** Caller's reference, unique per account: a repeat is refused as a duplicate. */
  ref_id: string;
  remark?: string;
}

export interface Fee {
  id: Uuid;
  created_at: EpochSeconds;
  updated_at: EpochSeconds;
  account: Uuid;
  loan: Uuid | null;
  type: FeeType;
  amount: number;
  gst_amount: number;
  total_amount: number;
  paid_amount: number;
  outstanding_amount: number;
  date: EpochSeconds;
  due_date: EpochSeconds;
  ref_id: string;
  remark: string | null;
  status: 'due' | 'paid' | 'waived';
}

export interface CreateTopupRequest {
  /** A credit-line account. */
  account: Uuid;
  amount: number;
  date: EpochSeconds;
  tenure_days: number;
  invoice_no?: string;
  /** Caller's reference, unique per account: a repeat is refused as a duplicate. */
  ref_id: string;
  remark?: string;
}

export interface Topup {
  id: Uuid;
  created_at: EpochSeconds;
  updated_at: EpochSeconds;
  account: Uuid;
  loan: Uuid;
  amount: number;
  date: EpochSeconds;
  tenure_days: number;
  due_date: EpochSeconds;
  invoice_no: string | null;
  ref_id: string;
  remark: string | null;
  status: 'disbursed' | 'closed' | 'scheduled';
  principal_outstanding: number;
}

/** Bulk endpoints: request `{items:[…]}`; answer one result per item, in order. */
export interface BulkRequest<T> {
  items: T[];
}
export type BulkItemStatus = 'created' | 'failed' | 'duplicate';
export interface BulkItemResult {
  /** Position of the item in the request (0-based). */
  index: number;
  status: BulkItemStatus;
  /** The created object's id; for `duplicate`, the id of the object that already exists. */
  id: Uuid | null;
  /** Per-field messages (`non_field_errors` for the item as a whole). */
  errors: Record<string, string[]> | null;
  /**
   * Our choice (docs/api-assumptions.md): the created (or, for `duplicate`, the existing) object's own
   * `status`, e.g. a payment's `requested` / `processed` / `rejected` on Crego's newer platform.
   */
  object_status?: string | null;
  /** `duplicate` only: the account that holds the existing object, when it is another one (a tenant-wide UTR). */
  existing_account?: string | null;
}
export interface BulkAnswer {
  count: number;
  created: number;
  failed: number;
  duplicates: number;
  results: BulkItemResult[];
}
/** Largest bulk request the API takes (413 above). */
export const BULK_MAX_ITEMS = 1000;

export const LOAN_TYPES = ['term_loan', 'credit_line'] as const;
export type LoanType = (typeof LOAN_TYPES)[number];

export interface Loan {
  id: Uuid;
  created_at: EpochSeconds;
  updated_at: EpochSeconds;
  account: Uuid;
  type: LoanType;
  status: 'active' | 'closed';
  loan_amount: number;
  disbursal_amount: number;
  roi_value: number;
  emi_count: number;
  emi_amount: number;
  disbursal_date: EpochSeconds;
  first_due_date: EpochSeconds | null;
  maturity_date: EpochSeconds | null;
  closed_at: EpochSeconds | null;
  borrower_name: string;
  asset_category?: AssetCategory;
}

export interface EmiRow {
  id: Uuid;
  loan: Uuid;
  account: Uuid;
  index: number;
  due_date: EpochSeconds;
  emi_amount: number;
  principal: number;
  interest: number;
  opening_balance: number;
  closing_balance: number;
  paid_amount: number;
  outstanding_amount: number;
  status: 'paid' | 'partially_paid' | 'due' | 'upcoming';
  dpd: number;
}

export interface CalculateEmiRequest {
  loan_amount: number;
  /** Annual rate, percent. */
  roi: number;
  emi_count: number;
  /** `rupee` (default: nearest rupee, last instalment takes the residue) or `paise`. */
  emi_rounding?: 'rupee' | 'paise';
  start_date?: EpochSeconds;
  first_due_date?: EpochSeconds;
  days_in_year?: 360 | 365;
  days_in_month?: 30 | 'actual';
  /** `arrears` (default: paid at the end of each month, as Indian EMIs are) or `advance` (Excel PMT type 1). */
  emi_timing?: 'arrears' | 'advance';
}

export interface ScheduleRow {
  index: number;
  due_date: EpochSeconds | null;
  emi_amount: number;
  principal: number;
  interest: number;
  closing_balance: number;
}

export interface CalculateEmiAnswer {
  loan_amount: number;
  roi: number;
  emi_count: number;
  emi_amount: number;
  total_interest: number;
  total_amount: number;
  schedule: ScheduleRow[];
}

export interface OutstandingData {
  account: Uuid;
  as_of_date: EpochSeconds;
  principal_outstanding: number;
  interest_outstanding: number;
  overdue_outstanding: number;
  penal_outstanding: number;
  fee_outstanding: number;
  total_outstanding: number;
  principal_due: number;
  interest_due: number;
  total_due: number;
  dpd: number;
  next_due_date: EpochSeconds | null;
  next_due_amount: number | null;
}

export interface LineDetails {
  account: Uuid;
  line_amount: number;
  utilised_amount: number;
  available_amount: number;
  as_of_date: EpochSeconds;
}

export interface TokenAnswer {
  access: string;
  refresh: string;
  expires_in: number;
  token_type: 'Bearer';
  user: { id: string; username: string; email: string; first_name: string; last_name: string; type: string };
}

/**
 * The one error body every non-2xx answer carries (Crego documents none; DRF style chosen):
 * `detail` is safe to show a person, `errors` maps a field to its messages.
 * The request id is also sent as the `X-Request-Id` header.
 */
export interface ErrorBody {
  detail: string;
  code: string;
  errors?: Record<string, string[]>;
  request_id?: string;
}

/** Auth Ping's answer (undocumented: what the pane reads to greet the signed-in user). */
export interface PingAnswer {
  status?: string;
  user?: { username?: string; first_name?: string; last_name?: string } | string;
}

/**
 * The answer type of each endpoint the add-in reads, by key (octokit's generated response types, by
 * hand). Endpoints not listed are typed by their answer shape in the map (`AnswerByShape`).
 */
export interface KnownAnswers {
  'accounts.summary': AccountSummary;
  'records.list': Page<LoanRecord>;
  'records.get': LoanRecord;
  'records.create': LoanRecord;
  'records.bulk_create': BulkAnswer;
  'fees.list': Page<Fee>;
  'fees.demands': Page<Fee>;
  'fees.get': Fee;
  'fees.create': Fee;
  'fees.bulk_create': BulkAnswer;
  'topups.list': Page<Topup>;
  'topups.create': Topup;
  'topups.bulk_create': BulkAnswer;
  'loans.list': Page<Loan>;
  'emis.list': Page<EmiRow>;
  'emis.calculate': CalculateEmiAnswer;
  'emis.outstanding': OutstandingData;
  'accounts.refresh_limit': LineDetails;
  'auth.login': TokenAnswer;
  'auth.refresh': TokenAnswer;
  'auth.ping': PingAnswer;
}

/** What an endpoint without a typed answer returns, from its shape in the map. */
export type AnswerByShape<S> = S extends 'page' ? Page<Record<string, unknown>> : S extends 'bulk' ? BulkAnswer : S extends 'empty' ? null : Record<string, unknown>;

/** The parsed answer of `client.call(key)`. */
export type Answer<K extends EndpointKey> = K extends keyof KnownAnswers ? KnownAnswers[K] : AnswerByShape<EndpointOf<K>['answer']>;

/** One result of a paged endpoint (what `pages` yields and `listAll` collects). */
export type PageItem<K extends EndpointKey> = Answer<K> extends Page<infer T> ? T : never;

/** Every key of KnownAnswers is a key of the map: a renamed endpoint fails here, at compile time. */
export const KNOWN_ANSWERS_ARE_ENDPOINTS: Exclude<keyof KnownAnswers, EndpointKey> extends never ? true : never = true;
