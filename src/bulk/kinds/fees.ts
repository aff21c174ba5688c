import { FEE_TYPES } from '../../api/types';
import { ACCOUNT_COLUMN, REFERENCE_COLUMN, REMARK_COLUMN } from './shared';
import type { SheetKind } from './types';

/** Fees (charges) levied on an account; keyed by `ref_id`, refused as duplicate per account. */
export const FEES: SheetKind = {
  name: 'fees',
  noun: 'fee',
  sheetName: 'Fees',
  keyField: 'ref_id',
  keyGenerated: true,
  bulkEndpoint: 'fees.bulk_create',
  listEndpoint: 'fees.list',
  createEndpoint: 'fees.create',
  columns: [
    ACCOUNT_COLUMN,
    { header: 'Fee type', field: 'type', type: 'enum', required: true, allowed: FEE_TYPES, hint: FEE_TYPES.join(', '), example: 'late_fee' },
    { header: 'Amount', field: 'amount', type: 'amount', required: true, hint: 'Fee before GST, rupees, at most 2 decimals', example: 500 },
    { header: 'Date', field: 'date', type: 'date', required: true, notInFuture: true, hint: 'Date the fee is levied: a date cell or YYYY-MM-DD, not in the future', example: '2024-01-05' },
    { header: 'Due date', field: 'due_date', type: 'date', required: false, hint: 'When the fee falls due (optional, on or after Date)', example: '2024-01-15' },
    { header: 'GST applicable', field: 'gst_applicable', type: 'boolean', required: false, defaultValue: true, hint: 'TRUE adds 18% GST on top (default TRUE); TRUE/FALSE or yes/no', example: true },
    REFERENCE_COLUMN,
    REMARK_COLUMN,
  ],
  crossCheck(item) {
    if (typeof item.due_date === 'number' && typeof item.date === 'number' && item.due_date < item.date) {
      return [['due_date', 'is before Date; a fee cannot fall due before it is levied']];
    }
    return [];
  },
};
