/**
 * The promise the build makes to Excel: functions.js registers, synchronously at load, exactly
 * the ids functions.json declares. An id in the metadata without an associate call shows #NAME?
 * or #VALUE!; an associate call without metadata is silently ignored.
 */
import vm from 'node:vm';

export function metadataIds(functionsJson: string): string[] {
  const parsed = JSON.parse(functionsJson) as { functions?: { id: string }[] };
  return (parsed.functions ?? []).map((f) => f.id);
}

/**
 * Runs functions.js in a fresh V8 context whose CustomFunctions records associate() calls, and
 * returns the ids registered by the time the script's top level has finished (later calls are
 * too late for Excel's first calculation and are not counted).
 */
export function registeredIds(functionsJs: string): string[] {
  return loadFunctionsScript(functionsJs).ids;
}

/** The ribbon actions functions.js associates (Office.actions.associate) by the end of its top level. */
export function registeredActions(functionsJs: string): string[] {
  return loadFunctionsScript(functionsJs).actions;
}

function loadFunctionsScript(functionsJs: string): { ids: string[]; actions: string[] } {
  const ids: string[] = [];
  const actions: string[] = [];
  const associate = (idOrMap: string | Record<string, unknown>, fn?: unknown) => {
    if (typeof idOrMap === 'string') {
      if (typeof fn !== 'function') throw new Error(`CustomFunctions.associate('${idOrMap}') was given ${typeof fn}, not a function`);
      ids.push(idOrMap);
    } else {
      for (const [id, f] of Object.entries(idOrMap)) {
        if (typeof f !== 'function') throw new Error(`CustomFunctions.associate({${id}}) was given ${typeof f}, not a function`);
        ids.push(id);
      }
    }
  };
  class CustomFunctionsError extends Error {
    constructor(public code: string, message?: string) {
      super(message);
    }
  }
  const stub = {
    associate,
    Error: CustomFunctionsError,
    ErrorCode: { invalidValue: '#VALUE!', notAvailable: '#N/A', divisionByZero: '#DIV/0!', invalidNumber: '#NUM!', nullReference: '#NULL!', invalidName: '#NAME?', invalidReference: '#REF!' },
  };
  const office = {
    actions: {
      associate(id: string, fn: unknown) {
        if (typeof fn !== 'function') throw new Error(`Office.actions.associate('${id}') was given ${typeof fn}, not a function`);
        actions.push(id);
      },
    },
    onReady: () => new Promise(() => undefined), // never ready here: only what runs at load counts
  };
  const sandbox: Record<string, unknown> = { CustomFunctions: stub, Office: office, console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal };
  sandbox.globalThis = sandbox;
  sandbox.window = sandbox;
  sandbox.self = sandbox;
  vm.runInNewContext(functionsJs, sandbox, { filename: 'functions.js' });
  return { ids: [...ids], actions: [...actions] };
}

/**
 * Problems with the built pair (empty when every declared id is registered and nothing else is, and
 * every ribbon action in `ribbonActions` is associated at load).
 */
export function functionsContractProblems(functionsJs: string, functionsJson: string, ribbonActions: readonly string[] = ['refreshAll']): string[] {
  const declared = metadataIds(functionsJson);
  let registered: string[];
  let actions: string[];
  try {
    ({ ids: registered, actions } = loadFunctionsScript(functionsJs));
  } catch (err) {
    return [`functions.js failed while loading: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  if (declared.length === 0) problems.push('functions.json declares no functions.');
  for (const id of declared.filter((id) => !registered.includes(id))) {
    problems.push(`${id} is in functions.json but functions.js never calls CustomFunctions.associate('${id}', …): Excel would show #NAME? or #VALUE!.`);
  }
  for (const id of registered.filter((id) => !declared.includes(id))) {
    problems.push(`functions.js registers ${id}, which functions.json does not declare: Excel ignores it.`);
  }
  for (const id of new Set(registered.filter((id, i) => registered.indexOf(id) !== i))) problems.push(`functions.js registers ${id} more than once.`);
  for (const action of ribbonActions.filter((a) => !actions.includes(a))) {
    problems.push(`functions.js does not call Office.actions.associate('${action}', …) when it loads: the ribbon button's first click could be lost.`);
  }
  return problems;
}
