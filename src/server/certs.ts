/**
 * The HTTPS certificate for https://localhost. Order of preference:
 *  1. CREGO_TLS_CERT + CREGO_TLS_KEY (PEM files you provide);
 *  2. office-addin-dev-certs' certificate in ~/.office-addin-dev-certs when its CA is already trusted;
 *  3. office-addin-dev-certs installing one, only where that needs no prompt (Linux as root or with
 *     password-less sudo); Windows and macOS ask the user, so there we print the command instead;
 *  4. a CA + localhost certificate generated into .certs/ of this checkout (same generator, nothing
 *     installed): Office refuses it until you trust .certs/ca.crt, and the start banner says how.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export type CertSource = 'files' | 'office-addin-dev-certs' | 'self-signed';

export interface TlsMaterial {
  cert: string;
  key: string;
  source: CertSource;
  /** True when the issuing CA is known to be in this machine's trust store. */
  trusted: boolean;
  /** The CA a person must trust when `trusted` is false. */
  caFile?: string;
  certFile: string;
}

interface DevCerts {
  verifyCertificates(certPath?: string, keyPath?: string): boolean;
  ensureCertificatesAreInstalled(days?: number, domains?: string[], machine?: boolean): Promise<void>;
  generateCertificates(caPath?: string, certPath?: string, keyPath?: string, days?: number, domains?: string[]): Promise<void>;
}
interface DevCertDefaults {
  localhostCertificatePath: string;
  localhostKeyPath: string;
  caCertificatePath: string;
}

const require = createRequire(import.meta.url);
const DOMAINS = ['127.0.0.1', 'localhost'];
const SELF_SIGNED_DAYS = 365;

export async function resolveTls(opts: { repoRoot: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void }): Promise<TlsMaterial> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  if (env.CREGO_TLS_CERT || env.CREGO_TLS_KEY) {
    if (!env.CREGO_TLS_CERT || !env.CREGO_TLS_KEY) throw new Error('Set both CREGO_TLS_CERT and CREGO_TLS_KEY (PEM files), or neither.');
    return { cert: readFileSync(env.CREGO_TLS_CERT, 'utf8'), key: readFileSync(env.CREGO_TLS_KEY, 'utf8'), source: 'files', trusted: true, certFile: env.CREGO_TLS_CERT };
  }
  const devCerts = require('office-addin-dev-certs') as DevCerts;
  const defaults = require('office-addin-dev-certs/lib/defaults') as DevCertDefaults;
  const fromDevCerts = (): TlsMaterial => ({
    cert: readFileSync(defaults.localhostCertificatePath, 'utf8'),
    key: readFileSync(defaults.localhostKeyPath, 'utf8'),
    source: 'office-addin-dev-certs',
    trusted: true,
    certFile: defaults.localhostCertificatePath,
  });
  if (env.CREGO_CERTS !== 'self-signed') {
    if (existsSync(defaults.localhostCertificatePath) && quietly(() => devCerts.verifyCertificates())) return fromDevCerts();
    if (canInstallWithoutPrompt()) {
      try {
        await quietAsync(() => devCerts.ensureCertificatesAreInstalled(SELF_SIGNED_DAYS, DOMAINS));
        return fromDevCerts();
      } catch (err) {
        log(`office-addin-dev-certs could not install its CA (${(err as Error).message.split('\n')[0]}); using a self-signed certificate instead.`);
      }
    }
  }
  return selfSigned(opts.repoRoot, devCerts);
}

/** A CA + localhost certificate in <repo>/.certs, reused until a day before it expires. */
async function selfSigned(repoRoot: string, devCerts: DevCerts): Promise<TlsMaterial> {
  const dir = join(repoRoot, '.certs');
  const caFile = join(dir, 'ca.crt');
  const certFile = join(dir, 'localhost.crt');
  const keyFile = join(dir, 'localhost.key');
  if (!usable(certFile) || !existsSync(keyFile) || !existsSync(caFile)) {
    await quietAsync(() => devCerts.generateCertificates(caFile, certFile, keyFile, SELF_SIGNED_DAYS, DOMAINS));
  }
  // The generator writes the private key with the default umask (often world-readable): only its
  // owner may read it, also when an older run left it open.
  chmodSync(keyFile, 0o600);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), source: 'self-signed', trusted: false, caFile, certFile };
}

function usable(certFile: string): boolean {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    return Date.parse(cert.validTo) - Date.now() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/** Linux only: as root or with password-less sudo. Anything else would wait for a password or a dialog. */
function canInstallWithoutPrompt(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 });
    return existsSync('/usr/sbin/update-ca-certificates') || existsSync('/usr/sbin/update-ca-trust');
  } catch {
    return false;
  }
}

/** office-addin-dev-certs talks on the console; the start banner tells the story instead. */
function quietly<T>(fn: () => T): T | false {
  const original = console.log;
  console.log = () => {};
  try {
    return fn();
  } catch {
    return false;
  } finally {
    console.log = original;
  }
}

async function quietAsync(fn: () => Promise<void>): Promise<void> {
  const original = console.log;
  console.log = () => {};
  try {
    await fn();
  } finally {
    console.log = original;
  }
}
