import { describe, expect, it } from 'vitest';
import { needsAttention, summaryLine } from '../../src/bulk/results';

const counts = { posted: 5, alreadyThere: 0, failed: 0, unresolved: 0, invalid: 1, skipped: 2, ready: 0, rows: 8, pending: 0, rejected: 0 };

describe('the closing line of a push', () => {
  it('reads posted, failed, invalid, skipped, pending, rejected', () => {
    expect(summaryLine({ counts })).toBe('posted 5, failed 0, invalid 1, skipped 2, pending 0, rejected 0');
  });

  it('says which failed rows have an unknown outcome (they may be in Crego), so nobody retypes them', () => {
    const line = summaryLine({ counts: { ...counts, failed: 3, unresolved: 2 } });
    expect(line).toBe('posted 5, failed 3 (2 outcome unknown: the next push checks them first), invalid 1, skipped 2, pending 0, rejected 0');
    expect(needsAttention({ counts: { ...counts, failed: 3, unresolved: 2 } })).toBe(true);
  });
});
