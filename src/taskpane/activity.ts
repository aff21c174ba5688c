/** Activity: the latest pushes and refreshes, read back from the workbook's Crego Log sheet. */
import { readLog } from '../excel/log';
import { excelRun } from '../excel/run';
import { busy, byId, el, messageOf, say, setChildren } from './dom';

const SHOWN = 20;

/** A log row's "When" serial (IST wall clock) as the engine stamps it: `2024-01-05 10:30 IST`. */
function serialStamp(serial: number): string {
  const ms = Math.round((serial - 25569) * 1440) * 60_000; // whole minutes since 1970, read as UTC wall clock
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} IST`;
}

export async function loadActivity(): Promise<number> {
  const view = await excelRun((ctx) => readLog(ctx, SHOWN));
  const list = byId('activity-list');
  const col = (name: string) => view.headers.indexOf(name);
  const items = view.rows.map((row) => {
    const get = (name: string) => (col(name) >= 0 ? String(row[col(name)] ?? '') : '');
    const kind = get('Kind');
    const headline =
      kind === 'refresh'
        ? `Refreshed ${get('Sheet').toLowerCase()}`
        : `${get('Dry run') === 'yes' ? 'Dry run' : 'Push'} of ${get('Sheet')} (${kind}): posted ${get('Posted')}, failed ${get('Failed')}, invalid ${get('Invalid')}, skipped ${get('Skipped')}${get('Cancelled') === 'yes' ? ', cancelled' : ''}`;
    const when = col('When') >= 0 ? row[col('When')] : '';
    const meta = [typeof when === 'number' ? serialStamp(when) : String(when ?? ''), get('Environment'), get('Batch id')].filter(Boolean).join(' · ');
    return el('li', { 'data-kind': kind }, headline, el('span', { class: 'meta' }, meta));
  });
  setChildren(list, ...items);
  say(byId('activity-status'), items.length === 0 ? 'Nothing yet: pushes and refreshes appear here.' : '', 'info');
  return items.length;
}

export function setupActivity(): void {
  const button = byId<HTMLButtonElement>('activity-reload');
  button.addEventListener('click', () =>
    void busy(button, async () => {
      try {
        await loadActivity();
      } catch (error) {
        say(byId('activity-status'), messageOf(error), 'error');
      }
    }),
  );
}
