/**
 * TEST ONLY: an HTML picture of what CREGO.LOAN's card and the dashboard's risk block hold, for the
 * README screenshot. Excel draws the real card from the entity's `layouts.card` (title, sections of
 * fields, each value with its number format); this draws the same structure with the same formats
 * approximated (₹ with Indian grouping, dd-mmm-yyyy, %), so the picture shows our data, not Excel's UI.
 */
const esc = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const INR = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 2 });
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateText(serial: number): string {
  const d = new Date((serial - 25_569) * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

/** A card property as Excel would show it with its number format. */
function shown(p: { type: string; basicValue: unknown; numberFormat?: string }): string {
  if (p.type !== 'FormattedNumber' || typeof p.basicValue !== 'number') return String(p.basicValue ?? '');
  if (p.numberFormat?.startsWith('₹')) return INR.format(p.basicValue);
  if (p.numberFormat === 'dd-mmm-yyyy') return dateText(p.basicValue);
  if (p.numberFormat?.endsWith('"%"')) return `${p.basicValue.toFixed(2)}%`;
  return String(p.basicValue);
}

function cardHtml(card: any): string {
  const sections = card.layouts.card.sections
    .map(
      (s: any) =>
        `<div class="section"><h4>${esc(s.title)}</h4><dl>${s.properties
          .map((name: string) => `<dt>${esc(name)}</dt><dd>${esc(shown(card.properties[name]))}</dd>`)
          .join('')}</dl></div>`,
    )
    .join('');
  return `<div class="card"><div class="badge">CREGO.LOAN</div><h3>${esc(card.text)}</h3>${sections}</div>`;
}

/** The risk block's cells (from its title row down to the trend), ratios as %, amounts in ₹, plus the trend as a line. */
function blockHtml(values: unknown[][]): string {
  const ratioHeaders = new Set(['par_1', 'par_30', 'par_60', 'par_90', 'npa_share']);
  const moneyHeaders = new Set(['principal_outstanding', 'total_outstanding', 'overdue_outstanding']);
  let header: unknown[] = [];
  const rows = values
    .map((row) => {
      // Each table's header row says how the cells under it are shown (the roll-rate matrix: counts).
      if (row[0] === 'group' || row[0] === 'Month-end' || row[0] === 'from \\ to') header = row;
      const cells = row.map((v, j) => {
        const h = String(header[j] ?? '');
        let text = v === '' || v === null || v === undefined ? '' : String(v);
        if (typeof v === 'number' && (ratioHeaders.has(h) || (row !== header && h === 'par_30'))) text = `${(v * 100).toFixed(2)}%`;
        else if (typeof v === 'number' && moneyHeaders.has(h)) text = INR.format(v);
        const head = row === header;
        return `<td class="${head ? 'h' : typeof v === 'number' ? 'n' : ''}">${esc(text)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  const trend = values.filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(String(r[0])) && typeof r[1] === 'number') as [string, number][];
  const max = Math.max(0.01, ...trend.map((t) => t[1]));
  const points = trend.map(([, v], i) => `${40 + i * 80},${150 - (v / max) * 120}`).join(' ');
  const labels = trend.map(([d, v], i) => `<text x="${40 + i * 80}" y="172" text-anchor="middle">${esc(d.slice(0, 7))}</text><text x="${40 + i * 80}" y="${142 - (v / max) * 120}" text-anchor="middle">${(v * 100).toFixed(1)}%</text>`).join('');
  const chart = `<svg width="480" height="185" role="img" aria-label="PAR 30 at month-end"><text x="240" y="14" text-anchor="middle" class="t">PAR 30 at month-end</text><polyline points="${points}" fill="none" stroke="#0f6cbd" stroke-width="2"/>${labels}</svg>`;
  return `<div class="block"><table>${rows}</table>${chart}</div>`;
}

export function renderPreview(card: any, riskValues: unknown[][]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  body{font:12px "Segoe UI",system-ui,sans-serif;margin:12px;display:flex;gap:16px;align-items:flex-start;color:#242424}
  .card{width:330px;border:1px solid #d1d1d1;border-radius:8px;box-shadow:0 4px 12px rgba(0,0,0,.15);padding:12px 14px;flex:none}
  .card h3{margin:4px 0 8px;font-size:17px}.badge{font-size:10px;color:#616161;text-transform:uppercase;letter-spacing:.05em}
  .section h4{margin:8px 0 2px;font-size:12px;color:#0f6cbd}dl{display:grid;grid-template-columns:1fr auto;margin:0;gap:1px 8px}
  dt{color:#616161}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
  .block{flex:1;min-width:0}table{border-collapse:collapse;font-size:11px}td{border:1px solid #e0e0e0;padding:2px 5px;white-space:nowrap}
  td.n{text-align:right;font-variant-numeric:tabular-nums}td.h{background:#deecf9;font-weight:600}svg text{font-size:10px;fill:#424242}svg .t{font-size:12px;font-weight:600}
  </style></head><body>${cardHtml(card)}${blockHtml(riskValues)}</body></html>`;
}
