/**
 * What every CREGO function can return, field by field: the name (as the API spells it, which is
 * also the header of a spilled table and what a `field` argument takes), how the value is shown in
 * a cell, and one line saying what it means. `CREGO.FIELDS()` prints this table, and cell
 * formatting reads the `kind` from it, so a field can never be documented one way and shown another.
 */
import { fieldSpec as f, SUMMARY_FIELD_SPECS, type FieldKind, type FieldSpec } from '../api/fields';
import { epochToExcelDateTime, epochToExcelSerial, from1900Serial, type DateSystem } from '../api/dates';
import { dateCell, type FormattedDate } from './dateCells';
import { roundMoney } from '../api/money';

export type { FieldKind, FieldSpec } from '../api/fields';

// SUMMARY's fields are Get Summary's, made in one place with the endpoint map's (api/fields.ts).
const SUMMARY: readonly FieldSpec[] = SUMMARY_FIELD_SPECS;

const OUTSTANDING: FieldSpec[] = [
  f('account', 'text', 'Account id'),
  f('as_of_date', 'date', 'Date the amounts are computed for'),
  f('principal_outstanding', 'money', 'Principal still owed'),
  f('interest_outstanding', 'money', 'Interest billed and unpaid'),
  f('overdue_outstanding', 'money', 'Amount past its due date and unpaid'),
  f('penal_outstanding', 'money', 'Penal interest unpaid'),
  f('fee_outstanding', 'money', 'Fees unpaid'),
  f('total_outstanding', 'money', 'Everything still owed'),
  f('principal_due', 'money', 'Principal due by the date'),
  f('interest_due', 'money', 'Interest due by the date'),
  f('total_due', 'money', 'Everything due by the date'),
  f('dpd', 'number', 'Days past due'),
  f('next_due_date', 'date', 'Next instalment date (blank when none)'),
  f('next_due_amount', 'money', 'Next instalment amount (blank when none)'),
];

// Get Loan Params answers the wide loan-data object (partly documented); these are the fields a
// spreadsheet asks for. LOANPARAMS(account, field) also takes any other name the answer carries.
const LOANPARAMS: FieldSpec[] = [
  f('type', 'text', 'Loan data type (e.g. loan)'),
  f('tenure_period', 'text', 'Unit of the tenure: days or months'),
  f('tenure_value', 'number', 'Tenure in tenure_period units'),
  f('tenure_period_type', 'text', 'How the tenure is counted (as_per_emi, as_per_days)'),
  f('roi_period', 'text', 'Period the rate is quoted for (e.g. years)'),
  f('roi_slab_based', 'bool', 'Whether the rate changes with the days outstanding'),
  f('roi_value', 'slabs', 'Rate of interest, percent (one rate, or its slabs as text)'),
  f('overdue_roi_value', 'slabs', 'Rate on overdue amounts, percent'),
  f('penal_roi_value', 'slabs', 'Penal rate, percent'),
  f('penal_accrual_frequency', 'text', 'How often penal interest accrues'),
  f('interest_type', 'text', 'reducing or flat'),
  f('amortization', 'text', 'Repayment pattern (e.g. equal_installment)'),
  f('days_in_month', 'number', 'Day count: days in a month (30)'),
  f('days_in_year', 'number', 'Day count: 360 or 365'),
  f('emi_count', 'number', 'Number of instalments (0 for a credit line)'),
  f('emi_rounding', 'text', 'EMI rounded to the rupee or to paise'),
  f('pf_is_enabled', 'bool', 'Whether a processing fee is charged'),
  f('pf_value_type', 'text', 'Processing fee as a fixed amount or a percentage'),
  f('pf_value', 'number', 'Processing fee (rupees or percent, see pf_value_type)'),
  f('pf_gst', 'number', 'GST on the processing fee, percent'),
  f('line_amount', 'money', 'Credit limit (credit lines)'),
];

const LINE: FieldSpec[] = [
  f('account', 'text', 'Account id'),
  f('line_amount', 'money', 'Sanctioned credit limit'),
  f('utilised_amount', 'money', 'Limit in use (principal of open drawdowns)'),
  f('available_amount', 'money', 'Limit left to draw'),
  f('as_of_date', 'date', 'Date the figures are for'),
];

