/**
 * Excel audit finding 2: every dropdown of every sheet kind's template stays within what Excel stores
 * for a data validation (alert title ≤ 32, error message ≤ 225, prompt ≤ 255, inline list source ≤ 255),
 * and finding 11: key, UTR and account columns are Text down to the sheet's last row.
 */
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/bulk/kinds';
import { setTextColumns, SHEET_ROWS, TEXT_FORMAT, TEXT_STYLE } from '../../src/excel/format';
import { clip, setListValidation, VALIDATION_LIMITS } from '../../src/excel/validation';
import { BOOLEAN_CHOICES, templateDropdowns } from '../../src/taskpane/dropdowns';
import { mockWorkbook } from './mock';

describe('template dropdowns within Excel’s data-validation limits', () => {
  for (const kind of Object.values(KINDS)) {
    it(`${kind.name}: every dropdown's title, message, prompt and list source fit`, async () => {
      const wb = mockWorkbook({ sheets: { T: {} } });
      const dropdowns = templateDropdowns(kind);
      for (const d of dropdowns) await setListValidation(wb.context, 'T', { row: 2, col: d.col, rows: 1000 }, d.items, d.title);
      const validated = wb.ranges.filter((r) => r.sheet === 'T' && typeof r.m.dataValidation.errorAlert?.title === 'string');
      expect(validated.length).toBe(dropdowns.length);
      for (const r of validated) {
        const dv = r.m.dataValidation;
        expect(dv.errorAlert.title.length, `${kind.name} ${r.address} title "${dv.errorAlert.title}"`).toBeLessThanOrEqual(VALIDATION_LIMITS.title);
        expect(dv.errorAlert.message.length).toBeLessThanOrEqual(VALIDATION_LIMITS.error);
        expect(String(dv.prompt?.message ?? '').length).toBeLessThanOrEqual(VALIDATION_LIMITS.prompt);
        expect(String(dv.prompt?.title ?? '').length).toBeLessThanOrEqual(VALIDATION_LIMITS.title);
        expect(String(dv.rule.list.source).length).toBeLessThanOrEqual(VALIDATION_LIMITS.listSource);
      }
    });
  }

  it('cuts what would not fit, with an ellipsis, and keeps the header as the title where it fits', async () => {
    expect(clip('Payment mode: not an allowed value', 32)).toHaveLength(32);
    const wb = mockWorkbook({ sheets: { T: {} } });
    const many = Array.from({ length: 40 }, (_, i) => `a_rather_long_fee_type_name_${i}`);
    await setListValidation(wb.context, 'T', { row: 2, col: 0, rows: 10 }, many, 'A column header longer than thirty-two characters');
    const alert = wb.ranges.find((r) => r.sheet === 'T' && r.address === 'A3:A12')!.m.dataValidation.errorAlert;
    expect(alert.title).toBe('A column header longer than thi…');
    expect(alert.message.length).toBeLessThanOrEqual(225);
  });

  it('a TRUE/FALSE column offers yes and no too, as its hint says', () => {
    const gst = templateDropdowns(KINDS.fees).find((d) => d.title === 'GST applicable')!;
    expect(gst.items).toEqual(BOOLEAN_CHOICES);
    expect(KINDS.fees.columns.find((c) => c.header === 'GST applicable')!.hint).toMatch(/yes\/no/);
  });
});

describe('text columns to the last row', () => {
  it('applies a number-only Text style from the given row to row 1,048,576, creating the style once', async () => {
    const wb = mockWorkbook({ sheets: { T: {} } });
    await setTextColumns(wb.context, 'T', 2, 5, 1);
    await setTextColumns(wb.context, 'T', 2, 9, 4);
    await wb.context.sync();
    expect(wb.addedStyles).toEqual([TEXT_STYLE]);
    expect(wb.styleMocks[TEXT_STYLE]).toMatchObject({ numberFormat: TEXT_FORMAT, includeNumber: true, includeFont: false, includePatterns: false, includeProtection: false });
    const styled = wb.ranges.filter((r) => r.m.style === TEXT_STYLE).map((r) => [r.address, r.rows]);
    expect(styled).toEqual([
      [`F3:F${SHEET_ROWS}`, SHEET_ROWS - 2],
      [`J3:M${SHEET_ROWS}`, SHEET_ROWS - 2],
    ]);
  });
});
