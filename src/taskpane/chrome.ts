/** The parts of the page every section shares: tabs, the environment chip and the PRODUCTION banner. */
import { byId } from './dom';
import { ENVIRONMENTS, type EnvironmentId } from './environments';

/** WAI-ARIA tabs: click or arrow keys / Home / End move between sections. */
export function setupTabs(onShow?: (panelId: string) => void): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const show = (tab: HTMLButtonElement, focus: boolean) => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      byId(t.getAttribute('aria-controls')!).hidden = !selected;
    }
    if (focus) tab.focus();
    onShow?.(tab.getAttribute('aria-controls')!);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => show(tab, false));
    tab.addEventListener('keydown', (e) => {
      const next =
        e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] :
        e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] :
        e.key === 'Home' ? tabs[0] :
        e.key === 'End' ? tabs[tabs.length - 1] : null;
      if (next) {
        e.preventDefault();
        show(next, true);
      }
    });
  });
}

/** Header chip and red banner: the banner shows whenever Production is selected or connected. */
export function showEnvironment(env: EnvironmentId | null, production: boolean, connected: boolean): void {
  const chip = byId('env-chip');
  const label = env ? ENVIRONMENTS.find((e) => e.id === env)?.label ?? env : 'Not connected';
  chip.textContent = connected ? label : `${label} · not connected`;
  chip.dataset.env = production ? 'production' : env ?? 'none';
  byId('prod-banner').hidden = !production;
}
