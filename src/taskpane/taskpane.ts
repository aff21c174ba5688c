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
import { setupFormulas } from './formulas';
import { registerRibbonRefresh, setupRefresh } from './refresh';
import { fetchServerConfig, onSession, setServerConfig } from './session';

async function start(): Promise<void> {
  setServerConfig(await fetchServerConfig());
  setupTabs((panel) => {
    if (panel === 'panel-activity') void loadActivity().catch(() => undefined);
  });
  onSession(onSessionChanged);
  registerRibbonRefresh();
  setupRefresh();
  setupBulk();
  setupDashboard();
  setupActivity();
  await Promise.all([setupConnect(), setupFormulas(), syncDateSystem().catch(() => undefined)]);
  document.body.dataset.ready = 'true';
}

const office = (globalThis as { Office?: typeof Office }).Office;
if (office?.onReady) {
  void office.onReady(() => start());
} else {
  // Opened outside Office (e.g. straight in a browser): the pane still renders and explains itself.
  void start();
}
