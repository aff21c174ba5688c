/**
 * src/excel/lock.ts through office-addin-mock: the sheet a push writes to is protected for the push
 * (result columns left writable), never a sheet the user protected, and a lock a closed pane left
 * behind is lifted. Each mock object keeps Office.js's load/sync discipline.
 */
import { OfficeMockObject } from 'office-addin-mock';
import { describe, expect, it } from 'vitest';
import { heldElsewhereMessage, LOCK_STALE_MS, lockSheetForPush, parseLockRecord, PUSH_LOCK_SETTING, PUSH_PROTECTION, releaseLeftoverLock, renewPushLock, unlockSheetAfterPush } from '../../src/excel/lock';

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
    expect(await lockSheetForPush(wb.context, 'Records', RESULTS, 'me', 1_000)).toBe(true);
    expect(wb.calls).toEqual([
      'locked=false 2,9 600x6',
      `protect Records ${JSON.stringify(PUSH_PROTECTION)}`,
      `setting ${PUSH_LOCK_SETTING}={"sheet":"Records","holder":"me","alive":1000}`,
    ]);
    expect(PUSH_PROTECTION).toMatchObject({ allowSort: false, allowInsertRows: false, allowDeleteRows: false, allowInsertColumns: false, allowDeleteColumns: false });
    expect(PUSH_PROTECTION).toMatchObject({ allowAutoFilter: true, allowFormatCells: true });
  });

  it('leaves a sheet the user protected exactly as it is', async () => {
    const wb = workbook({ sheets: { Records: { protected: true } } });
    expect(await lockSheetForPush(wb.context, 'Records', RESULTS, 'me')).toBe(false);
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
    // A bare sheet name: the record of an older version (no holder, no news).
    expect(await releaseLeftoverLock(left.context, 'me')).toEqual({ released: 'Records', heldElsewhere: null });
    expect(left.calls).toEqual(['unprotect Records', `setting ${PUSH_LOCK_SETTING} deleted`]);

    const none = workbook({ sheets: { Records: { protected: true } } });
    expect(await releaseLeftoverLock(none.context, 'me')).toEqual({ released: null, heldElsewhere: null });
    expect(none.calls).toEqual([]);

    const deleted = workbook({ sheets: {}, setting: 'Records' });
    expect((await releaseLeftoverLock(deleted.context, 'me')).released).toBe('Records');
    expect(deleted.calls).toEqual([`setting ${PUSH_LOCK_SETTING} deleted`]);
  });

  it('leaves a lock another holder renewed within two minutes (a co-author mid-push), and lifts it once it has gone quiet or is this holder\'s own', async () => {
    const record = (holder: string, alive: number) => JSON.stringify({ sheet: 'Records', holder, alive });
    const now = 10_000_000;
    const coAuthor = workbook({ sheets: { Records: { protected: true } }, setting: record('them', now - 40_000) });
    const found = await releaseLeftoverLock(coAuthor.context, 'me', now);
    expect(found).toEqual({ released: null, heldElsewhere: { sheet: 'Records', quietMs: 40_000 } });
    expect(coAuthor.calls).toEqual([]); // still protected, still recorded
    expect(heldElsewhereMessage(found.heldElsewhere!)).toBe(
      'Records is locked by a push running in another Excel (a co-author, or this workbook open elsewhere); its last news came 40 s ago. Push again when it ends: a lock with no news for 2 minutes is lifted by the next push.',
    );

    const quiet = workbook({ sheets: { Records: { protected: true } }, setting: record('them', now - LOCK_STALE_MS) });
    expect((await releaseLeftoverLock(quiet.context, 'me', now)).released).toBe('Records');
    expect(quiet.calls).toEqual(['unprotect Records', `setting ${PUSH_LOCK_SETTING} deleted`]);

    // This machine's pane, reopened after a crash mid-push: its own lock goes at once.
    const own = workbook({ sheets: { Records: { protected: true } }, setting: record('me', now - 1_000) });
    expect((await releaseLeftoverLock(own.context, 'me', now)).released).toBe('Records');
  });

  it('a running push renews its record; a record that is not JSON is an older version\'s sheet name', async () => {
    const wb = workbook({ sheets: { Records: { protected: false } } });
    await renewPushLock(wb.context, 'Records', 'me', 42);
    expect(parseLockRecord(wb.settings.get(PUSH_LOCK_SETTING))).toEqual({ sheet: 'Records', holder: 'me', alive: 42 });
    expect(parseLockRecord('Fees')).toEqual({ sheet: 'Fees', holder: '', alive: 0 });
    expect(parseLockRecord('')).toBeNull();
  });
});
