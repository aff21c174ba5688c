import { PAYMENT_MODES, RECORD_TYPES } from '../../api/types';
import { ACCOUNT_COLUMN, REMARK_COLUMN } from './shared';
import type { SheetKind } from './types';

/**
 * Repayments and receipts. Field names follow the record-like object of Crego's documented
 * Initiate Adjustment answer (`amount`, `date`, `payment_mode`, `utr`, `tds_amount`, `bank_date`,
 * `remark`); the UTR is the row's key because the API refuses a second record with the same UTR
 * on an account (docs/api-assumptions.md, "Exactly once").
 */
export const RECORDS: SheetKind = {
  name: 'records',
  noun: 'record',
  sheetName: 'Records',
  keyField: 'utr',
  keyGenerated: false,
  bulkEndpoint: 'records.bulk_create',
  listEndpoint: 'records.list',
  createEndpoint: 'records.create',
  columns: [
    ACCOUNT_COLUMN,
    { header: 'Type', field: 'type', type: 'enum', required: true, allowed: RECORD_TYPES, hint: 'repayment or receipt', example: 'repayment' },
    { header: 'Amount', field: 'amount', type: 'amount', required: true, hint: 'Rupees received, at most 2 decimals (e.g. 26586.26)', example: 26586.26 },
    { header: 'Date', field: 'date', type: 'date', required: true, notInFuture: true, hint: 'Date the money was received: a date cell or YYYY-MM-DD, not in the future', example: '2024-01-05' },
    { header: 'Payment mode', field: 'payment_mode', type: 'enum', required: true, allowed: PAYMENT_MODES, hint: PAYMENT_MODES.join(', '), example: 'neft' },
    { header: 'UTR', field: 'utr', type: 'key', required: true, maxLength: 35, hint: 'Bank reference: NEFT 16 or 22, RTGS 22 characters, IMPS/UPI 12 digits, cheque 6 digits, cash the receipt number. Unique per account.', example: 'HDFCN52024010512' },
    { header: 'TDS amount', field: 'tds_amount', type: 'amount', required: false, allowZero: true, hint: 'Tax deducted at source, rupees (optional)', example: 0 },
    { header: 'Bank date', field: 'bank_date', type: 'date', required: false, notInFuture: true, hint: 'Date on the bank statement (optional), not in the future', example: '2024-01-05' },
    REMARK_COLUMN,
  ],
  crossCheck(item) {
    const problems: Array<[string, string]> = [];
    if (item.utr === undefined || item.payment_mode === undefined) return problems;
    const utr = String(item.utr);
    const rule = UTR_RULES[String(item.payment_mode)];
    if (rule && !rule.pattern.test(utr)) problems.push(['utr', `"${utr}" is not a ${rule.label}; check the bank reference`]);
    return problems;
  },
};

/**
 * Cheap India formats for the reference of each payment mode. NEFT and RTGS UTRs start with the
 * sending bank's 4-letter IFSC code; IMPS and UPI carry a 12-digit RRN; a cheque number has 6 digits.
 * NACH and cash references vary by bank, so only the general key rules apply to them.
 */
const UTR_RULES: Record<string, { pattern: RegExp; label: string }> = {
  neft: { pattern: /^[A-Z]{4}[A-Z0-9]{12}([A-Z0-9]{6})?$/i, label: 'NEFT UTR (16 or 22 letters and digits, starting with the 4-letter bank code)' },
  rtgs: { pattern: /^[A-Z]{4}[A-Z0-9]{18}$/i, label: 'RTGS UTR (22 letters and digits, starting with the 4-letter bank code)' },
  imps: { pattern: /^\d{12}$/, label: 'IMPS reference (12 digits)' },
  upi: { pattern: /^\d{12}$/, label: 'UPI reference (12 digits)' },
  cheque: { pattern: /^\d{6}$/, label: 'cheque number (6 digits)' },
};
