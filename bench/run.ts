/**
 * `npm run bench [-- --json] [-- --only NAME]`: runs every benchmark module in bench/ and prints,
 * for each, its figures next to a baseline measured in the same run. With --json the output is one
 * JSON object `{ <name>: {…figures} }`.
 *
 * A benchmark module exports `name` and `run(opts): Promise<Record<string, unknown>>`; it prints its
 * own human lines to stderr so stdout stays machine-readable under --json.
 */
export interface BenchModule {
  name: string;
  run(opts: { json: boolean }): Promise<Record<string, unknown>>;
}

const MODULES: Record<string, () => Promise<BenchModule>> = {
  functions: () => import('./functions'),
  bulk: () => import('./bulk'),
  portfolio: () => import('./portfolio'),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const results: Record<string, unknown> = {};
  for (const [name, load] of Object.entries(MODULES)) {
    if (only && only !== name) continue;
    const mod = await load();
    results[name] = await mod.run({ json });
  }
  if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
