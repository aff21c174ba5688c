/**
 * src/excel/lock.ts through office-addin-mock: the sheet a push writes to is protected for the push
 * (result columns left writable), never a sheet the user protected, and a lock a closed pane left
 * behind is lifted. Each mock object keeps Office.js's load/sync discipline.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { describe, expect, it } from 'vitest';
import { lockSheetForPush, PUSH_LOCK_SETTING, PUSH_PROTECTION, releaseLeftoverLock, unlockSheetAfterPush } from '../../src/excel/lock';

interface Seed {
  /** Sheets that exist, and whether each is protected already. */
  sheets: Record<string, { protected: boolean }>;
  setting?: string;
}

function workbook(seed: Seed) {
  const calls: string[] = [];
  const settings = new Map<string, string>(seed.setting ? [[PUSH_LOCK_SETTING, seed.setting]] : []);
  const created: OfficeMockObject[] = [];
  const mock = (init: Record<string, unknown>) => {
    const m = new OfficeMockObject(init);
    created.push(m);
    return m as any;
  };
  const missing = () => mock({ isNullObject: true, value: '', delete: () => calls.push('refused: delete on a null object') });
  const sheet = (name: string) =>
    mock({
      isNullObject: false,
      protection: {
        protected: seed.sheets[name]!.protected,
        protect: (options: unknown) => calls.push(`protect ${name} ${JSON.stringify(options)}`),
        unprotect: () => calls.push(`unprotect ${name}`),
      },
      getRangeByIndexes: (row: number, col: number, rows: number, cols: number) => {
        const protection = {};
        Object.defineProperty(protection, 'locked', { set: (v: boolean) => calls.push(`locked=${v} ${row},${col} ${rows}x${cols}`) });
        return { format: { protection } };
      },
    });
  // Not in `created`: its sync below syncs the others.
  const context = new OfficeMockObject({
    workbook: {
      worksheets: {
        getItem: (name: string) => sheet(name),
        getItemOrNullObject: (name: string) => (seed.sheets[name] ? sheet(name) : missing()),
      },
      settings: {
        add: (key: string, value: string) => {
          settings.set(key, value);
          calls.push(`setting ${key}=${value}`);
        },
        getItemOrNullObject: (key: string) =>
          settings.has(key)
            ? mock({ isNullObject: false, value: settings.get(key), delete: () => (settings.delete(key), calls.push(`setting ${key} deleted`)) })
            : missing(),
      },
    },
  }) as any;
  const base = context.sync.bind(context);
  context.sync = async () => {
    await base();
    for (const m of created) await m.sync();
  };
  return { context, calls, settings };
}

const RESULTS = { row: 2, col: 9, rows: 600, cols: 6 };

describe('locking a bulk sheet for a push (src/excel/lock.ts)', () => {
  it('protects the sheet against sorting, inserting, deleting and editing, its result cells unlocked, and records the lock', async () => {
    const wb = workbook({ sheets: { Records: { protected: false } } });
    expect(await lockSheetForPush(wb.context, 'Records', RESULTS)).toBe(true);
    expect(wb.calls).toEqual([
      'locked=false 2,9 600x6',
      `protect Records ${JSON.stringify(PUSH_PROTECTION)}`,
      `setting ${PUSH_LOCK_SETTING}=Records`,
    ]);
    expect(PUSH_PROTECTION).toMatchObject({ allowSort: false, allowInsertRows: false, allowDeleteRows: false, allowInsertColumns: false, allowDeleteColumns: false });
    expect(PUSH_PROTECTION).toMatchObject({ allowAutoFilter: true, allowFormatCells: true });
  });

  it('leaves a sheet the user protected exactly as it is', async () => {
    const wb = workbook({ sheets: { Records: { protected: true } } });
    expect(await lockSheetForPush(wb.context, 'Records', RESULTS)).toBe(false);
    expect(wb.calls).toEqual([]);
    expect(wb.settings.size).toBe(0);
  });

  it('unlocks after the push and forgets the record', async () => {
    const wb = workbook({ sheets: { Records: { protected: true } }, setting: 'Records' });
    await unlockSheetAfterPush(wb.context, 'Records');
    expect(wb.calls).toEqual(['unprotect Records', `setting ${PUSH_LOCK_SETTING} deleted`]);
  });

  it('lifts a lock a closed pane left behind; nothing to do when there is none, or its sheet is gone', async () => {
    const left = workbook({ sheets: { Records: { protected: true }, Fees: { protected: true } }, setting: 'Records' });
    expect(await releaseLeftoverLock(left.context)).toBe('Records');
    expect(left.calls).toEqual(['unprotect Records', `setting ${PUSH_LOCK_SETTING} deleted`]);

    const none = workbook({ sheets: { Records: { protected: true } } });
    expect(await releaseLeftoverLock(none.context)).toBeNull();
    expect(none.calls).toEqual([]);

    const deleted = workbook({ sheets: {}, setting: 'Records' });
    expect(await releaseLeftoverLock(deleted.context)).toBe('Records');
    expect(deleted.calls).toEqual([`setting ${PUSH_LOCK_SETTING} deleted`]);
  });
});
