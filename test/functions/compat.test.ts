/**
 * functions.json stays backward-compatible with the last release's: Excel may keep that one for up
 * to 24 hours after a deploy and call the new functions.js through it (audit finding 18). The
 * released file is test/functions/released/functions.json (replace it with dist/functions.json at
 * each release, README "Deploying a new version").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import { describe, expect, it } from 'vitest';
import { breakingChanges } from '../../src/server/build/functions-compat';

const released = readFileSync(resolve(__dirname, 'released/functions.json'), 'utf8');

/** The released metadata with one change made by `edit`. */
function changed(edit: (fns: Record<string, any>) => void): string {
  const meta = JSON.parse(released);
  edit(Object.fromEntries(meta.functions.map((f: any) => [f.id, f])));
  return JSON.stringify(meta);
}

describe('functions.json compatibility with the last release', () => {
  it('the functions.json this source generates is safe to deploy over the released one', async () => {
    const current = await generateCustomFunctionsMetadata(['src/functions/functions.ts'], false);
    expect(current.errors).toEqual([]);
    expect(breakingChanges(released, current.metadataJson)).toEqual([]);
  });

  it('accepts what old metadata still calls correctly: a new function, new wording, a parameter widened to any, a new optional last parameter where there is no invocation', () => {
    const safe = changed((f) => {
      f.EMIS.description = 'New words';
      f.RECORDS.parameters[1].type = 'any';
      f.FIELDS.parameters.push({ name: 'lang', type: 'string', optional: true });
      f.LOANS.result.type = 'number';
    });
    const meta = JSON.parse(safe);
    meta.functions.push({ id: 'NEWONE', name: 'NEWONE', parameters: [], result: {} });
    expect(breakingChanges(released, JSON.stringify(meta))).toEqual([]);
  });

  it('refuses each change a cell would notice under the cached metadata', () => {
    const cases: Array<[string, (f: Record<string, any>) => void, string]> = [
      ['removed function', (f) => void (f.TOPUPS.id = 'TOPUPS2'), 'TOPUPS was removed'],
      ['renamed', (f) => void (f.LINE.name = 'CREDITLINE'), 'LINE: its name in Excel was LINE, now CREDITLINE'],
      ['reordered', (f) => f.RECORDS.parameters.reverse(), 'RECORDS: parameter 1 was accountId, now toDate'],
      ['narrowed', (f) => void (f.SUMMARY.parameters[0].type = 'string'), 'SUMMARY: accountId was any, now string'],
      ['number → string', (f) => void (f.EMI.parameters[0].type = 'string'), 'EMI: principal was number, now string'],
      ['now required', (f) => void delete f.LOANS.parameters[0].optional, 'LOANS: status was optional, now required'],
      ['scalar → matrix', (f) => void (f.EMIS.parameters[0].dimensionality = 'matrix'), 'EMIS: accountId was scalar, now matrix'],
      ['parameter before the invocation', (f) => f.EMIS.parameters.push({ name: 'from', optional: true }), 'EMIS: new parameter from before the invocation'],
      ['required new parameter', (f) => f.FIELDS.parameters.push({ name: 'lang', type: 'string' }), 'FIELDS: new parameter lang is required'],
      ['result widened', (f) => void (f.EMI.result = { type: 'any' }), 'EMI: result was number, now any'],
      ['result shape', (f) => void delete f.LOAN.result.dimensionality, 'LOAN: result was matrix, now scalar'],
      ['no longer cancelable', (f) => void delete f.EMIS.options, 'EMIS: option cancelable was true, now false'],
      ['parameter removed', (f) => f.OUTSTANDING.parameters.pop(), 'OUTSTANDING: parameter asOfDate was removed'],
    ];
    for (const [what, edit, message] of cases) {
      expect(breakingChanges(released, changed(edit)).join('\n'), what).toContain(message);
    }
    const off = JSON.parse(released);
    off.allowCustomDataForDataTypeAny = false;
    expect(breakingChanges(released, JSON.stringify(off))).toEqual(['allowCustomDataForDataTypeAny was turned off (cards and formatted values would show #VALUE!)']);
  });
});
