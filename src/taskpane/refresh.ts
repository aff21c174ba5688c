/**
 * Refresh: drop cached answers and recalculate the workbook's CREGO sheets, the active sheet or the
 * selection (through the functions runtime, which owns the cache), then, once the cells' answers
 * have arrived, stamp "Data as of HH:MM IST".
 * The ribbon's Refresh button runs the same workbook refresh (`refreshAll`).
 */
import { formatIstTime } from '../api/dates';
import type { RefreshScope } from '../functions/runtime';
import { recalc } from '../excel/recalc';
import { excelRun } from '../excel/run';
import { activeSheetName } from '../excel/sheets';
import { checkStatusesFromPane } from './bulk';
import { logRefresh } from './activityLog';
import { handDateSystem } from './dateSystem';
import { cellsSettled } from './settle';
import { busy, byId, messageOf, say } from './dom';
import { runtime, session } from './session';

const LABEL: Record<RefreshScope, string> = { workbook: 'Workbook', sheet: 'Active sheet', selection: 'Selection' };

/** Refresh one scope; resolves with the stamp text. */
export async function refresh(scope: RefreshScope): Promise<string> {
  const rt = runtime();
  // Excel Options can change the date system: read it before the recalculation, never from a cell.
  await handDateSystem().catch(() => undefined);
  if (rt) await rt.refresh(scope);
  else {
    session()?.client.invalidate();
    await recalc(scope);
  }
  // Excel's calculate returns before the asynchronous cells answer: stamp when their values are in.
  const arrived = rt ? await cellsSettled(() => rt.status().cache) : true;
  const time = formatIstTime(Date.now() / 1000);
  const text = arrived ? `Data as of ${time}` : `Refresh requested at ${time}; some cells were still fetching`;
  byId('asof').textContent = `${text} (${LABEL[scope].toLowerCase()})`;
  const s = session();
  // Refresh of a bulk sheet also settles its pending rows (accepted by Crego, not yet applied).
  if (scope === 'sheet' && s) {
    const name = await excelRun(activeSheetName).catch(() => null);
    // Not a bulk sheet, or nothing pending: nothing to do, and nothing to say.
    if (name) await checkStatusesFromPane(name, true).catch(() => null);
  }
  try {
    await logRefresh(s?.environment ?? 'not connected', LABEL[scope]);
  } catch {
    // The log is a convenience: a protected workbook must not turn a good refresh into an error.
  }
  return text;
}

export function setupRefresh(): void {
  const status = () => byId('refresh-status');
  for (const scope of ['workbook', 'sheet', 'selection'] as const) {
    const button = byId<HTMLButtonElement>(`refresh-${scope}`);
    button.addEventListener('click', () =>
      void busy(button, async () => {
        say(status(), `Refreshing ${LABEL[scope].toLowerCase()}…`);
        try {
          const text = await refresh(scope);
          say(status(), `${LABEL[scope]} refreshed. ${text}.`, 'success');
        } catch (error) {
          say(status(), messageOf(error), 'error');
        }
      }),
    );
  }
  const pause = byId<HTMLInputElement>('pause-live');
  const rt = runtime();
  if (!rt) {
    // Without the functions runtime there are no CREGO.LIVE cells to pause.
    pause.disabled = true;
    pause.parentElement?.setAttribute('title', 'The CREGO functions are not loaded in this page');
  }
  pause.checked = rt?.status().livePaused ?? false;
  pause.addEventListener('change', () => {
    rt?.pauseLive(pause.checked);
    say(status(), pause.checked ? 'Live updates paused: CREGO.LIVE cells keep their last value.' : 'Live updates resumed.', 'info');
  });
}

/**
 * The ribbon's Refresh runs the pane's workbook refresh (stamp and log included). functions.js
 * associated the command when it loaded (src/functions/ribbon.ts); the pane only hands it the work.
 * Without functions.js in the page (no shared runtime) the pane associates the command itself.
 */
export function registerRibbonRefresh(): void {
  const work = () => refresh('workbook');
  const rt = runtime();
  if (rt) return rt.onRibbonRefresh(work);
  const office = (globalThis as { Office?: typeof Office }).Office;
  if (!office?.actions?.associate) return;
  office.actions.associate('refreshAll', (event: Office.AddinCommands.Event) => {
    work()
      .catch(() => undefined)
      .finally(() => event.completed());
  });
}
