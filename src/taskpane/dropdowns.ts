/**
 * The dropdowns a template gets: an enum column offers its allowed values; a TRUE/FALSE column offers
 * TRUE, FALSE, yes and no, since the bulk engine (src/bulk/cells.ts) and the column's hint accept
 * yes/no and a Stop alert must not refuse what the hint invites.
 */
import type { SheetKind } from '../bulk/kinds';

export interface TemplateDropdown {
  /** Column index in the kind's columns (the table's first column is 0). */
  col: number;
  /** The alert's title (the column header; src/excel/validation.ts keeps it within Excel's 32). */
  title: string;
  items: string[];
}

export const BOOLEAN_CHOICES = ['TRUE', 'FALSE', 'yes', 'no'];

export function templateDropdowns(kind: SheetKind): TemplateDropdown[] {
  return kind.columns.flatMap((c, col) => {
    if (c.allowed) return [{ col, title: c.header, items: [...c.allowed] }];
    if (c.type === 'boolean') return [{ col, title: c.header, items: [...BOOLEAN_CHOICES] }];
    return [];
  });
}
