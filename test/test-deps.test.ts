/** scripts/test-deps.mjs: what `npm test` needs from a fresh machine, found first, else installed or named. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { calcBeside, ensureTestDeps, findChromium, missingMessage } from '../scripts/test-deps.mjs';

describe('test dependencies (scripts/test-deps.mjs)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('drives the Chromium named by $CHROMIUM first, and ignores a $CHROMIUM that is not an executable', () => {
    process.env.CHROMIUM = process.execPath; // any executable stands in
    expect(findChromium()).toBe(process.execPath);
    process.env.CHROMIUM = '/nonexistent/chromium';
    expect(findChromium()).not.toBe('/nonexistent/chromium');
  });

  it('counts LibreOffice as there only with Calc beside soffice (Writer alone has an soffice too)', () => {
    const root = mkdtempSync(join(tmpdir(), 'crego-soffice-'));
    try {
      const program = join(root, 'lib/libreoffice/program');
      mkdirSync(program, { recursive: true });
      writeFileSync(join(program, 'soffice'), '');
      symlinkSync(join(program, 'soffice'), join(root, 'soffice')); // /usr/bin/soffice → …/program/soffice
      writeFileSync(join(program, 'libswlo.so'), '');
      expect(calcBeside(join(root, 'soffice'))).toBe(false);
      writeFileSync(join(program, 'libsclo.so'), '');
      expect(calcBeside(join(root, 'soffice'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names the apt-get line for what is missing, and installs nothing when told not to', () => {
    expect(missingMessage('chromium')).toContain('apt-get install -y chromium');
    expect(missingMessage('python3-openpyxl')).toContain('apt-get install -y python3-openpyxl');
    process.env.CREGO_TEST_NO_INSTALL = '1';
    const lines: string[] = [];
    const missing = ensureTestDeps((line) => lines.push(line));
    // On a machine with everything, nothing is missing and nothing is said; otherwise it says why it did not install.
    if (missing.length > 0) expect(lines.join('\n')).toMatch(/not installing \(CREGO_TEST_NO_INSTALL=1\)/);
    else expect(lines).toEqual([]);
  });
});
