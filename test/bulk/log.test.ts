/** src/bulk/log.ts: the push log's CSV, and a log an older version started brought to the current header. */
import { describe, expect, it } from 'vitest';
import { csvLine, csvWithCurrentHeader, LOG_HEADERS } from '../../src/bulk/log';

describe('the push log (CSV)', () => {
  const header = csvLine([...LOG_HEADERS]);
  const older = csvLine([...LOG_HEADERS.slice(0, -1)]); // before `Unknown` was added
  const oldRow = '2026-01-02 10:00 IST,sandbox,book.xlsx › Records,records,B1,no,3,0,0,0,no,0,0,\n';

  it('extends an older log\'s header with the columns added since and keeps its rows', () => {
    expect(csvWithCurrentHeader(older + oldRow)).toBe(header + oldRow);
    expect(csvWithCurrentHeader(older.replace('\n', '\r\n') + oldRow)).toBe(header + oldRow);
  });

  it('leaves a current log, and a file that is not one of ours, alone', () => {
    expect(csvWithCurrentHeader(header + oldRow)).toBeNull();
    expect(csvWithCurrentHeader('Date,Amount\n1,2\n')).toBeNull();
    expect(csvWithCurrentHeader('')).toBeNull();
  });
});
