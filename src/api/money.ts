/**
 * Money: Crego sends rupees as JSON numbers with float noise (`36673.740000000005`). Everything
 * shown or summed goes through integer paise, so sums never drift and 2 decimals are exact.
 */

/**
 * Rupees → integer paise, half away from zero. `toPrecision(15)` first removes binary noise so
 * 1.005 (stored as 1.00499999…) rounds to 101 paise, as a person expects.
 */
export function toPaise(rupees: number): number {
  if (typeof rupees !== 'number' || !Number.isFinite(rupees)) throw new RangeError('Amount must be a finite number');
  const scaled = Number((Math.abs(rupees) * 100).toPrecision(15));
  const paise = Math.round(scaled);
  return rupees < 0 ? -paise : paise;
}

/** Integer paise → rupees (exact to 2 decimals as a double can hold it). */
export function fromPaise(paise: number): number {
  return paise / 100;
}

/** Round an amount to paise. */
export function roundMoney(rupees: number): number {
  return fromPaise(toPaise(rupees));
}

/** Sum amounts in paise: `sumMoney([0.1, 0.2]) === 0.3`. */
export function sumMoney(amounts: Iterable<number>): number {
  let paise = 0;
  for (const a of amounts) paise += toPaise(a);
  return fromPaise(paise);
}

/** True when the amount has at most 2 decimals (ignoring float noise). */
export function hasAtMostTwoDecimals(rupees: number): boolean {
  const scaled = Number((rupees * 100).toPrecision(15));
  return Number.isInteger(scaled);
}

const INR = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `₹1,20,000.50`: Indian digit grouping, for messages. */
export function formatInr(rupees: number): string {
  return INR.format(roundMoney(rupees));
}
