/** Checks of an .xlsx package as the format defines it: every part once, no relationship pointing at a missing part. */
import { posix } from 'node:path';
import yauzl from 'yauzl';
import { resolveTarget } from '../../src/bulk/node/xlsx-package';

export async function packageProblems(file: string): Promise<string[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const names: string[] = [];
  const rels = new Map<string, string>();
  for await (const entry of zip.eachEntry()) {
    names.push(entry.fileName);
    if (entry.fileName.endsWith('.rels')) {
      const chunks: Buffer[] = [];
      for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
      rels.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
    }
  }
  zip.close();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) problems.push(`part ${n} is in the package twice`);
    seen.add(n.toLowerCase());
  }
  for (const [path, xml] of rels) {
    for (const m of xml.matchAll(/<Relationship\b[^>]*>/g)) {
      if (/TargetMode="External"/.test(m[0])) continue;
      const target = /Target="([^"]*)"/.exec(m[0])?.[1];
      if (target && !seen.has(resolveTarget(path, target).toLowerCase())) problems.push(`${path} points at ${posix.normalize(target)}, which is not in the package`);
    }
  }
  return problems;
}
