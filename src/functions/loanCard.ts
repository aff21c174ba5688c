/**
 * CREGO.LOAN's card: one account as an Excel entity value (`Excel.EntityCellValue`, ExcelApi 1.16
 * shape), free of Office. Its properties are the 23 Get Summary fields plus the loan's terms from
 * List Loans, named as the API names them, so `=A2.dpd` and `=A2.principal_outstanding` work.
 * Money shows in ₹ with Indian grouping, dates as dates, DPD as a whole number.
 */
import { epochToExcelSerial, from1900Serial, type DateSystem } from '../api/dates';
import { roundMoney } from '../api/money';
import { DATE_FORMAT, INR_FORMAT, INTEGER_FORMAT } from '../excel/format';
import { CATALOG, type FieldKind } from './catalog';

/** A property of the card (the subset of Excel.CellValue it uses). */
export type CardValue =
  | { type: 'String'; basicValue: string }
  | { type: 'FormattedNumber'; basicValue: number; numberFormat: string }
  | { type: 'Double'; basicValue: number }
  | { type: 'Boolean'; basicValue: boolean };

export interface CardSection {
  layout: 'List';
  title: string;
  properties: string[];
}

/** `Excel.EntityCellValue` as CREGO.LOAN returns it. */
export interface LoanEntity {
  type: 'Entity';
  text: string;
  properties: Record<string, CardValue>;
  layouts: { card: { title: { property: string }; sections: CardSection[] } };
}

const RATE_FORMAT = '0.00"%"';

/** The loan's terms (List Loans fields) beside the Summary's, with how each is shown. */
const TERMS: readonly [name: string, kind: FieldKind | 'rate' | 'count'][] = [
  ['account', 'text'],
  ['borrower_name', 'text'],
  ['type', 'text'],
  ['status', 'text'],
  ['roi_value', 'rate'],
  ['emi_count', 'count'],
  ['emi_amount', 'money'],
  ['disbursal_date', 'date'],
  ['first_due_date', 'date'],
  ['maturity_date', 'date'],
];

/** The card's sections; every property sits in exactly one (test/functions checks it). */
export const CARD_SECTIONS: readonly CardSection[] = [
  {
    layout: 'List',
    title: 'Dues',
    properties: ['total_outstanding', 'principal_outstanding', 'interest_outstanding', 'interest_due', 'overdue_outstanding', 'penal_outstanding', 'fee_outstanding', 'total_fees', 'excess_payment'],
  },
  { layout: 'List', title: 'Paid', properties: ['total_paid', 'principal_paid', 'interest_paid', 'overdue_paid', 'penal_paid', 'fee_paid'] },
  { layout: 'List', title: 'Risk', properties: ['dpd', 'peak_dpd', 'asset_category', 'asset_category_date'] },
  {
    layout: 'List',
    title: 'Terms',
    properties: ['account', 'borrower_name', 'type', 'status', 'loan_amount', 'disbursal_amount', 'payout_amount', 'broken_period_interest', 'roi_value', 'emi_count', 'emi_amount', 'disbursal_date', 'first_due_date', 'maturity_date'],
  },
];

const DPD_FIELDS = new Set(['dpd', 'peak_dpd']);

function cardValue(kind: FieldKind | 'rate' | 'count', value: unknown, dates: DateSystem): CardValue {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  switch (kind) {
    case 'money':
      if (Number.isFinite(n)) return { type: 'FormattedNumber', basicValue: roundMoney(n), numberFormat: INR_FORMAT };
      break;
    case 'date':
      if (typeof value === 'number') return { type: 'FormattedNumber', basicValue: from1900Serial(epochToExcelSerial(value), dates), numberFormat: DATE_FORMAT };
      break;
    case 'count':
      if (Number.isFinite(n)) return { type: 'FormattedNumber', basicValue: Math.round(n), numberFormat: INTEGER_FORMAT };
      break;
    case 'rate':
      if (Number.isFinite(n)) return { type: 'FormattedNumber', basicValue: n, numberFormat: RATE_FORMAT };
      break;
    case 'number':
      if (Number.isFinite(n)) return { type: 'Double', basicValue: n };
      break;
    case 'bool':
      if (typeof value === 'boolean') return { type: 'Boolean', basicValue: value };
      break;
  }
  return { type: 'String', basicValue: value === null || value === undefined ? '' : String(value) };
}

/** The card of one account: its Summary (as of the date asked) and its loan from List Loans (absent: terms blank). */
export function loanEntity(account: string, summary: Record<string, unknown>, loan: Record<string, unknown> | undefined, dates: DateSystem): LoanEntity {
  const properties: Record<string, CardValue> = {};
  for (const spec of CATALOG.SUMMARY!) {
    properties[spec.name] = cardValue(DPD_FIELDS.has(spec.name) ? 'count' : spec.kind, summary[spec.name], dates);
  }
  for (const [name, kind] of TERMS) properties[name] = cardValue(kind, name === 'account' ? account : loan?.[name], dates);
  const borrower = typeof loan?.borrower_name === 'string' ? loan.borrower_name.trim() : '';
  return {
    type: 'Entity',
    text: borrower || account,
    properties,
    layouts: { card: { title: { property: borrower ? 'borrower_name' : 'account' }, sections: CARD_SECTIONS.map((s) => ({ ...s, properties: [...s.properties] })) } },
  };
}

/** The card's properties as name/value rows, in section order (what `crego fn LOAN` prints). */
export function entityRows(entity: LoanEntity): (string | number | boolean)[][] {
  return entity.layouts.card.sections.flatMap((s) => s.properties.map((name) => [name, entity.properties[name]!.basicValue]));
}
