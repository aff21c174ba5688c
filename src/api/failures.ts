/**
 * The CregoError a call ends with when it gives up (retry.ts decides that it does, and why). Messages
 * say what happened and what to do, in words a person acts on; never a token (httpError redacts).
 */
import { CregoError } from './contract';
import { httpError } from './errors';
import { renameFieldErrors, type ResolvedEndpoint } from './profile';
import type { AttemptFailure, GiveUp } from './retry';
import type { WireResponse } from './transport';

export interface FailureContext {
  baseUrl: string;
  timeoutMs: number;
  secrets: readonly string[];
  /** The 401 wording for API calls (sign-in vs pasted token). */
  expiredMessage: string;
}

export function cancelledError(key: string): CregoError {
  return new CregoError({ kind: 'cancelled', endpoint: key, message: 'Cancelled' });
}

/** The CregoError for a call that gives up; `res` is the last answer when there was one. */
export function giveUpError(ep: ResolvedEndpoint, why: GiveUp, res: WireResponse | undefined, retryAfterMs: number | undefined, ctx: FailureContext): CregoError {
  switch (why.error) {
    case 'cancelled':
      return cancelledError(ep.key);
    case 'timeout':
      return new CregoError({ kind: 'timeout', endpoint: ep.key, message: `Crego did not answer ${ep.name} within ${duration(ctx.timeoutMs)}` });
    case 'network':
      return new CregoError({ kind: 'network', endpoint: ep.key, code: why.code, message: `Could not reach Crego at ${hostOf(ctx.baseUrl)}${why.code ? ` (${why.code})` : ''}: check the connection` });
    case 'unknown_outcome':
      return unknownOutcome(ep, why.why, ctx.timeoutMs, why.status);
    case 'http':
      return httpError({
        endpoint: ep.key,
        name: ep.name,
        group: ep.group,
        status: why.status,
        text: res?.text ?? '',
        requestId: res?.header('x-request-id') ?? undefined,
        retryAfterMs,
        secrets: ctx.secrets,
        authMessage: ep.noAuth ? 'Sign-in failed: check the username and password' : ctx.expiredMessage,
        renameFields: (errors) => renameFieldErrors(ep, errors) ?? errors,
      });
  }
}

/** A write that may or may not have been acted on: never sent again, and the person is told to check. */
export function unknownOutcome(ep: ResolvedEndpoint, why: AttemptFailure['kind'] | 'gateway' | 'unreadable', timeoutMs: number, status?: number): CregoError {
  const cause =
    why === 'timeout'
      ? `no answer within ${duration(timeoutMs)}`
      : why === 'cancelled'
        ? 'it was cancelled after being sent'
        : why === 'gateway'
          ? `a gateway error (HTTP ${status})`
          : why === 'unreadable'
            ? `HTTP ${status}, but the answer is not JSON`
            : 'the connection dropped before the answer';
  return new CregoError({
    kind: 'unknown_outcome',
    endpoint: ep.key,
    status,
    message: `${ep.name}: Crego may or may not have done this (${cause}). It was not sent again: check in Crego before retrying`,
  });
}

/** The same error, saying an earlier attempt of the call may have been acted on (`unknown_outcome` says so already). */
export function withEarlierAttemptUnknown(err: unknown): unknown {
  if (!(err instanceof CregoError) || err.kind === 'unknown_outcome' || err.earlierAttemptUnknown) return err;
  return new CregoError({ ...err, message: err.message, earlierAttemptUnknown: true });
}

/** `30 s`, or `150 ms` below a second. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function hostOf(baseUrl: string): string {
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(baseUrl);
  return m ? m[1] : baseUrl || 'the configured address';
}
