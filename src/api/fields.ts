/**
 * How an answer field reads, and Get Summary's fields as the one list both sides are made from: the
 * endpoint map takes their names (what the conformance probe and the sandbox check), the functions'
 * catalogue takes them whole (what `CREGO.FIELDS()` prints, what SUMMARY's `field` accepts, how each
 * cell is formatted). Plain data, like endpoints.ts.
 */

/**
 * `money`: rupees rounded to paise. `date`: a business date → whole Excel serial (IST day).
 * `datetime`: an instant → Excel serial with the IST time of day. `slabs`: a rate list
 * `[{days, value}]` → the rate when there is one, else readable text. `number`/`text`/`bool`: as sent.
 */
export type FieldKind = 'money' | 'date' | 'datetime' | 'number' | 'text' | 'bool' | 'slabs';

export interface FieldSpec {
  /** As the API spells it: also the header of a spilled table and what a `field` argument takes. */
  name: string;
  kind: FieldKind;
  /** One line saying what it means. */
  description: string;
}

/** One field of a catalogue: its name kept as a literal, so a list of them yields a union of names. */
export const fieldSpec = <const N extends string>(name: N, kind: FieldKind, description: string) => ({ name, kind, description }) as const;
const f = fieldSpec;

/** The 23 documented Get Summary fields, in the order of Crego's example. */
export const SUMMARY_FIELD_SPECS = [
  f('principal_paid', 'money', 'Principal repaid so far'),
  f('principal_outstanding', 'money', 'Principal still owed'),
  f('interest_paid', 'money', 'Interest repaid so far'),
  f('interest_outstanding', 'money', 'Interest billed and not yet paid'),
  f('interest_due', 'money', 'Interest due as of the date'),
  f('overdue_paid', 'money', 'Overdue amounts that were paid'),
  f('overdue_outstanding', 'money', 'Amount past its due date and unpaid'),
  f('penal_paid', 'money', 'Penal interest paid'),
  f('penal_outstanding', 'money', 'Penal interest unpaid'),
  f('total_fees', 'money', 'All fees and charges levied (with GST)'),
  f('fee_paid', 'money', 'Fees paid'),
  f('fee_outstanding', 'money', 'Fees unpaid'),
  f('total_paid', 'money', 'Everything repaid (principal, interest, penal, fees)'),
  f('total_outstanding', 'money', 'Everything still owed'),
  f('disbursal_amount', 'money', 'Amount paid out to the borrower'),
  f('loan_amount', 'money', 'Sanctioned loan amount'),
  f('payout_amount', 'money', 'Amount of payouts made'),
  f('broken_period_interest', 'money', 'Interest for the broken period before the first EMI cycle'),
  f('excess_payment', 'money', 'Paid beyond what was owed (refundable)'),
  f('dpd', 'number', 'Days past due today'),
  f('asset_category_date', 'date', 'Date the asset category last changed'),
  f('peak_dpd', 'number', 'Highest days past due ever reached'),
  f('asset_category', 'text', 'Regular, SMA-0, SMA-1, SMA-2 or NPA'),
] as const satisfies readonly FieldSpec[];

type Names<T extends readonly { name: string }[]> = { readonly [I in keyof T]: T[I]['name'] };

/** Their names, in the same order (a tuple of literals, so `SummaryField` is their union). */
export const SUMMARY_FIELDS = SUMMARY_FIELD_SPECS.map((s) => s.name) as unknown as Names<typeof SUMMARY_FIELD_SPECS>;
