/**
 * Business-day arithmetic for the sandbox, in whole IST calendar days.
 *
 * The design keeps the sandbox independent of src/api (it imports only the endpoint map), so it
 * carries this small copy of the one rule it needs: a business date is a calendar day in
 * Asia/Kolkata (UTC+05:30, no daylight saving), sent as the epoch second at the end of that day
 * (`x.999999`). Internally a date is a day number: days since 1970-01-01 (IST calendar).
 */

const IST_OFFSET_SECONDS = 19_800;
const SECONDS_PER_DAY = 86_400;

/** Epoch seconds (any instant) → the IST calendar day it falls on. */
export function dayOf(epochSeconds: number): number {
  return Math.floor((epochSeconds + IST_OFFSET_SECONDS) / SECONDS_PER_DAY);
}

/** IST day number → epoch seconds at 23:59:59.999999 IST that day (Crego's business-date form). */
export function endOfDay(day: number): number {
  return Number((day * SECONDS_PER_DAY - IST_OFFSET_SECONDS + SECONDS_PER_DAY - 0.000001).toFixed(6));
}

/** Today's IST calendar day. */
export function today(nowMs = Date.now()): number {
  return dayOf(nowMs / 1000);
}

/** Day number → {y, m (1-12), d}. Civil-calendar algorithm (proleptic Gregorian). */
export function civil(day: number): { y: number; m: number; d: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** {y, m, d} → day number. */
export function dayFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  return dayFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - dayFromCivil(y, m, 1);
}

/**
 * The same day of the month `n` months later (or earlier), clamped to the month's last day;
 * `anchorDay` keeps a schedule on its day (31 Jan → 28 Feb → 31 Mar, not 28 Mar).
 */
export function addMonths(day: number, n: number, anchorDay?: number): number {
  const { y, m, d } = civil(day);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return dayFromCivil(ny, nm, Math.min(anchorDay ?? d, daysInMonth(ny, nm)));
}

/** `YYYY-MM-DD` → day number, or null when it is not a real date. */
export function parseIsoDay(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return dayFromCivil(y, mo, d);
}

/** Day number → `YYYY-MM-DD`. */
export function isoOf(day: number): string {
  const { y, m, d } = civil(day);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
