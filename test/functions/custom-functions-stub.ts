/**
 * A test double of Excel's custom-functions runtime: `CustomFunctions.Error`/`ErrorCode` as globals,
 * and invocations that record `onCanceled` and `setResult` the way Excel drives them.
 * This is the only fake in the functions tests; everything behind it is real HTTP to the sandbox.
 */
export class StubCustomFunctionError {
  constructor(
    readonly code: string,
    readonly message?: string,
  ) {}
}

export function installCustomFunctions(): void {
  (globalThis as Record<string, unknown>).CustomFunctions = {
    Error: StubCustomFunctionError,
    ErrorCode: {
      invalidValue: '#VALUE!',
      notAvailable: '#N/A',
      divisionByZero: '#DIV/0!',
      invalidNumber: '#NUM!',
      nullReference: '#NULL!',
      invalidName: '#NAME?',
      invalidReference: '#REF!',
    },
    associate: () => undefined,
  };
}

export interface TestInvocation extends CustomFunctions.CancelableInvocation {
  /** What Excel does when the cell is edited, deleted or recalculated with new arguments. */
  cancel(): void;
}

export function invocation(options: { preview?: boolean } = {}): TestInvocation {
  const inv: TestInvocation = {
    functionName: 'test',
    isInValuePreview: (options.preview ?? false) as unknown as string,
    cancel: () => inv.onCanceled?.(),
  };
  return inv;
}

export interface TestStream extends CustomFunctions.StreamingInvocation<unknown> {
  results: unknown[];
  cancel(): void;
  /** Resolves with the n-th result (1-based) once it has been set. */
  result(n: number): Promise<unknown>;
}

export function streamingInvocation(options: { preview?: boolean } = {}): TestStream {
  const waiting: Array<{ n: number; resolve: (v: unknown) => void }> = [];
  const inv: TestStream = {
    functionName: 'LIVE',
    isInValuePreview: (options.preview ?? false) as unknown as string,
    results: [],
    setResult: (value) => {
      inv.results.push(value);
      for (const w of [...waiting]) {
        if (inv.results.length >= w.n) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(inv.results[w.n - 1]);
        }
      }
    },
    cancel: () => inv.onCanceled?.(),
    result: (n) =>
      inv.results.length >= n ? Promise.resolve(inv.results[n - 1]) : new Promise((resolve) => waiting.push({ n, resolve })),
  };
  return inv;
}

/** The error a function threw or returned in a cell, as {code, message}. */
export async function errorOf(promise: Promise<unknown>): Promise<StubCustomFunctionError> {
  try {
    const value = await promise;
    throw new Error(`expected an Excel error, got ${JSON.stringify(value)}`);
  } catch (error) {
    if (error instanceof StubCustomFunctionError) return error;
    throw error;
  }
}
