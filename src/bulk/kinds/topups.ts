import { ACCOUNT_COLUMN, REFERENCE_COLUMN, REMARK_COLUMN } from './shared';
import type { SheetKind } from './types';

/**
 * Topups (drawdowns on a credit line); keyed by `ref_id`. The date may be in the future: the API
 * keeps such a topup `scheduled`.
 */
export const TOPUPS: SheetKind = {
  name: 'topups',
  noun: 'topup',
  sheetName: 'Topups',
  keyField: 'ref_id',
  keyGenerated: true,
  bulkEndpoint: 'topups.bulk_create',
  listEndpoint: 'topups.list',
  createEndpoint: 'topups.create',
  columns: [
    ACCOUNT_COLUMN,
    { header: 'Amount', field: 'amount', type: 'amount', required: true, hint: 'Rupees to draw, at most 2 decimals', example: 100000 },
    { header: 'Date', field: 'date', type: 'date', required: true, hint: 'Disbursal date: a date cell or YYYY-MM-DD (a future date schedules the topup)', example: '2024-01-05' },
    { header: 'Tenure days', field: 'tenure_days', type: 'integer', required: true, min: 1, max: 3650, hint: 'Whole days, 1 to 3650', example: 90 },
    { header: 'Invoice no', field: 'invoice_no', type: 'text', required: false, maxLength: 64, hint: 'Invoice behind the drawdown (optional)', example: 'INV/23-24/0457' },
    REFERENCE_COLUMN,
    { ...REMARK_COLUMN, example: 'Drawdown for invoice INV/23-24/0457' },
  ],
};
