/**
 * `crego doctor`: checks that the configured Crego API answers the way the add-in assumes.
 * Calls the harmless GETs of the endpoint map (src/api/probe.ts) and prints one line per
 * endpoint: conforming, missing fields, wrong types, 404 (path assumption wrong) or 501.
 *
 * Configuration comes from the environment only, so a token never lands in shell history:
 *   CREGO_BASE_URL            e.g. https://preprod.api.crego.io (required)
 *   CREGO_TOKEN               a pasted bearer token, or
 *   CREGO_USERNAME / CREGO_PASSWORD   sign in through the map's auth.login
 *   CREGO_API_PROFILE         an API profile (file path or inline JSON); --profile FILE wins
 */
import { createNodeClient } from '../../api/node';
import { connectionFromEnv } from '../connection';
import { connectionCause } from '../cause';
import { guessPlatform, platformLines } from '../../api/platform';
import { runProbe, type ProbeReport, type ProbeStatus } from '../../api/probe';

export const summary = 'Check which endpoint-map assumptions hold against the configured Crego API';

const USAGE = `Usage: crego doctor [--profile FILE] [--all] [--json]

  --profile FILE  API profile correcting paths/names (default: $CREGO_API_PROFILE)
  --all           also try every other GET of the map, not only those the add-in uses
  --json          print the report as JSON

Environment: CREGO_BASE_URL (required); CREGO_TOKEN, or CREGO_USERNAME and CREGO_PASSWORD.
Exit code: 0 when every endpoint conforms, 1 when some do not, 2 on a usage or configuration error.`;

const LABEL: Record<ProbeStatus, string> = {
  conforming: 'ok',
  missing_fields: 'MISSING',
  wrong_types: 'TYPES',
  not_found: '404',
  not_implemented: '501',
  error: 'ERROR',
  skipped: 'skipped',
};

interface Args {
  profile?: string;
  all: boolean;
  json: boolean;
}

function parseArgs(args: string[]): Args | string {
  const out: Args = { all: false, json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--all') out.all = true;
    else if (a === '--json') out.json = true;
    else if (a === '--profile') {
      const v = args[++i];
      if (!v) return '--profile needs a file name';
      out.profile = v;
    } else if (a.startsWith('--profile=')) out.profile = a.slice('--profile='.length);
    else if (/^--(token|password)/.test(a))
      return `${a.split('=')[0]} is not accepted: a secret on the command line ends up in shell history. Set CREGO_TOKEN (or CREGO_USERNAME/CREGO_PASSWORD) instead`;
    else if (a === '--help' || a === '-h') return '';
    else return `unknown option '${a}'`;
  }
  return out;
}

export function formatReport(report: ProbeReport, baseUrl: string, profileName?: string): string {
  const lines = [`Crego doctor: ${baseUrl}${profileName ? ` (profile ${profileName})` : ''}`];
  if (report.fatal) return [...lines, `  cannot check anything: ${report.fatal}`].join('\n');
  const width = Math.max(...report.results.map((r) => r.path.length), 10);
  for (const r of report.results) {
    lines.push(
      `  ${LABEL[r.status].padEnd(7)} ${r.method.padEnd(4)} ${r.path.padEnd(width)}  ${r.key} (${r.source}): ${r.message}`,
    );
  }
  const c = report.counts;
  lines.push(
    `${c.conforming} conforming, ${c.missing_fields} missing fields, ${c.wrong_types} wrong types, ${c.not_found} not found, ` +
      `${c.not_implemented} not implemented, ${c.error} errors, ${c.skipped} skipped`,
  );
  return lines.join('\n');
}

export async function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(parsed ? `crego doctor: ${parsed}\n${USAGE}\n` : `${USAGE}\n`);
    return parsed ? 2 : 0;
  }
  const connection = connectionFromEnv(env, { profileFile: parsed.profile });
  if (typeof connection === 'string') {
    process.stderr.write(`crego doctor: ${connection}\n${USAGE}\n`);
    return 2;
  }
  const { baseUrl, token, username, password, profile } = connection;
  const client = createNodeClient({ baseUrl, token, username, password, profile, environment: 'doctor', cacheTtlMs: 0 });
  try {
    const report = await runProbe(client, { all: parsed.all, describeFatal: (err) => connectionCause(err, baseUrl) });
    const { loginShape, expiry } = client.signIn();
    const platform = platformLines(client.baseUrl, loginShape, expiry, client.resolver.settings);
    process.stdout.write(
      parsed.json
        ? `${JSON.stringify({ ...report, platform: guessPlatform(client.baseUrl, loginShape), settings: client.resolver.settings, tokenExpiry: expiry ?? null }, null, 2)}\n`
        : `${formatReport(report, client.baseUrl, profile?.name)}\n${platform.join('\n')}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await client.close();
  }
}
