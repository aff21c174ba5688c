import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/bulk/kinds';
import { locateLayout } from '../../src/bulk/sheet';
import { templateRows } from '../../src/bulk/template';
import { dashboardLayout } from '../../src/taskpane/dashboardLayout';
import { checkBaseUrl, defaultBaseUrl, isProduction } from '../../src/taskpane/environments';
import { buildFormula, fieldsArgument, formulaArgument, isCellReference, parseFormula } from '../../src/taskpane/formulaText';
import { problemCells } from '../../src/taskpane/problems';

describe('formula builder text', () => {
  it('keeps references, quotes text safely and drops trailing blanks', () => {
    expect(isCellReference('A2')).toBe(true);
    expect(isCellReference("'Crego Records'!$A$2:$A$50")).toBe(true);
    expect(isCellReference('A2:A50#')).toBe(true);
    expect(isCellReference("'Bob''s ids'!A2:A50")).toBe(true);
    expect(formulaArgument("'FY2025'!A2")).toBe("'FY2025'!A2");
    expect(isCellReference('total_outstanding')).toBe(false);
    expect(formulaArgument(' A2 ')).toBe('A2');
    expect(formulaArgument('12.5')).toBe('12.5');
    expect(formulaArgument('true')).toBe('TRUE');
    expect(formulaArgument('say "hi"')).toBe('"say ""hi"""');
    expect(fieldsArgument(['dpd'])).toBe('"dpd"');
    expect(fieldsArgument(['dpd', 'total_outstanding'])).toBe('{"dpd","total_outstanding"}');
    expect(buildFormula('SUMMARY', ['A2', '', '', ''])).toBe('=CREGO.SUMMARY(A2)');
    expect(buildFormula('SUMMARY', ['A2', '', '45000'])).toBe('=CREGO.SUMMARY(A2,,45000)');
  });
});

describe('reading a formula back into the builder', () => {
  it('splits arguments, unquotes text and keeps array constants as field lists', () => {
    expect(parseFormula('=CREGO.SUMMARY(A2,{"total_outstanding","dpd"})')).toEqual({ fn: 'SUMMARY', args: ['A2', ''], fieldLists: { 1: ['total_outstanding', 'dpd'] } });
    expect(parseFormula('=crego.loans("active", , "say ""hi""")')).toEqual({ fn: 'LOANS', args: ['active', '', 'say "hi"'], fieldLists: {} });
    expect(parseFormula('=SUM(A1)')).toBeNull();
    const round = buildFormula('SUMMARY', ['A2', fieldsArgument(['dpd', 'fee_paid'])]);
    const back = parseFormula(round)!;
    expect(buildFormula(back.fn, [formulaArgument(back.args[0]), fieldsArgument(back.fieldLists[1])])).toBe(round);
  });
});

describe('environments', () => {
  const server = { environment: 'sandbox', apiBase: '/api' };
  it('uses the server proxy for the environment it serves and flags production', () => {
    expect(defaultBaseUrl('sandbox', server)).toBe('/api');
    expect(defaultBaseUrl('production', server)).toBe('https://api.crego.io');
    expect(defaultBaseUrl('production', { environment: 'production', apiBase: '/api' })).toBe('/api');
    // A server proxying Production: "Sandbox" does not default to that proxy.
    expect(defaultBaseUrl('sandbox', { environment: 'production', apiBase: '/api' })).toBe('');
    expect(defaultBaseUrl('sandbox', null)).toBe('/api');
    expect(isProduction('production', 'x', server)).toBe(true);
    expect(isProduction('custom', '/api', { environment: 'production', apiBase: '/api' })).toBe(true);
    expect(isProduction('custom', 'https://x.example', server)).toBe(false);
    // The pane signs in with the absolute form of `/api`: a server proxying production still counts.
    const prodServer = { environment: 'production', apiBase: '/api' };
    expect(isProduction('sandbox', 'https://localhost:3000/api', prodServer, 'https://localhost:3000/taskpane.html')).toBe(true);
    expect(isProduction('custom', 'https://localhost:3000/api/', prodServer, 'https://localhost:3000/taskpane.html')).toBe(true);
    expect(isProduction('sandbox', 'https://localhost:3000/api', server, 'https://localhost:3000/taskpane.html')).toBe(false);
    // Production's own URL chosen as a Custom URL is production too.
    expect(isProduction('custom', 'https://API.crego.io/', server)).toBe(true);
  });
  it('refuses plain http except on loopback, and says how to fix a bad URL', () => {
    expect(checkBaseUrl('http://api.example.com')).toMatch(/https/);
    expect(checkBaseUrl('http://127.0.0.1:8080')).toBeNull();
    expect(checkBaseUrl('not a url')).toMatch(/not a URL/);
    expect(checkBaseUrl('')).toMatch(/Enter the API base URL/);
  });
});

describe('problems to cells', () => {
  it('points each message part at its column, failed rows at their Status cell', () => {
    const kind = KINDS.records;
    const values = [...templateRows(kind)];
    const layout = locateLayout(kind, values);
    const cells = problemCells(kind, layout, 0, [
      { row: 5, status: 'invalid', message: 'Row 5, Amount: "12x" is not a number | Row 5, Payment mode: is empty; pick one' },
      { row: 7, status: 'failed', message: 'Refused by Crego: Account: No account' },
    ]);
    expect(cells.map((c) => [c.address, c.status])).toEqual([['C5', 'invalid'], ['E5', 'invalid'], [`${String.fromCharCode(65 + layout.resultColumn)}7`, 'failed']]);
    expect(cells[2].message).toBe('Row 7: Refused by Crego: Account: No account');
  });
});

describe('dashboard layout', () => {
  it('puts one SUMMARY over the account column and field row, totals by category and a chart block', () => {
    const accounts = Array.from({ length: 3 }, (_, i) => ({ account: `id${i}`, borrower: `B${i}`, type: 'term_loan' }));
    const l = dashboardLayout(accounts, '2026-11-26 09:30 IST');
    expect(l.headers).toEqual(['Account', 'Borrower', 'Type', 'principal_outstanding', 'total_outstanding', 'overdue_outstanding', 'dpd', 'asset_category']);
    expect(l.summaryCell).toBe('D5');
    expect(l.summaryFormula).toBe('=CREGO.SUMMARY(A5:A7,D4:H4)');
    expect(l.totals[1]).toEqual(['Regular', '=SUMIF($H$5:$H$7,J5,$E$5:$E$7)', '=SUMIF($H$5:$H$7,J5,$D$5:$D$7)', '=COUNTIF($H$5:$H$7,J5)']);
    expect(l.totals[6]).toEqual(['Total', '=SUM(K5:K9)', '=SUM(L5:L9)', '=SUM(M5:M9)']);
    expect(l.chart.source).toEqual({ row: 3, col: 9, rows: 6, cols: 2 });
    expect(() => dashboardLayout([], 'x')).toThrow(/No loans/);
  });
});
