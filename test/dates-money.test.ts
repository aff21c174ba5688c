import { describe, expect, it } from 'vitest';
import {
  epochToExcelDateTime, epochToExcelSerial, epochToIsoDate, excelDateTimeToEpoch, excelSerialToEpoch,
  excelSerialToIsoDate, formatIstTime, from1900Serial, isoDateToEpoch, isoDateToExcelSerial, stampBusinessDate,
  stampBusinessDates, to1900Serial,
} from '../src/api/dates';
import { formatInr, hasAtMostTwoDecimals, roundMoney, sumMoney, toPaise } from '../src/api/money';

describe('dates: Excel serial ↔ Crego epoch seconds (Asia/Kolkata)', () => {
  it("turns Crego's documented example into 5 Jan 2024 and back", () => {
    expect(epochToExcelSerial(1704479399.999999)).toBe(45296);
    expect(excelSerialToIsoDate(45296)).toBe('2024-01-05');
    expect(excelSerialToEpoch(45296)).toBeCloseTo(1704479399.999999, 5);
  });

  it('puts an instant after 18:30 UTC on the next Indian day', () => {
    const utc1830 = Date.UTC(2024, 0, 5, 18, 30) / 1000;
    expect(epochToIsoDate(utc1830 - 1)).toBe('2024-01-05');
    expect(epochToIsoDate(utc1830)).toBe('2024-01-06');
  });

  it('reads a business date stamped at either end of the IST day as the same date', () => {
    const startOfDay = Date.parse('2024-01-05T00:00:00+05:30') / 1000; // newer-platform tenants
    const endOfDay = 1704479399.999999; // Crego's first-platform example
    expect(epochToExcelSerial(startOfDay)).toBe(45296);
    expect(epochToExcelSerial(endOfDay)).toBe(45296);
    expect(epochToIsoDate(startOfDay)).toBe('2024-01-05');
    // …and neither spills into a neighbour: a microsecond either side is another day.
    expect(epochToIsoDate(startOfDay - 0.000001)).toBe('2024-01-04');
    expect(epochToIsoDate(endOfDay + 0.000001)).toBe('2024-01-06');
  });

  it('stamps a business date at the end (default) or the start of its IST day', () => {
    const endOfDay = 1704479399.999999;
    const startOfDay = Date.parse('2024-01-05T00:00:00+05:30') / 1000;
    expect(stampBusinessDate(endOfDay, 'start_of_day')).toBe(startOfDay);
    expect(stampBusinessDate(startOfDay, 'end_of_day')).toBeCloseTo(endOfDay, 5);
    expect(stampBusinessDate(Date.parse('2024-01-05T13:10:00+05:30') / 1000, 'start_of_day')).toBe(startOfDay);
    expect(stampBusinessDates({ items: [{ date: endOfDay, amount: 9, updated_at: endOfDay }], as_of_date: endOfDay }, 'start_of_day')).toEqual({
      items: [{ date: startOfDay, amount: 9, updated_at: endOfDay }],
      as_of_date: startOfDay,
    });
    const body = { date: endOfDay };
    expect(stampBusinessDates(body, 'end_of_day')).toBe(body);
  });

  it('ignores the time of day of an Excel date when it means a business date', () => {
    expect(excelSerialToEpoch(45296.75)).toBe(excelSerialToEpoch(45296));
  });

  it('keeps exact instants for timestamps', () => {
    const t = 1738925013.9997077;
    expect(excelDateTimeToEpoch(epochToExcelDateTime(t))).toBeCloseTo(t, 3);
    expect(formatIstTime(Date.UTC(2024, 0, 5, 4, 0) / 1000)).toBe('09:30 IST');
  });

  it('parses ISO dates and rejects impossible ones', () => {
    expect(isoDateToExcelSerial('2024-02-29')).toBe(45351);
    expect(isoDateToExcelSerial('2023-02-29')).toBeNull();
    expect(isoDateToExcelSerial('05/01/2024')).toBeNull();
    expect(isoDateToEpoch('2024-01-05')).toBeCloseTo(1704479399.999999, 5);
  });

  it('moves serials between the 1900 and 1904 date systems: 5 Jan 2024 is 45296 and 43834', () => {
    expect(from1900Serial(epochToExcelSerial(1704479399.999999), 1904)).toBe(43834);
    expect(to1900Serial(43834, 1904)).toBe(45296);
    expect(from1900Serial(45296.75, 1904)).toBe(43834.75); // the time of day stays
    expect(from1900Serial(45296, 1900)).toBe(45296);
    expect(excelSerialToIsoDate(to1900Serial(0, 1904))).toBe('1904-01-01');
  });
});

describe('money: paise without drift', () => {
  it('rounds half away from zero despite binary noise', () => {
    expect(toPaise(1.005)).toBe(101);
    expect(toPaise(-1.005)).toBe(-101);
    expect(roundMoney(36673.740000000005)).toBe(36673.74);
    expect(roundMoney(50342.499999999985)).toBe(50342.5);
  });

  it('sums without float drift', () => {
    expect(sumMoney([0.1, 0.2])).toBe(0.3);
    expect(sumMoney(Array(1000).fill(0.01))).toBe(10);
  });

  it('tells amounts with more than 2 decimals', () => {
    expect(hasAtMostTwoDecimals(120000.5)).toBe(true);
    expect(hasAtMostTwoDecimals(0.29)).toBe(true);
    expect(hasAtMostTwoDecimals(1.234)).toBe(false);
  });

  it('formats with Indian digit grouping', () => {
    expect(formatInr(120000.5)).toBe('₹1,20,000.50');
  });
});
