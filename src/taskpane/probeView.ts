/** "Check connection": the conformance probe (src/api/probe.ts) shown endpoint by endpoint. */
import type { CregoClient } from '../api/contract';
import { runProbe as probe } from '../api/probe';
import { byId, el, setChildren } from './dom';

export async function runProbe(client: CregoClient): Promise<boolean> {
  const box = byId('probe');
  box.hidden = false;
  byId('probe-summary').textContent = 'Checking the API…';
  setChildren(byId('probe-list'));
  const report = await probe(client);
  const conforming = report.counts.conforming ?? 0;
  const skipped = report.counts.skipped ?? 0;
  const tried = report.results.length - skipped;
  const skippedText = skipped > 0 ? ` (${skipped} not tried: nothing to try them with)` : '';
  byId('probe-summary').textContent = report.ok
    ? `All ${tried} endpoints tried answered as expected${skippedText}.`
    : `${conforming} of ${tried} endpoints tried answered as expected; the others are listed with what differs${skippedText}.`;
  const items = report.results.map((r) => {
    const ok = r.status === 'conforming' ? 'true' : r.status === 'skipped' ? 'skipped' : 'false';
    const mark = ok === 'true' ? '✓' : ok === 'skipped' ? '–' : '✗';
    return el('li', { 'data-ok': ok, 'data-key': r.key }, `${mark} ${r.name} (${r.method} ${r.path}): `, r.message);
  });
  setChildren(byId('probe-list'), ...items);
  return report.ok;
}
