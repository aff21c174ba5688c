/**
 * Where the pane is running, and when the user can see it.
 *
 * Outside Excel (the page opened in a browser, or a host too old for the Office APIs the add-in
 * uses) the pane says so and which Excel it needs, instead of failing on the first click with
 * "Excel is not defined". In Excel, the shared runtime also loads this page, hidden, when a CREGO
 * cell calculates on workbook open; the pane then does nothing (no network, no Excel request, no
 * protection change) until the user opens it.
 */

/** What the add-in needs: the manifest's SharedRuntime 1.1 and the newest ExcelApi set it uses without a check. */
export const REQUIRED_SETS = [
  { name: 'SharedRuntime', version: '1.1' },
  { name: 'ExcelApi', version: '1.9' },
] as const;

export const EXCEL_VERSIONS = 'Excel for Microsoft 365 (Windows build 2002 or later, Mac 16.35 or later), Excel 2021 or later, or Excel on the web';

interface OfficeLike {
  context?: { requirements?: { isSetSupported(name: string, version?: string): boolean } };
  addin?: { onVisibilityModeChanged?(handler: (args: { visibilityMode: string }) => void): Promise<unknown> };
}

/** null when the pane can work here; else the sentence it shows. */
export function hostProblem(office: OfficeLike | undefined, info: { host?: unknown } | undefined): string | null {
  if (!office || !info || info.host !== 'Excel') {
    return `Crego for Excel runs inside Excel: open it there with Home › Open Crego (${EXCEL_VERSIONS}). Opened in a browser, this page cannot reach a workbook.`;
  }
  const missing = REQUIRED_SETS.filter((s) => {
    try {
      return !office.context?.requirements?.isSetSupported(s.name, s.version);
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    return `This Excel is too old for Crego for Excel (it lacks ${missing.map((s) => `${s.name} ${s.version}`).join(' and ')}): use ${EXCEL_VERSIONS}.`;
  }
  return null;
}

/** What told the pane that the user can see it (the self-test's report names it). */
export type ShownBy = 'visible at start' | 'page became visible' | 'Office visibility event' | 'first click or key';
let shownBy: ShownBy | null = null;

/** What counted as the pane being opened, once it has been. */
export function paneShownBy(): ShownBy | null {
  return shownBy;
}

/**
 * Run `work` once the user can see the pane: Office's visibility event (SharedRuntime 1.1), the page
 * becoming visible, or the first click, key or focus in it. A page already visible when it starts
 * (the pane opened with Open Crego) runs it at once. Office does not document what a hidden shared
 * runtime's page reports as `document.visibilityState`; the README says what was chosen, and the
 * self-test's report says which signal came, so a report from real Excel shows it.
 */
export function whenShown(office: OfficeLike | undefined, work: () => void): void {
  const events = ['pointerdown', 'keydown', 'focusin'] as const;
  const go = (by: ShownBy) => {
    if (shownBy) return;
    shownBy = by;
    document.removeEventListener('visibilitychange', onVisibility);
    for (const e of events) document.removeEventListener(e, onInput, true);
    work();
  };
  const onVisibility = () => {
    if (document.visibilityState === 'visible') go('page became visible');
  };
  const onInput = () => go('first click or key');
  if (document.visibilityState === 'visible') return go('visible at start');
  document.addEventListener('visibilitychange', onVisibility);
  for (const e of events) document.addEventListener(e, onInput, true);
  void office?.addin
    ?.onVisibilityModeChanged?.((args) => {
      if (args.visibilityMode === 'Taskpane') go('Office visibility event');
    })
    ?.catch(() => undefined);
}
