/**
 * How every `crego` command that talks to Crego finds it: the environment only (a token is
 * never a flag, so it stays out of shell history and process lists).
 *
 *   CREGO_BASE_URL                      the API address (e.g. the `crego sandbox` URL)
 *   CREGO_TOKEN                         a bearer token, or
 *   CREGO_USERNAME + CREGO_PASSWORD     sign in through the map's auth.login
 *   CREGO_ENVIRONMENT                   label for logs and cache keys (default: the base URL)
 *   CREGO_API_PROFILE                   an API profile (file path or inline JSON); `--profile FILE` wins
 */
import { loadProfileFile, profileFromEnv } from '../api/node';
import type { ApiProfile } from '../api/profile';
import { displayUrl } from '../api/url';

export interface CliConnection {
  baseUrl: string;
  token?: string;
  username?: string;
  password?: string;
  environment: string;
  profile?: ApiProfile;
}

/** The connection, or a one-line message saying what to set (the caller exits 2 with it). */
export function connectionFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { profileFile?: string } = {},
): CliConnection | string {
  const baseUrl = env.CREGO_BASE_URL?.trim();
  if (!baseUrl) return 'set CREGO_BASE_URL to the Crego API address (e.g. the URL `crego sandbox` prints)';
  const token = env.CREGO_TOKEN?.trim() || undefined;
  const username = env.CREGO_USERNAME?.trim() || undefined;
  const password = env.CREGO_PASSWORD || undefined;
  if (!token && !(username && password)) {
    return 'set CREGO_TOKEN, or CREGO_USERNAME and CREGO_PASSWORD, in the environment (the token is never taken as a flag)';
  }
  let profile: ApiProfile | undefined;
  try {
    profile = options.profileFile ? loadProfileFile(options.profileFile) : profileFromEnv(env);
  } catch (err) {
    return (err as Error).message;
  }
  // The label shows in logs and cache keys: never the URL's credentials or query.
  const environment = env.CREGO_ENVIRONMENT?.trim() || displayUrl(baseUrl);
  return { baseUrl, token, username, password, environment, profile };
}
