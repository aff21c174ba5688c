/**
 * `crego sandbox`: run the Crego LMS emulator in the foreground until Ctrl+C.
 */
import { DEFAULT_SANDBOX_PORT } from '../sandbox-defaults';
import { BULK_MODES, PORTFOLIO_MIXES, startSandbox, UTR_SCOPES, type BulkMode, type PortfolioMix, type SandboxOptions, type UtrScope } from '../../sandbox/index';

export const summary = 'Run the Crego LMS emulator (demo portfolio, real loan math, fault injection)';

const USAGE = `Usage: crego sandbox [--port N] [--host H] [--seed N] [--accounts N] [--latency MS] [--faults SPEC] [--data FILE] [--today YYYY-MM-DD] [--bulk-mode MODE] [--mix MIX]
                     [--settle-after SECONDS] [--reject-share FRACTION] [--utr-scope account|tenant] [--ignore-idempotency-key]
                     [--unlicensed GROUP,…] [--http2] [--rate-limit N]

  --port N        port to listen on (default ${DEFAULT_SANDBOX_PORT}; 0 = any free port)
  --host H        interface to bind (default 127.0.0.1)
  --seed N        demo portfolio seed (default 42)
  --accounts N    demo portfolio size (default 500)
  --latency MS    delay added to every request
  --faults SPEC   e.g. 5xx=0.1,429=0.05,reset=0.05,lost=0.05,slow=0.1,latency=20,jitter=10,seed=7
                  (also enables POST /__sandbox/faults/ to change it while running)
  --data FILE     keep state in FILE across restarts
  --today DATE    pin the business date (IST) for reproducible figures
  --bulk-mode M   per_item (default: good items created, bad ones answered one by one), atomic (one bad
                  item → 400, nothing created, per-item errors in errors.items), atomic_unaligned
  --settle-after S   payments are applied after the call, as on Crego's newer platform: a created record
                     is 'requested' and becomes 'processed' S seconds later (figures change only then)
  --reject-share F   share 0–1 of created records that end 'rejected' (with a reason) instead, chosen by a
                     hash of the UTR so a test knows which
  --utr-scope T      account (default: a UTR is unique per account) or tenant (unique across all accounts)
  --ignore-idempotency-key   act as if Idempotency-Key did not exist (nothing public says Crego honours it)
  --unlicensed G     modules (endpoint groups, e.g. Topups,Fee) this tenant has not licensed: 403 module_not_licensed
  --mix MIX       demo book: realistic (default: PAR 30 a few percent, NPA under 5 %) or stressed
                  (a third of the book overdue)
  --http2         HTTPS with HTTP/2 (HTTP/1.1 fallback), with the development certificate in .certs/;
                  Node clients trust it with NODE_EXTRA_CA_CERTS=.certs/ca.crt
  --rate-limit N  at most N requests per second per token (token bucket); beyond it 429 with Retry-After
The bearer token comes from CREGO_SANDBOX_TOKEN when set; otherwise a new one is printed.`;

const NUMERIC = new Set(['port', 'seed', 'accounts', 'latency']);

export function parseArgs(args: string[]): SandboxOptions | string {
  const opts: SandboxOptions = { port: DEFAULT_SANDBOX_PORT };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return USAGE;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) return `Unexpected argument '${arg}'.\n\n${USAGE}`;
    const name = m[1];
    if (name === 'http2' && m[2] === undefined) {
      opts.http2 = true;
      continue;
    }
    if (name === 'ignore-idempotency-key' && m[2] === undefined) {
      opts.ignoreIdempotencyKey = true;
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined) return `--${name} needs a value.\n\n${USAGE}`;
    if (NUMERIC.has(name)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) return `--${name} must be a whole number ≥ 0, got '${value}'.`;
      if (name === 'port') opts.port = n;
      else if (name === 'seed') opts.seed = n;
      else if (name === 'accounts') opts.accounts = n;
      else opts.latencyMs = n;
    } else if (name === 'host') opts.host = value;
    else if (name === 'faults') opts.faults = value;
    else if (name === 'data') opts.dataFile = value;
    else if (name === 'today') opts.today = value;
    else if (name === 'settle-after' || name === 'reject-share') {
      const n = value.trim() === '' ? NaN : Number(value);
      const max = name === 'reject-share' ? 1 : Infinity;
      if (!Number.isFinite(n) || n < 0 || n > max)
        return `--${name} must be a number ${name === 'reject-share' ? 'from 0 to 1 (e.g. 0.25)' : 'of seconds ≥ 0 (e.g. 2)'}, got '${value}'.`;
      if (name === 'settle-after') opts.settleAfter = n;
      else opts.rejectShare = n;
    } else if (name === 'rate-limit') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) return `--rate-limit must be a number of requests per second > 0 (e.g. 200), got '${value}'.`;
      opts.rateLimit = n;
    } else if (name === 'unlicensed') {
      opts.unlicensed = value.split(',').map((g) => g.trim()).filter(Boolean);
    } else if (name === 'utr-scope') {
      if (!(UTR_SCOPES as readonly string[]).includes(value)) return `--utr-scope must be one of ${UTR_SCOPES.join(', ')}, got '${value}'.`;
      opts.utrScope = value as UtrScope;
    } else if (name === 'mix') {
      if (!(PORTFOLIO_MIXES as readonly string[]).includes(value)) return `--mix must be one of ${PORTFOLIO_MIXES.join(', ')}, got '${value}'.`;
      opts.mix = value as PortfolioMix;
    } else if (name === 'bulk-mode') {
      if (!(BULK_MODES as readonly string[]).includes(value)) return `--bulk-mode must be one of ${BULK_MODES.join(', ')}, got '${value}'.`;
      opts.bulkMode = value as BulkMode;
    }
    else return `Unknown option '--${name}'.\n\n${USAGE}`;
  }
  return opts;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    const isHelp = parsed === USAGE;
    (isHelp ? process.stdout : process.stderr).write(`${parsed}\n`);
    return isHelp ? 0 : 2;
  }
  const sb = await startSandbox(parsed);
  process.stdout.write(`sandbox listening on ${sb.url}\ntoken: ${sb.token}\n`);
  if (parsed.http2 === true) process.stdout.write('HTTP/2 over TLS with .certs/: for the CLI, export NODE_EXTRA_CA_CERTS=.certs/ca.crt\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sb.close();
  return 0;
}
