#!/usr/bin/env node
// The `crego` command. Runs the TypeScript sources through tsx so the CLI, the server and the
// add-in share one code base with no separate Node build step.
import { register } from 'tsx/esm/api';

register();
// `crego fn LOANS | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
