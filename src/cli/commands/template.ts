/**
 * `crego template <records|fees|topups> FILE.xlsx`: write a ready-to-fill bulk sheet (stamp, header
 * notes, dropdowns, example row, result columns). Refuses to overwrite a file unless --force, and
 * then keeps the old one as `<file>.bak`.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getKind, KIND_NAMES } from '../../bulk/kinds';
import { buildTemplate } from '../../bulk/node/template-file';
import { writeWorkbookAtomically } from '../../bulk/node/workbook';

export const summary = `Write a bulk sheet template: crego template <${KIND_NAMES.join('|')}> FILE.xlsx [--force]`;

const USAGE = `Usage: crego template <${KIND_NAMES.join('|')}> FILE.xlsx [--force]`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`crego template: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [kindName, file] = parsed.positionals;
  const kind = kindName ? getKind(kindName) : undefined;
  if (!kind || !file || parsed.positionals.length > 2) {
    process.stderr.write(`crego template: ${!kind && kindName ? `unknown sheet kind '${kindName}'` : 'missing arguments'}\n${USAGE}\n`);
    return 2;
  }
  if (!file.toLowerCase().endsWith('.xlsx')) {
    process.stderr.write(`crego template: the template is an Excel workbook; name it *.xlsx\n`);
    return 2;
  }
  const exists = existsSync(file);
  if (exists && !parsed.values.force) {
    process.stderr.write(`crego template: ${file} already exists; pass --force to replace it (the old file is kept as ${file}.bak)\n`);
    return 2;
  }
  await writeWorkbookAtomically(buildTemplate(kind), file, exists);
  process.stdout.write(`Wrote ${file}: a ${kind.name} sheet. Fill rows from row 3 down (the grey example row is never sent), then: crego push ${kind.name} ${file}\n`);
  return 0;
}
