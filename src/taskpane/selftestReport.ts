/**
 * The self-test's checks run one after another, each timed, and the plain-text report a user pastes
 * into a support ticket. Host-free: the checks themselves live in selftest.ts. The report carries no
 * token and no account data: only what each check proved about this Excel.
 */

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  /** What was seen (versions, the date system) or why it failed: never an id, amount or token. */
  detail: string;
}

export interface Check {
  name: string;
  run: () => Promise<string>;
}

/** Run every check in order; a failure is recorded and the next check still runs. */
export async function runChecks(checks: readonly Check[], onResult: (r: CheckResult) => void = () => {}, now = () => performance.now()): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const start = now();
    let result: CheckResult;
    try {
      const detail = await check.run();
      result = { name: check.name, ok: true, ms: Math.round(now() - start), detail };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { name: check.name, ok: false, ms: Math.round(now() - start), detail: message };
    }
    results.push(result);
    onResult(result);
  }
  return results;
}

/** Words that must never reach a report: the token, and ids or numbers a check may have met. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  // Bearer tokens and UUID-shaped account ids, whatever produced them.
  return out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]').replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '[id]');
}

export interface ReportContext {
  when: Date;
  addinVersion: string;
  host: string;
  environment: string;
  /** What counted as the pane being opened (README: a hidden runtime's visibilityState is undocumented). */
  paneOpened: string;
}

/** The report as plain text, one line per check. */
export function formatReport(ctx: ReportContext, results: readonly CheckResult[], secrets: readonly string[]): string {
  const passed = results.filter((r) => r.ok).length;
  const lines = [
    'Crego for Excel self-test',
    `When: ${ctx.when.toISOString()}`,
    `Add-in: ${ctx.addinVersion}`,
    `Excel: ${ctx.host}`,
    `Crego environment: ${ctx.environment}`,
    `Pane opened: ${ctx.paneOpened}`,
    `Result: ${passed} of ${results.length} checks passed`,
    '',
    ...results.map((r) => `[${r.ok ? 'PASS' : 'FAIL'}] ${r.name} (${r.ms} ms): ${r.detail}`),
  ];
  return redact(lines.join('\n'), secrets) + '\n';
}
