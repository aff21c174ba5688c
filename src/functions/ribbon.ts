/**
 * The ribbon's function commands, associated synchronously when functions.js loads (the top level of
 * the function file, as Microsoft's docs show), not after Office.onReady and a network round trip in
 * the pane: a command that starts the shared runtime must find its handler at once (office-js#5176:
 * the first click can otherwise be lost). The pane registers the work a command does when it has
 * started (`CregoRuntime.onRibbonRefresh`); a click before that waits for it, for a while, and
 * otherwise refreshes the functions' cells without the pane's stamp and log.
 */

/** The `<FunctionName>`s of the manifest's ExecuteFunction buttons. */
export const RIBBON_ACTIONS = ['refreshAll'] as const;

type Work = () => Promise<unknown>;

let refreshWork: Work | null = null;
const waiting: ((work: Work) => void)[] = [];
let associated = false;

/** Where the ribbon's Refresh stands: associated with Office at load, and the pane's work handed to it. */
export interface RibbonStatus {
  associated: boolean;
  paneHandler: boolean;
}

export function ribbonStatus(): RibbonStatus {
  return { associated, paneHandler: refreshWork !== null };
}

/** The pane's Refresh (workbook scope), run by the ribbon button. */
export function onRibbonRefresh(work: Work): void {
  refreshWork = work;
  for (const resolve of waiting.splice(0)) resolve(work);
}

/** How long a click that started the runtime waits for the pane's handler before refreshing alone. */
const PANE_WAIT_MS = 15_000;

async function runRefresh(fallback: Work): Promise<void> {
  const work =
    refreshWork ??
    (await new Promise<Work>((resolve) => {
      const timer = setTimeout(() => resolve(fallback), PANE_WAIT_MS);
      waiting.push((w) => {
        clearTimeout(timer);
        resolve(w);
      });
    }));
  await work();
}

/** Associate every ribbon action now; `fallback` refreshes the cells when the pane never registers. */
export function associateRibbonActions(fallback: Work): boolean {
  const office = (globalThis as { Office?: { actions?: { associate?: (id: string, fn: (event: { completed(): void }) => void) => void } } }).Office;
  if (typeof office?.actions?.associate !== 'function') return false;
  office.actions.associate('refreshAll', (event) => {
    runRefresh(fallback)
      .catch(() => undefined)
      .finally(() => event.completed());
  });
  associated = true;
  return true;
}
