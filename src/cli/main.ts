/**
 * `crego <command> [args…]`: a table of commands, each in its own module under ./commands,
 * loaded only when used so `crego fn` does not pay for the sandbox or the spreadsheet library.
 *
 * A command module exports `run(args: string[]): Promise<number>` (the exit code) and
 * `summary` (one line for the help text). Exit codes: 0 ok, 1 the work found failures,
 * 2 usage or configuration error.
 */

export interface CommandModule {
  summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  serve: () => import('./commands/serve'),
  sandbox: () => import('./commands/sandbox'),
  doctor: () => import('./commands/doctor'),
  fn: () => import('./commands/fn'),
  template: () => import('./commands/template'),
  push: () => import('./commands/push'),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`crego: unknown command '${name}'. Run 'crego --help' for the list.\n`);
    return 2;
  }
  const mod = await load();
  try {
    return await mod.run(rest);
  } catch (err) {
    // Last line of defence: a person sees a message, never a stack trace (set CREGO_DEBUG=1 for one).
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`crego ${name}: ${message}\n`);
    if (process.env.CREGO_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

async function printHelp(): Promise<void> {
  const lines = ['Usage: crego <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = '';
    try {
      summary = (await load()).summary;
    } catch {
      summary = '(not available in this build)';
    }
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
