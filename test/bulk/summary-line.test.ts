import { describe, expect, it } from 'vitest';
import { needsAttention, summaryLine } from '../../src/bulk/results';

const counts = { posted: 5, alreadyThere: 0, failed: 0, unknown: 0, invalid: 1, skipped: 2, ready: 0, rows: 8, pending: 0, rejected: 0 };

describe('the closing line of a push', () => {
  it('reads posted, failed, invalid, skipped, pending, rejected', () => {
    expect(summaryLine({ counts })).toBe('posted 5, failed 0, invalid 1, skipped 2, pending 0, rejected 0');
  });

  it('counts rows of unknown outcome apart from failed ones and says they may be in Crego, so nobody retypes them', () => {
    const line = summaryLine({ counts: { ...counts, failed: 1, unknown: 2 } });
    expect(line).toBe('posted 5, failed 1, invalid 1, skipped 2, pending 0, rejected 0, unknown 2 (may be in Crego: the next push checks them first)');
  });

  it('asks for attention when only rows of unknown outcome are left (a re-run must check them)', () => {
    expect(needsAttention({ counts: { ...counts, invalid: 0 } })).toBe(false);
    expect(needsAttention({ counts: { ...counts, invalid: 0, unknown: 1 } })).toBe(true);
  });
});
