import type { ColumnDef } from './types';

/** Columns every kind shares, defined once. */
export const ACCOUNT_COLUMN: ColumnDef = {
  header: 'Account', field: 'account', type: 'uuid', required: true,
  hint: 'Crego account id (UUID, e.g. 860bd919-1070-43b9-9099-699235217ac0)', example: '860bd919-1070-43b9-9099-699235217ac0',
};

export const REMARK_COLUMN: ColumnDef = {
  header: 'Remark', field: 'remark', type: 'text', required: false, maxLength: 255, hint: 'Free text (optional, up to 255 characters)', example: 'January EMI',
};

export const REFERENCE_COLUMN: ColumnDef = {
  header: 'Reference', field: 'ref_id', type: 'key', required: false, maxLength: 64,
  hint: 'Your reference, unique per account. Leave blank and the add-in makes one from the row and writes it into the Key column.',
  example: 'INV-2024-0001',
};
