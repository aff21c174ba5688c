/**
 * Small body validators: each collects a message per field instead of stopping at the first, so a
 * bulk row reports everything wrong with it at once.
 */
import { dayOf, parseIsoDay } from './days';
import { paise } from './math';

export class Fields {
  readonly errors: Record<string, string[]> = {};
  constructor(readonly body: Record<string, unknown>) {}

  fail(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  has(field: string): boolean {
    const v = this.body[field];
    return v !== undefined && v !== null && v !== '';
  }

  string(field: string, opts: { required?: boolean; max?: number } = {}): string | null {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.fail(field, 'This field is required.');
      return null;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.fail(field, 'Must be a string.');
      return null;
    }
    const s = String(v).trim();
    if (opts.required && s === '') this.fail(field, 'This field may not be blank.');
    if (opts.max && s.length > opts.max) this.fail(field, `At most ${opts.max} characters.`);
    return s;
  }

  number(field: string, opts: { required?: boolean; min?: number; max?: number; integer?: boolean; positive?: boolean } = {}): number | null {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.fail(field, 'This field is required.');
      return null;
    }
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      this.fail(field, `A number is required, got ${JSON.stringify(v)}.`);
      return null;
    }
    if (opts.integer && !Number.isInteger(n)) this.fail(field, 'Must be a whole number.');
    else if (opts.positive && n <= 0) this.fail(field, 'Must be greater than 0.');
    else if (opts.min !== undefined && n < opts.min) this.fail(field, `Must be at least ${opts.min}.`);
    else if (opts.max !== undefined && n > opts.max) this.fail(field, `Must be at most ${opts.max}.`);
    return n;
  }

  /** Rupee amount → paise; refuses more than 2 decimals rather than silently rounding money. */
  amount(field: string, opts: { required?: boolean; allowZero?: boolean } = {}): number | null {
    const n = this.number(field, { required: opts.required, min: 0 });
    if (n === null) return null;
    if (!opts.allowZero && n <= 0) {
      this.fail(field, 'Must be greater than 0.');
      return null;
    }
    if (!Number.isInteger(Number((n * 100).toPrecision(15)))) {
      this.fail(field, 'At most 2 decimal places (paise).');
      return null;
    }
    if (n > 1e11) {
      this.fail(field, 'Too large.');
      return null;
    }
    return paise(n);
  }

  /** A business date as epoch seconds (a `YYYY-MM-DD` string is accepted too) → IST day number. */
  day(field: string, opts: { required?: boolean } = {}): number | null {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') {
      if (opts.required) this.fail(field, 'This field is required.');
      return null;
    }
    return parseDayValue(v, (m) => this.fail(field, m));
  }

  choice<T extends string | number>(field: string, options: readonly T[], fallback: T): T {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') return fallback;
    const hit = options.find((o) => String(o) === String(v));
    if (hit === undefined) {
      this.fail(field, `Must be one of: ${options.join(', ')}.`);
      return fallback;
    }
    return hit;
  }

  bool(field: string, fallback: boolean): boolean {
    const v = this.body[field];
    if (v === undefined || v === null || v === '') return fallback;
    if (v === true || v === 'true' || v === 1) return true;
    if (v === false || v === 'false' || v === 0) return false;
    this.fail(field, 'Must be true or false.');
    return fallback;
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function parseDayValue(v: unknown, fail: (m: string) => void): number | null {
  if (typeof v === 'string' && ISO.test(v)) {
    // Not Date.parse: it rolls '2025-02-30' over to 2 March instead of refusing it.
    const day = parseIsoDay(v);
    if (day === null) fail(`'${v}' is not a real date.`);
    return day;
  }
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 32_503_680_000) {
    fail(`A date is required as epoch seconds (e.g. 1704479399.999999), got ${JSON.stringify(v)}.`);
    return null;
  }
  return dayOf(n);
}