const SCHEDULE: FieldSpec[] = [
  f('index', 'number', 'Instalment number'),
  f('due_date', 'date', 'Due date'),
  f('emi_amount', 'money', 'Instalment amount'),
  f('principal', 'money', 'Principal part of the instalment'),
  f('interest', 'money', 'Interest part of the instalment'),
  f('closing_balance', 'money', 'Principal left after the instalment'),
];

const EMIS: FieldSpec[] = [
  f('index', 'number', 'Instalment number'),
  f('due_date', 'date', 'Due date'),
  f('emi_amount', 'money', 'Instalment amount'),
  f('principal', 'money', 'Principal part'),
  f('interest', 'money', 'Interest part'),
  f('opening_balance', 'money', 'Principal before the instalment'),
  f('closing_balance', 'money', 'Principal after the instalment'),
  f('paid_amount', 'money', 'Paid against this instalment'),
  f('outstanding_amount', 'money', 'Still owed on this instalment'),
  f('status', 'text', 'paid, partially_paid, due or upcoming'),
  f('dpd', 'number', 'Days past due of this instalment'),
];

const LOANS: FieldSpec[] = [
  f('account', 'text', 'Account id (use it in the other functions)'),
  f('borrower_name', 'text', 'Borrower'),
  f('type', 'text', 'term_loan or credit_line'),
  f('status', 'text', 'active or closed'),
  f('asset_category', 'text', 'Regular, SMA-0, SMA-1, SMA-2 or NPA'),
  f('loan_amount', 'money', 'Sanctioned amount'),
  f('disbursal_amount', 'money', 'Amount paid out'),
  f('roi_value', 'number', 'Rate of interest, percent a year'),
  f('emi_count', 'number', 'Number of instalments'),
  f('emi_amount', 'money', 'Instalment amount'),
  f('disbursal_date', 'date', 'Disbursal date'),
  f('first_due_date', 'date', 'First instalment date'),
  f('maturity_date', 'date', 'Last instalment date'),
  f('closed_at', 'datetime', 'When the loan was closed (blank while open)'),
  f('id', 'text', 'Loan id'),
];

const RECORDS: FieldSpec[] = [
  f('date', 'date', 'Date the money was received'),
  f('type', 'text', 'repayment, receipt, cashback or holdback'),
  f('amount', 'money', 'Amount applied to the loan'),
  f('received_amount', 'money', 'Amount received'),
  f('tds_amount', 'money', 'Tax deducted at source'),
  f('remaining_amount', 'money', 'Not yet settled against dues'),
  f('payment_mode', 'text', 'neft, rtgs, imps, upi, nach, cheque or cash'),
  f('utr', 'text', 'Bank reference (UTR)'),
  f('ref_id', 'text', 'Crego reference'),
  f('status', 'text', 'processed, pending or reverted'),
  f('settled_at', 'datetime', 'When it was settled'),
  f('bank_date', 'date', 'Bank value date'),
  f('remark', 'text', 'Remark'),
  f('id', 'text', 'Record id'),
];

const FEES: FieldSpec[] = [
  f('date', 'date', 'Date levied'),
  f('type', 'text', 'processing_fee, late_fee, bounce_charge, documentation_fee, foreclosure_charge or other'),
  f('amount', 'money', 'Fee before GST'),
  f('gst_amount', 'money', 'GST on the fee'),
  f('total_amount', 'money', 'Fee with GST'),
  f('paid_amount', 'money', 'Paid'),
  f('outstanding_amount', 'money', 'Unpaid'),
  f('due_date', 'date', 'Due date'),
  f('status', 'text', 'due, paid or waived'),
  f('ref_id', 'text', 'Your reference'),
  f('remark', 'text', 'Remark'),
  f('id', 'text', 'Fee id'),
];

const SETTLEMENTS: FieldSpec[] = [
  f('date', 'date', 'Settlement date'),
  f('amount', 'money', 'Amount settled'),
  f('due_amount', 'money', 'Amount that was due'),
  f('outstanding_amount', 'money', 'Still owed on the demand after this settlement'),
  f('remaining_amount', 'money', 'Left of the payment after this settlement'),
  f('dpd', 'number', 'Days past due at settlement'),
  f('peak_dpd', 'number', 'Highest days past due of the demand'),
  f('demand', 'text', 'Demand (instalment or fee) id'),
  f('record', 'text', 'Payment record id'),
  f('id', 'text', 'Settlement id'),
];

