import { FEES } from './fees';
import { RECORDS } from './records';
import { TOPUPS } from './topups';
import type { KindName, SheetKind } from './types';

export type { ColumnDef, ColumnType, KindName, RowItem, SheetKind } from './types';

export const KINDS: Record<KindName, SheetKind> = { records: RECORDS, fees: FEES, topups: TOPUPS };
export const KIND_NAMES = Object.keys(KINDS) as KindName[];

/** Bump when columns change meaning; a sheet stamped with a newer version is refused. */
export const TEMPLATE_VERSION = 1;

export function getKind(name: string): SheetKind | undefined {
  return (KINDS as Record<string, SheetKind>)[name.toLowerCase()];
}
