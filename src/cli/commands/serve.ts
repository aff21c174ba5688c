/**
 * `crego serve`: the add-in host (HTTPS static server for dist/ + /api proxy), with the sandbox
 * embedded unless CREGO_BASE_URL names a real Crego. `npm start` runs the build first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer } from '../../server/index';
import { settingsFromEnv } from '../../server/config';
import { startBanner } from '../../server/banner';
import { buildAddin } from '../../server/build/build';
import { REPO_ROOT } from '../../server/paths';

export const summary = 'serve the add-in over https://localhost:3000 and proxy /api to Crego (or the embedded sandbox)';

const USAGE = `Usage: crego serve [--port N] [--host H] [--build] [--dist DIR]
  --port N   listen on N (default: PORT or 3000; 0 = any free port)
  --host H   bind address (default: HOST or 127.0.0.1)
  --build    build first (done anyway when the folder has no manifest.xml)
  --dist DIR serve this build folder (default: dist/)
Environment: CREGO_BASE_URL, CREGO_TOKEN, CREGO_ENVIRONMENT, ADDIN_ORIGIN, PORT, HOST,
  CREGO_PROXY_TIMEOUT_MS, CREGO_PROXY_MAX_BODY_BYTES, CREGO_TLS_CERT/CREGO_TLS_KEY, CREGO_CERTS=self-signed`;

export async function run(args: string[]): Promise<number> {
  const env = { ...process.env };
  let build = false;
  let anyPort = false;
  let distDir = join(REPO_ROOT, 'dist');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (a === '--port' && args[i + 1] === '0') {
      anyPort = true;
      i++;
    } else if (a === '--port' && args[i + 1]) env.PORT = args[++i];
    else if (a === '--host' && args[i + 1]) env.HOST = args[++i];
    else if (a === '--dist' && args[i + 1]) distDir = resolve(args[++i]!);
    else if (a === '--build') build = true;
    else {
      process.stderr.write(`crego serve: unknown option '${a}'\n${USAGE}\n`);
      return 2;
    }
  }
  const settings = settingsFromEnv(env);
  if (build || !existsSync(join(distDir, 'manifest.xml'))) {
    process.stderr.write(`building the add-in into ${distDir} ...\n`);
    await buildAddin({ repoRoot: REPO_ROOT, env, outDir: distDir });
  }

  let server;
  try {
    server = await startServer({
      port: anyPort ? 0 : settings.port,
      host: settings.host,
      repoRoot: REPO_ROOT,
      distDir,
      crego: settings.crego,
      sandbox: settings.sandboxSeed !== undefined ? { seed: settings.sandboxSeed } : undefined,
      timeoutMs: settings.timeoutMs,
      maxBodyBytes: settings.maxBodyBytes,
      addinOrigin: settings.addinOrigin,
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${settings.port} is already in use: stop the other server (another 'npm start'?) or set PORT=${settings.port + 1} and rebuild.`);
    }
    throw err;
  }
  const manifestOrigin = readFileSync(join(distDir, 'manifest.xml'), 'utf8').match(/<SourceLocation DefaultValue="(https?:\/\/[^/"]+)/)?.[1];
  process.stdout.write(`${startBanner(server, { repoRoot: REPO_ROOT, manifestOrigin })}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stderr.write('stopping ...\n');
  await server.close();
  return 0;
}
