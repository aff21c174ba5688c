/** The self-test's runner and report (host-free): every check runs, each timed, and nothing secret is printed. */
import { describe, expect, it } from 'vitest';
import { formatReport, redact, runChecks } from '../../src/taskpane/selftestReport';

describe('self-test report', () => {
  it('runs every check in order, a failure included, each with its own time', async () => {
    let clock = 0;
    const now = () => clock;
    const results = await runChecks(
      [
        { name: 'one', run: async () => { clock += 5; return 'fine'; } },
        { name: 'two', run: async () => { clock += 7; throw new Error('broken'); } },
        { name: 'three', run: async () => 'after a failure' },
      ],
      undefined,
      now,
    );
    expect(results).toEqual([
      { name: 'one', ok: true, ms: 5, detail: 'fine' },
      { name: 'two', ok: false, ms: 7, detail: 'broken' },
      { name: 'three', ok: true, ms: 0, detail: 'after a failure' },
    ]);
  });

  it('prints one line per check and never the token, a username or an account id', () => {
    const token = 'sbxdev_abc123secret';
    const text = formatReport(
      { when: new Date('2026-01-02T03:04:05Z'), addinVersion: '1.2.3.0', host: 'Excel PC 16.0', environment: 'sandbox', paneOpened: 'Office visibility event' },
      [
        { name: 'Requirement sets', ok: true, ms: 3, detail: 'ExcelApi 1.15' },
        { name: 'LIVE tick', ok: false, ms: 9, detail: `account 1b2c3d4e-0000-4000-8000-00000000abcd: Bearer ${token} refused for demo-user` },
      ],
      [token, 'demo-user'],
    );
    expect(text).toBe(
      [
        'Crego for Excel self-test',
        'When: 2026-01-02T03:04:05.000Z',
        'Add-in: 1.2.3.0',
        'Excel: Excel PC 16.0',
        'Crego environment: sandbox',
        'Pane opened: Office visibility event',
        'Result: 1 of 2 checks passed',
        '',
        '[PASS] Requirement sets (3 ms): ExcelApi 1.15',
        '[FAIL] LIVE tick (9 ms): account [id]: Bearer [redacted] refused for [redacted]',
        '',
      ].join('\n'),
    );
    expect(redact('token abc', ['abc'])).toBe('token abc'); // under 4 characters: too short to be a secret, left alone
  });
});
