/**
 * Excel audit finding 4: a cell must never wait on an `Excel.run` issued during a calculation. The
 * add-in's own runtime (the one functions.ts builds) takes the workbook's date system from the pane
 * or the ribbon; here Excel would never answer an `Excel.run`, and the cells answer anyway.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activeRuntime } from '../../src/functions/runtime';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { errorOf, installCustomFunctions, invocation } from './custom-functions-stub';

let sandbox: RunningSandbox;
const excelRuns: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ accounts: 5, today: '2026-01-15', faults: '', quiet: true });
  installCustomFunctions();
  // An Excel whose batches never come back (as in a calculation that holds them), and Office ready.
  (globalThis as any).Excel = { run: () => (excelRuns.push('Excel.run'), new Promise(() => undefined)) };
  (globalThis as any).Office = { onReady: async () => ({ host: 'Excel' }) };
});

afterAll(async () => {
  delete (globalThis as any).Excel;
  delete (globalThis as any).Office;
  activeRuntime()?.disconnect();
  await sandbox?.close();
});

it('a date-bearing CREGO cell of the add-in’s own runtime answers without any Excel.run; a handed-over 1904 system moves it', async () => {
  const CREGO = await import('../../src/functions/functions');
  const rt = activeRuntime()!;
  rt.configure({ baseUrl: sandbox.url, token: sandbox.token, environment: 'sandbox' });
  const loans = await activeLoans();
  const id = loans.results[0]!.account;
  const due = (await CREGO.outstanding(id, 'next_due_date', 0, invocation()))[0]![0];
  expect(typeof due).toBe('number');
  expect(excelRuns).toEqual([]);
  expect(rt.setDateSystem(1904)).toBe(true);
  expect((await CREGO.outstanding(id, 'next_due_date', 0, invocation()))[0]![0]).toBe((due as number) - 1462);
  expect(excelRuns).toEqual([]);
});

it('a value preview of the add-in’s own runtime answers at once ("return a mock value"): from the cache, else a hint, never a request', async () => {
  const CREGO = await import('../../src/functions/functions');
  const rt = activeRuntime()!;
  rt.configure({ baseUrl: sandbox.url, token: sandbox.token, environment: 'sandbox' });
  const loans = await activeLoans();
  const before = sandbox.stats().requests;
  const preview = errorOf(CREGO.emis(loans.results[1]!.account, invocation({ preview: true })));
  // Settles within a few turns of the event loop, not after a wait for the formula to be committed.
  const settled = await Promise.race([preview.then(() => 'settled'), turns(20).then(() => 'still waiting')]);
  expect(settled).toBe('settled');
  expect(await preview).toEqual({ code: '#N/A', message: 'Preview only: press Enter to fetch from Crego' });
  expect(sandbox.stats().requests).toBe(before);
});

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

async function activeLoans(): Promise<{ results: { account: string }[] }> {
  const res = await fetch(`${sandbox.url}/v1/lms/loans/?status=active&page_size=5`, { headers: { Authorization: `Bearer ${sandbox.token}` } });
  return (await res.json()) as { results: { account: string }[] };
}
