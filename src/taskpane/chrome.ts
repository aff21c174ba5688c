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
    fitTabs();
    if (focus) tab.focus();
    onShow?.(tab.getAttribute('aria-controls')!);
  };
  setupOverflow(tabs, (tab) => show(tab, true));
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

/**
 * Keep the tabs on one row: the sections that do not fit (from the end, never the selected one)
 * leave the row for the ⋯ menu beside it, as Office's own panes do at narrow widths.
 */
function fitTabs(): void {
  const nav = document.querySelector<HTMLElement>('[role="tablist"]');
  const more = document.getElementById('tab-more');
  const menu = document.getElementById('tab-menu');
  if (!nav || !more || !menu) return;
  const tabs = [...nav.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  for (const t of tabs) t.hidden = false;
  more.hidden = true;
  if (nav.scrollWidth <= nav.clientWidth) return closeMenu();
  more.hidden = false;
  for (const t of [...tabs].reverse()) {
    if (nav.scrollWidth <= nav.clientWidth) break;
    if (t.getAttribute('aria-selected') !== 'true') t.hidden = true;
  }
}

function closeMenu(): void {
  const more = document.getElementById('tab-more');
  const menu = document.getElementById('tab-menu');
  if (!more || !menu) return;
  menu.hidden = true;
  more.setAttribute('aria-expanded', 'false');
}

function setupOverflow(tabs: HTMLButtonElement[], select: (tab: HTMLButtonElement) => void): void {
  const more = document.getElementById('tab-more');
  const menu = document.getElementById('tab-menu');
  if (!more || !menu) return;
  const items = () => [...menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
  const open = () => {
    menu.replaceChildren(
      ...tabs.filter((t) => t.hidden).map((t) => {
        const item = document.createElement('button');
        item.type = 'button';
        item.setAttribute('role', 'menuitem');
        item.textContent = t.textContent;
        item.tabIndex = -1;
        item.addEventListener('click', () => {
          closeMenu();
          select(t);
        });
        return item;
      }),
    );
    menu.hidden = false;
    more.setAttribute('aria-expanded', 'true');
    items()[0]?.focus();
  };
  more.addEventListener('click', () => (menu.hidden ? open() : closeMenu()));
  menu.addEventListener('keydown', (e) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      closeMenu();
      more.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      list[(at + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length]?.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (!menu.hidden && !more.contains(e.target as Node) && !menu.contains(e.target as Node)) closeMenu();
  });
  new ResizeObserver(() => fitTabs()).observe(document.body);
  fitTabs();
}

/** Header chip and red banner: the banner shows whenever Production is selected or connected. */
export function showEnvironment(env: EnvironmentId | null, production: boolean, connected: boolean): void {
  const chip = byId('env-chip');
  const label = env ? ENVIRONMENTS.find((e) => e.id === env)?.label ?? env : 'Not connected';
  chip.textContent = connected ? label : `${label} · not connected`;
  chip.dataset.env = production ? 'production' : env ?? 'none';
  byId('prod-banner').hidden = !production;
}
