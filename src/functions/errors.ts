/**
 * What a cell shows when something goes wrong: `#N/A` or `#VALUE!` with one human sentence,
 * never a stack trace or a token. Every failure inside the functions becomes a `CellError`
 * (host-free, so the CLI and tests use it as is); only the outermost wrapper turns it into a
 * `CustomFunctions.Error` when running inside Excel.
 */
import { isCregoError, type CregoError } from '../api/contract';

export type CellErrorCode = '#N/A' | '#VALUE!';

export class CellError extends Error {
  constructor(
    readonly code: CellErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CellError';
  }
}

export const SIGN_IN_MESSAGE = 'Sign in to Crego in the task pane';
export const UNREACHABLE_MESSAGE = 'Crego unreachable, will retry on refresh';
/** A cell's own stop, or its request given up at the request's own timeout (a slow or trickling answer). */
export const TIMEOUT_MESSAGE = 'Crego did not answer in time, will retry on refresh';

/** Argument problems: `#VALUE!` naming the argument and the fix. */
export function badArgument(message: string): CellError {
  return new CellError('#VALUE!', message);
}

export interface ErrorContext {
  /** The account the call was about, for "No account 'x'". */
  account?: string;
}

/** Any failure → the `CellError` a cell shows. */
export function toCellError(error: unknown, context: ErrorContext = {}): CellError {
  if (error instanceof CellError) return error;
  if (isCregoError(error)) return fromCregoError(error, context);
  // A bug of ours: say so plainly; the details stay out of the cell.
  return new CellError('#VALUE!', 'Crego for Excel hit an unexpected problem; refresh to retry');
}

function fromCregoError(error: CregoError, context: ErrorContext): CellError {
  switch (error.kind) {
    case 'not_found':
      return new CellError('#N/A', context.account !== undefined ? `No account '${context.account}'` : error.message);
    case 'validation':
      return new CellError('#VALUE!', error.message);
    case 'auth':
    case 'config':
      return new CellError('#N/A', SIGN_IN_MESSAGE);
    case 'forbidden':
      return new CellError('#N/A', error.message);
    case 'rate_limited':
      return new CellError('#N/A', `${error.message}; will retry on refresh`);
    case 'cancelled':
      return new CellError('#N/A', 'Cancelled');
    case 'timeout':
      return new CellError('#N/A', TIMEOUT_MESSAGE);
    case 'network':
    case 'server':
    case 'unknown_outcome':
      return new CellError('#N/A', UNREACHABLE_MESSAGE);
    default:
      return new CellError('#N/A', error.message);
  }
}

interface CustomFunctionsGlobal {
  Error: new (code: CustomFunctions.ErrorCode, message?: string) => CustomFunctions.Error;
  ErrorCode?: Record<string, CustomFunctions.ErrorCode>;
}

/** Our codes by their names in `CustomFunctions.ErrorCode`. */
const ERROR_CODE_NAMES: Record<CellErrorCode, string> = { '#N/A': 'notAvailable', '#VALUE!': 'invalidValue' };

/**
 * The value Excel needs: a `CustomFunctions.Error` inside Excel (or a test double of it), the
 * `CellError` itself elsewhere (the CLI prints it).
 */
export function toExcelError(error: CellError): CustomFunctions.Error | CellError {
  const runtime = (globalThis as { CustomFunctions?: CustomFunctionsGlobal }).CustomFunctions;
  if (!runtime?.Error) return error;
  // Excel's ErrorCode values are the cell texts ('#N/A'); the enum is still asked by name, so a
  // runtime whose values differ gets its own.
  const code = runtime.ErrorCode?.[ERROR_CODE_NAMES[error.code]] ?? (error.code as CustomFunctions.ErrorCode);
  return new runtime.Error(code, error.message);
}