const TOPUPS: FieldSpec[] = [
  f('date', 'date', 'Drawdown date'),
  f('amount', 'money', 'Amount drawn'),
  f('tenure_days', 'number', 'Tenure in days'),
  f('due_date', 'date', 'Repayment due date'),
  f('invoice_no', 'text', 'Invoice number'),
  f('ref_id', 'text', 'Your reference'),
  f('status', 'text', 'disbursed, closed or scheduled'),
  f('principal_outstanding', 'money', 'Principal of this drawdown still owed'),
  f('remark', 'text', 'Remark'),
  f('id', 'text', 'Topup id'),
];

/** Field catalogue per function name (the ones that take or return named fields). */
export const CATALOG: Readonly<Record<string, readonly FieldSpec[]>> = {
  SUMMARY,
  OUTSTANDING,
  LOANPARAMS,
  LINE,
  SCHEDULE,
  EMIS,
  LOANS,
  RECORDS,
  FEES,
  SETTLEMENTS,
  TOPUPS,
};

/** `Total Outstanding`, ` total-outstanding ` and `TOTAL_OUTSTANDING` all mean `total_outstanding`. */
export function normalizeFieldName(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Names as typed → their field, per catalogue: a wave looks up the same few names thousands of times. */
const typedNames = new Map<string, Map<string, FieldSpec | undefined>>();

export function findField(what: string, name: string): FieldSpec | undefined {
  let known = typedNames.get(what);
  if (known === undefined) typedNames.set(what, (known = new Map()));
  if (known.has(name)) return known.get(name);
  const wanted = normalizeFieldName(name);
  const spec = CATALOG[what]?.find((s) => s.name === wanted);
  // Bounded: a sheet of typos must not grow this without end.
  if (known.size < 1000) known.set(name, spec);
  return spec;
}

/**
 * A cell value: number, text, boolean, or '' for a missing value (Excel shows 0 for null in a spill);
 * a date is a serial, formatted as a date where Excel takes data types (dateCells.ts).
 */
export type Cell = number | string | boolean | FormattedDate;

/** One API value → what the cell shows, by the field's kind; dates as serials of the workbook's date system. */
export function toCell(kind: FieldKind, value: unknown, dates: DateSystem): Cell {
  if (value === null || value === undefined || value === '') return '';
  switch (kind) {
    case 'money':
      return typeof value === 'number' ? roundMoney(value) : Number.isFinite(Number(value)) ? roundMoney(Number(value)) : String(value);
    case 'date':
      return typeof value === 'number' ? dateCell(from1900Serial(epochToExcelSerial(value), dates), false) : String(value);
    case 'datetime':
      return typeof value === 'number' ? dateCell(from1900Serial(epochToExcelDateTime(value), dates), true) : String(value);
    case 'number':
      return typeof value === 'number' ? value : Number.isFinite(Number(value)) ? Number(value) : String(value);
    case 'bool':
      return typeof value === 'boolean' ? value : String(value);
    case 'slabs':
      return slabsCell(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** `[{days: 15, value: 18}, {days: -1, value: 36}]` → `18% to day 15; 36% after`; one slab → 36. */
function slabsCell(value: unknown): Cell {
  if (typeof value === 'number') return value;
  if (!Array.isArray(value)) return toCell('text', value, 1900);
  const slabs = value.filter((s): s is { days: unknown; value: unknown } => typeof s === 'object' && s !== null);
  if (slabs.length === 1 && typeof slabs[0]!.value === 'number') return slabs[0]!.value;
  return slabs
    .map((s) => {
      const days = Number(s.days);
      return Number.isFinite(days) && days >= 0 ? `${String(s.value)}% to day ${days}` : `${String(s.value)}% after`;
    })
    .join('; ');
}

/** Objects → a table: header row of field names, one row per object. */
export function toTable(specs: readonly FieldSpec[], rows: readonly Record<string, unknown>[], dates: DateSystem): Cell[][] {
  return [specs.map((s) => s.name), ...rows.map((row) => specs.map((s) => toCell(s.kind, row[s.name], dates)))];
}

/** One object → a two-column field/value table (no header: the first column names each row). */
export function toFieldValueTable(specs: readonly FieldSpec[], obj: Record<string, unknown>, dates: DateSystem): Cell[][] {
  return specs.map((s) => [s.name, toCell(s.kind, obj[s.name], dates)]);
}
