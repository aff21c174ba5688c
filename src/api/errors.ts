/**
 * Turning an HTTP answer or a transport failure into one `CregoError` with a message a person
 * can read. Messages come from the documented-by-assumption `ErrorBody` (`detail`, `errors`)
 * when present, are stripped of markup, capped in length, and scrubbed of every secret the
 * client knows (tokens, password), so nothing sensitive can reach a cell, a log or a toast.
 */
import { CregoError, type ErrorKind } from './contract';
import type { ErrorBody } from './types';

const MAX_DETAIL = 300;

/** Replace every known secret in a text with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  // A bearer header echoed back by a proxy, whatever the token is.
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer ***');
}

/** A server-provided text made safe to show: no tags, one line, bounded. */
export function cleanText(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}

/** The answer's JSON: an object, or a list (a bulk refusal with one error object per item, DRF `many=True`). */
function parseErrorJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isItemErrorList = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0 && v.every((x) => x === null || isPlainObject(x));

function messagesOf(msgs: unknown): string[] {
  const list = Array.isArray(msgs) ? msgs : [msgs];
  return list.map((m) => cleanText(typeof m === 'string' ? m : JSON.stringify(m)));
}

function fieldErrorsOf(body: Partial<ErrorBody> | undefined): Record<string, string[]> | undefined {
  const errors = body?.errors;
  if (!errors || typeof errors !== 'object') return undefined;
  const out: Record<string, string[]> = {};
  for (const [field, msgs] of Object.entries(errors)) {
    if (isItemErrorList(msgs)) continue; // per-item errors: itemErrorsOf
    out[field] = messagesOf(msgs);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Per-item errors of a bulk request refused as a whole: `errors.items` as a list of objects (our error
 * body), or the whole answer as such a list (Django REST Framework's default for `many=True`).
 */
function itemErrorsOf(json: unknown): Array<Record<string, string[]>> | undefined {
  const list = isItemErrorList(json) ? json : isPlainObject(json) && isPlainObject(json.errors) && isItemErrorList(json.errors.items) ? json.errors.items : undefined;
  if (!list) return undefined;
  return list.map((item) => {
    const out: Record<string, string[]> = {};
    if (isPlainObject(item)) for (const [field, msgs] of Object.entries(item)) out[field] = messagesOf(msgs);
    return out;
  });
}

/** Codes a tenant-licensing 403 may carry (Crego documents none; these are the plain names a DRF app would use). */
const LICENCE_CODES = new Set(['module_not_licensed', 'not_licensed', 'license_required', 'licence_required', 'module_disabled', 'module_not_enabled']);
const LICENCE_WORDS = /\blicen[cs]|\bnot (?:enabled|subscribed) for (?:this|the|your) (?:tenant|company|organi[sz]ation)|\bmodule (?:is )?(?:disabled|not enabled)/i;

/**
 * A 403 that says the tenant has not licensed the module (the newer platform, more-facts-2026.md), as
 * opposed to "this user may not": by the body's `code`, else by its wording. Only when Crego's body says so.
 */
export function isLicensingRefusal(code: unknown, detail: string): boolean {
  return (typeof code === 'string' && LICENCE_CODES.has(code.toLowerCase())) || LICENCE_WORDS.test(detail);
}

export function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 422) return 'validation';
  if (status === 401) return 'auth';
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too_large';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status < 400) return 'server'; // 5xx, or a redirect/informational answer we cannot use
  return 'validation';
}

export interface HttpErrorContext {
  endpoint: string;
  /** The endpoint's name in Crego's docs, used in messages ("Get Summary"). */
  name: string;
  /** Its docs group, which is the module a licence covers ("Topups"). */
  group?: string;
  status: number;
  text: string;
  requestId?: string;
  retryAfterMs?: number;
  secrets: readonly string[];
  /** Override for 401 wording (sign-in vs pasted token). */
  authMessage?: string;
  /** The profile's field renames (theirs → ours) for the error's field and item errors; the message keeps Crego's words. */
  renameFields?: (errors: Record<string, string[]>) => Record<string, string[]>;
}

export function httpError(ctx: HttpErrorContext): CregoError {
  const rename = ctx.renameFields ?? ((errors: Record<string, string[]>) => errors);
  const json = parseErrorJson(ctx.text);
  const body = isPlainObject(json) ? (json as Partial<ErrorBody>) : undefined;
  const itemErrors = itemErrorsOf(json);
  const kind = kindForStatus(ctx.status);
  const detail = typeof body?.detail === 'string' ? cleanText(body.detail) : '';
  const fieldErrors = fieldErrorsOf(body);
  const requestId = ctx.requestId ?? (typeof body?.request_id === 'string' ? body.request_id : undefined);
  const retryAfter = ctx.retryAfterMs !== undefined ? Math.ceil(ctx.retryAfterMs / 1000) : undefined;
  let message: string;
  switch (kind) {
    case 'auth':
      message = ctx.authMessage ?? 'Session expired: sign in again';
      break;
    case 'forbidden':
      // Two different fixes: the tenant must buy or enable a module, or the user must be given a role.
      message = isLicensingRefusal(body?.code, detail)
        ? `Not licensed: ${ctx.group ? `the ${ctx.group} module` : ctx.name} is not licensed for this Crego tenant; ask your Crego administrator to enable it${detail ? ` (Crego: ${detail})` : ''}`
        : `No permission: ${detail || `your Crego user may not use ${ctx.name}`}; ask your Crego administrator for access`;
      break;
    case 'not_found':
      message = `Not found: ${detail || `${ctx.name} found nothing at that id`}`;
      break;
    case 'validation': {
      // Servers often repeat the field messages in `detail`; say each one once.
      const fields = fieldErrors
        ? Object.entries(fieldErrors)
            .map(([f, m]) => [f, m.filter((msg) => !detail.includes(msg))] as const)
            .filter(([, m]) => m.length)
            .map(([f, m]) => `${f}: ${m.join('; ')}`)
            .join('; ')
        : '';
      const items = itemErrors ? `${itemErrors.filter((e) => Object.keys(e).length > 0).length} of ${itemErrors.length} items are invalid` : '';
      message = `Crego refused the request: ${[detail, fields, items].filter(Boolean).join(' — ') || `HTTP ${ctx.status}`}`;
      break;
    }
    case 'conflict':
      message = `Already exists: ${detail || 'Crego reports a conflict with an existing object'}`;
      break;
    case 'too_large':
      message = `Too large: ${detail || 'send fewer items in one request'}`;
      break;
    case 'rate_limited':
      message = `Crego is busy (too many requests)${retryAfter !== undefined ? `: try again in ${retryAfter} s` : ': try again shortly'}`;
      break;
    default:
      message =
        ctx.status === 501
          ? `${ctx.name} is not available on this Crego server (HTTP 501)`
          : `Crego had a problem (HTTP ${ctx.status})${detail ? `: ${detail}` : ''}`;
  }
  if (requestId) message += ` [request ${requestId}]`;
  return new CregoError({
    kind,
    message: redact(message, ctx.secrets),
    status: ctx.status,
    requestId,
    fieldErrors: fieldErrors && rename(JSON.parse(redact(JSON.stringify(fieldErrors), ctx.secrets))),
    itemErrors: itemErrors && (JSON.parse(redact(JSON.stringify(itemErrors), ctx.secrets)) as Array<Record<string, string[]>>).map(rename),
    endpoint: ctx.endpoint,
    retryAfter,
  });
}

export function plainError(kind: ErrorKind, message: string, endpoint?: string, status?: number): CregoError {
  return new CregoError({ kind, message, endpoint, status });
}
