import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInto, REPO } from '../manifest/helpers';
import { httpsCall } from './helpers';

describe('crego serve (the process npm start runs)', () => {
  let dist: Awaited<ReturnType<typeof buildInto>>;
  beforeAll(async () => {
    dist = await buildInto({});
  });
  afterAll(() => dist?.cleanup());

  it('prints the banner, serves the add-in and the sandbox behind /api, and stops cleanly on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CREGO_CERTS: 'self-signed' };
    delete env.CREGO_BASE_URL;
    delete env.CREGO_TOKEN;
    const child = spawn(process.execPath, [join(REPO, 'bin/crego.mjs'), 'serve', '--port', '0', '--dist', dist.dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const banner = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl+C to stop.')) resolve(out);
      });
      void exited.then((code) => reject(new Error(`crego serve exited with ${code}: ${err}`)));
    });
    try {
      const url = banner.match(/running at (https:\/\/localhost:\d+)/)![1]!;
      const token = banner.match(/Dev token +(\S+)/)![1]!;
      expect(banner).toContain('Upload My Add-in');
      const ca = readFileSync(join(REPO, '.certs/ca.crt'), 'utf8');
      const fnJson = await httpsCall(`${url}/functions.json`, ca);
      expect(fnJson.status).toBe(200);
      expect(fnJson.body).toBe(readFileSync(join(dist.dir, 'functions.json'), 'utf8'));
      const loans = await httpsCall(`${url}/api/v1/lms/loans/?page_size=1`, ca, { headers: { Authorization: `Bearer ${token}` } });
      expect(loans.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // the request log (stderr), read once the process has flushed it: path and status, never the token
    expect(err).toMatch(/GET \/api\/v1\/lms\/loans\/ 200 \d+ms/);
    expect(err).not.toContain(banner.match(/Dev token +(\S+)/)![1]!);
  }, 90_000); // a real process through tsx: on a loaded 2-core machine its start alone can pass 30 s
});
