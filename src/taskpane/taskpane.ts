/**
 * The task pane entry (loaded as a module after office.js and functions.js, so the shared
 * `CregoRuntime` already exists). Sections wire themselves to the page; nothing here renders
 * server text except through textContent (see dom.ts).
 */
import { setupActivity, loadActivity } from './activity';
import { setupBulk } from './bulk';
import { setupTabs } from './chrome';
import { onSessionChanged, setupConnect } from './connect';
import { setupDashboard } from './dashboard';
import { syncDateSystem } from './dateSystem';
import { byId } from './dom';
import { setupFormulas } from './formulas';
import { hostProblem, paneShownBy, whenShown } from './host';
import { registerRibbonRefresh, setupRefresh } from './refresh';
import { setupSelfTest } from './selftest';
import { fetchServerConfig, onSession, setServerConfig } from './session';

/** Everything the pane does once the user sees it: its first request, Excel read and (leftover) unlock. */
async function start(): Promise<void> {
  setServerConfig(await fetchServerConfig());
  setupTabs((panel) => {
    if (panel === 'panel-activity') void loadActivity().catch(() => undefined);
  });
  onSession(onSessionChanged);
  setupRefresh();
  setupBulk();
  setupDashboard();
  setupActivity();
  setupSelfTest();
  await Promise.all([setupConnect(), setupFormulas(), syncDateSystem().catch(() => undefined)]);
  document.body.dataset.ready = 'true';
}

/** Not in Excel (or too old an Excel): say so, and offer nothing that would fail on click. */
function refuse(message: string): void {
  const box = byId('host-problem');
  box.textContent = message;
  box.hidden = false;
  for (const control of document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('main button, main input, main select, main textarea')) {
    control.disabled = true;
  }
  document.body.dataset.ready = 'outside-excel';
}

const office = (globalThis as { Office?: typeof Office }).Office;
if (office?.onReady) {
  void office.onReady((info) => {
    const problem = hostProblem(office, info);
    if (problem) return refuse(problem);
    // The ribbon's command works even while the pane is hidden (a click is the user's own action).
    registerRibbonRefresh();
    document.body.dataset.ready = 'hidden';
    whenShown(office, () => {
      // What counted as opened, on the page too (the self-test's report names it; a support ticket can quote it).
      document.body.dataset.shownBy = paneShownBy() ?? '';
      void start();
    });
  });
} else {
  // office.js did not load at all (opened straight from a file, or the CDN blocked).
  refuse(hostProblem(undefined, undefined)!);
}
