/** Test helpers: a sandbox on a random loopback port and a tiny JSON caller over real HTTP. */
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function boot(opts: SandboxOptions = {}) {
  const sb = await startSandbox({ accounts: 24, today: '2026-01-15', ...opts });
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const res = await fetch(sb.url + path, {
      method,
      headers: { Authorization: `Bearer ${sb.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  return { sb, call, get: <T = any>(path: string) => call<T>('GET', path), post: <T = any>(path: string, body: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers) };
}

export type Booted = Awaited<ReturnType<typeof boot>>;
export type { RunningSandbox };

/** `YYYY-MM-DD` → the business date's epoch seconds (end of day IST), written out independently of the sandbox. */
export function ist(date: string): number {
  return Number((Date.parse(`${date}T00:00:00+05:30`) / 1000 + 86_399.999999).toFixed(6));
}
