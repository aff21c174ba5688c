/**
 * The Crego client for Node (CLI, add-in server, tests): the undici keep-alive carrier,
 * plus reading an API profile from a file or the `CREGO_API_PROFILE` environment variable.
 */
import { readFileSync } from 'node:fs';
import { createClientWith, maxConcurrency, type ClientConfig, type CregoHttpClient } from './client';
import { CregoError } from './contract';
import { parseProfile, type ApiProfile } from './profile';
import { displayUrl } from './url';
import { undiciTransport } from './undici-transport';

export function createNodeClient(config: ClientConfig): CregoHttpClient {
  if (!/^https?:\/\//i.test(config.baseUrl ?? ''))
    throw new CregoError({ kind: 'config', message: `The Crego base URL must start with https:// (got '${displayUrl(config.baseUrl ?? '')}')` });
  return createClientWith(config, undiciTransport({ connections: maxConcurrency(config) }));
}

/** Read and validate a profile file (`--profile FILE`). */
export function loadProfileFile(file: string): ApiProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CregoError({ kind: 'config', message: `Cannot read API profile '${file}': ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}` });
  }
  return parseProfile(text, `'${file}'`);
}

/** `CREGO_API_PROFILE`: a file path, or the JSON itself when it starts with `{`. */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): ApiProfile | undefined {
  const v = env.CREGO_API_PROFILE?.trim();
  if (!v) return undefined;
  return v.startsWith('{') ? parseProfile(v, 'CREGO_API_PROFILE') : loadProfileFile(v);
}

export * from './index';
