/**
 * What a bulk sheet kind is: its columns (each tied to one API field) and the endpoints it posts to
 * and reconciles with. Plain data plus two small functions, so the template writer, the validator,
 * the push engine and the task pane all read the same definition.
 */

import type { BulkKey, EndpointKey, PagedKey } from '../../api/endpoints';

export type ColumnType = 'uuid' | 'text' | 'key' | 'amount' | 'date' | 'enum' | 'boolean' | 'integer';

export interface ColumnDef {
  /** Header text in the sheet (matched case- and punctuation-insensitively, as is `field`). */
  header: string;
  /** API field the column fills. */
  field: string;
  type: ColumnType;
  required: boolean;
  /** Allowed values (`enum`), as sent to the API. */
  allowed?: readonly string[];
  /** One line shown as the header's note and in messages. */
  hint: string;
  /** Example value as a person would type it (the template's example row). */
  example: string | number | boolean;
  /** `amount`: zero allowed (e.g. TDS). Default: must be positive. */
  allowZero?: boolean;
  /** `date`: a date after today is refused. */
  notInFuture?: boolean;
  /** `integer`: inclusive bounds. */
  min?: number;
  max?: number;
  /** `text`/`key`: longest accepted length. */
  maxLength?: number;
  /** Sent when the cell is blank (optional columns only). */
  defaultValue?: string | number | boolean;
}

export type KindName = 'records' | 'fees' | 'topups';

/** A parsed, valid row: API field → value ready for the request body. */
export type RowItem = Record<string, string | number | boolean>;

export interface SheetKind {
  name: KindName;
  /** Singular noun for messages: "record", "fee", "topup". */
  noun: string;
  /** Worksheet name the template uses. */
  sheetName: string;
  columns: readonly ColumnDef[];
  /** API field holding the row's stable key (unique per account on the server). */
  keyField: 'utr' | 'ref_id';
  /** True when a blank key is replaced by a generated one (kept in the Key result column). */
  keyGenerated: boolean;
  bulkEndpoint: BulkKey;
  /** List endpoint filterable by `account` and the key field (reconciliation). */
  listEndpoint: PagedKey;
  /** The single-create endpoint (row-by-row baseline in the benchmark). */
  createEndpoint: EndpointKey;
  /** Checks between fields of one valid row: [field, message] pairs. */
  crossCheck?(item: RowItem): Array<[string, string]>;
}
