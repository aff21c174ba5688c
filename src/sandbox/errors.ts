/** The one error body of docs/api-assumptions.md: `{detail, code, errors?, request_id}`. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: Record<string, string[]>,
    readonly extra?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

/** 400 with per-field messages; `detail` repeats them so a person reading only `detail` still learns the fix. */
export function validationError(errors: Record<string, string[]>): HttpError {
  const parts = Object.entries(errors).map(([f, msgs]) => `${f}: ${msgs.join(' ')}`);
  return new HttpError(400, 'invalid', `Invalid input. ${parts.join('; ')}`, errors);
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `No ${what} with id '${id}'.`);
