/** scripts/test-deps.mjs: what `npm test` needs from a fresh machine, found first, else installed or named. */
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTestDeps, findChromium, missingMessage } from '../scripts/test-deps.mjs';

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
