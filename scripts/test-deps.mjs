/**
 * What the test suite needs from the machine, found or installed in ONE place, so `npm test` passes
 * on a fresh Debian machine with Node alone (vitest runs this as its globalSetup):
 *   - a Chromium for the browser tests (playwright-core drives it; no browser download from npm);
 *   - python3 with openpyxl and LibreOffice Calc (headless) for the file round-trip tests.
 * Each is looked for first; whatever is missing is installed with apt-get when we are root (or have
 * password-less sudo) on Debian/Ubuntu. Where that is impossible nothing fails here: the tests that
 * need the tool fail with a sentence saying what to install (see `missingMessage`).
 * Opt out of installing with CREGO_TEST_NO_INSTALL=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

/** Debian package per need, and how to tell it is already there. */
export const NEEDS = [
  { name: 'chromium', packages: ['chromium'], found: () => findChromium() !== null },
  { name: 'python3-openpyxl', packages: ['python3-openpyxl'], found: () => findPython() !== null },
  { name: 'libreoffice-calc-nogui', packages: ['libreoffice-calc-nogui'], found: () => findSoffice() !== null },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  return path && executable(path) ? path : null;
}

/** The Chromium to drive: $CHROMIUM, Debian's, or one on PATH. null when there is none. */
export function findChromium() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', onPath('chromium'), onPath('chromium-browser'), onPath('google-chrome')];
  return candidates.find((c) => c && executable(c)) ?? null;
}

/** A python3 that imports openpyxl (Debian's /usr/bin/python3 first: a pyenv shim on PATH may lack it). */
export function findPython() {
  for (const python of ['/usr/bin/python3', onPath('python3')]) {
    if (!python || !executable(python)) continue;
    if (spawnSync(python, ['-c', 'import openpyxl'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

/** LibreOffice's command-line entry (soffice / libreoffice), where Calc is installed beside it. */
export function findSoffice() {
  return ['/usr/bin/soffice', '/usr/bin/libreoffice', onPath('soffice'), onPath('libreoffice')].find((c) => c && executable(c) && calcBeside(c)) ?? null;
}

/**
 * Whether LibreOffice's Calc is installed beside this soffice: Debian's soffice comes with
 * libreoffice-common, so Writer alone has one too, and the interop tests would then fail converting
 * a workbook. Calc's library (libsclo.so/.dylib) sits in soffice's program folder; a layout without any
 * LibreOffice libraries there cannot be judged, and counts as having it.
 */
export function calcBeside(soffice) {
  try {
    const files = readdirSync(dirname(realpathSync(soffice)));
    return files.some((f) => /^libsclo\./.test(f)) || !files.some((f) => /lo\.(so|dylib|dll)$/.test(f));
  } catch {
    return true;
  }
}

/** The sentence a test shows when a tool is still missing after setup. */
export function missingMessage(need) {
  const pkg = NEEDS.find((n) => n.name === need)?.packages.join(' ') ?? need;
  return `${need} is missing and could not be installed here: as root on Debian/Ubuntu run \`apt-get install -y ${pkg}\` (npm test does this itself when run as root).`;
}

function asRoot(args) {
  if (process.getuid?.() === 0) return args;
  if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n', ...args];
  return null;
}

/** Install what is missing (apt-get), once per machine; returns what is still missing. */
export function ensureTestDeps(log = (line) => process.stderr.write(`${line}\n`)) {
  const missing = NEEDS.filter((n) => !n.found());
  if (missing.length === 0) return [];
  const names = missing.map((n) => n.name).join(', ');
  const apt = onPath('apt-get');
  const update = asRoot(['apt-get', 'update', '-qq']);
  if (process.env.CREGO_TEST_NO_INSTALL === '1' || !apt || !update) {
    log(`test-deps: missing ${names}; not installing (${!apt ? 'no apt-get' : !update ? 'not root' : 'CREGO_TEST_NO_INSTALL=1'}). The tests that need them will say what to install.`);
    return missing.map((n) => n.name);
  }
  log(`test-deps: installing ${names} with apt-get (once per machine)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync(update[0], update.slice(1), { stdio: 'inherit', env });
    const install = asRoot(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing.flatMap((n) => n.packages)]);
    execFileSync(install[0], install.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
  } catch (error) {
    log(`test-deps: apt-get failed (${error.message.split('\n')[0]}).`);
  }
  const still = NEEDS.filter((n) => !n.found()).map((n) => n.name);
  if (still.length > 0) log(`test-deps: still missing ${still.join(', ')}.`);
  return still;
}

/** vitest globalSetup entry. */
export default function setup() {
  ensureTestDeps();
}
