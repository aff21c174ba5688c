/**
 * Connect: environment, optional API profile, sign-in (username/password through the map's
 * `auth.login`, or a pasted token), who/where, sign-out. The token goes to OfficeRuntime.storage
 * under the key the functions read, never into the workbook; the password is never stored.
 */
import { parseProfile } from '../api/profile';
import type { TokenAnswer } from '../api/types';
import { showEnvironment } from './chrome';
import { busy, byId, el, messageOf, say } from './dom';
import { checkBaseUrl, defaultBaseUrl, ENVIRONMENTS, type EnvironmentId } from './environments';
import { runProbe } from './probeView';
import { dropConnection, getServerConfig, productionFor, runtime, session, setSession, useConnection, type Session } from './session';
import { forgetToken, loadConnection, loadToken, saveConnection, saveToken } from '../excel/storage';

interface PingAnswer {
  status?: string;
  user?: { username?: string; first_name?: string; last_name?: string } | string;
}

const envSelect = () => byId<HTMLSelectElement>('env');
const baseInput = () => byId<HTMLInputElement>('base-url');
const statusLine = () => byId('connect-status');

function selectedEnv(): EnvironmentId {
  return envSelect().value as EnvironmentId;
}

function authMode(): 'password' | 'token' {
  return document.querySelector<HTMLInputElement>('input[name="auth"]:checked')?.value === 'token' ? 'token' : 'password';
}

function reflectEnvironment(): void {
  const s = session();
  const env = selectedEnv();
  const prod = s ? s.production || productionFor(env, baseInput().value.trim()) : productionFor(env, baseInput().value.trim());
  showEnvironment(s ? s.environment : env, prod, s !== null);
}

function userName(ping: PingAnswer | undefined, fallback: string): string {
  const u = ping?.user;
  if (typeof u === 'string') return u;
  if (u?.username) return u.username;
  return fallback;
}

/** Build the connection from the form; throws a message naming the field to fix. */
function readForm(): { env: EnvironmentId; baseUrl: string; profile?: string } {
  const env = selectedEnv();
  const baseUrl = baseInput().value.trim();
  const urlProblem = checkBaseUrl(baseUrl);
  if (urlProblem) throw new Error(`API base URL: ${urlProblem}`);
  const profileText = byId<HTMLTextAreaElement>('profile').value.trim();
  if (profileText) parseProfile(profileText, '(API profile box)'); // throws ProfileError naming the wrong entry
  return { env, baseUrl: absolute(baseUrl), profile: profileText || undefined };
}

/** `/api` → `https://host/api`: the client needs an absolute base. */
function absolute(baseUrl: string): string {
  return baseUrl.startsWith('/') ? new URL(baseUrl, location.href).href.replace(/\/+$/, '') : baseUrl.replace(/\/+$/, '');
}

async function establish(env: EnvironmentId, baseUrl: string, profile: string | undefined, token: string, fallbackUser: string): Promise<Session> {
  const client = useConnection({ baseUrl, environment: env, token, profile });
  const ping = await client.call('auth.ping', { cache: 'bypass' });
  const s: Session = { client, environment: env, baseUrl, production: productionFor(env, baseUrl), user: userName(ping, fallbackUser) };
  setSession(s);
  return s;
}

function showWho(s: Session | null): void {
  byId('whoami').hidden = s === null;
  byId('signout').toggleAttribute('disabled', s === null);
  if (!s) return;
  byId('who-user').textContent = s.user;
  byId('who-env').textContent = ENVIRONMENTS.find((e) => e.id === s.environment)?.label ?? s.environment;
  byId('who-api').textContent = s.baseUrl;
}

async function signIn(): Promise<void> {
  const { env, baseUrl, profile } = readForm(); // form problems end here, before the connection is touched
  const mode = authMode();
  const token = mode === 'token' ? byId<HTMLInputElement>('token').value.trim() : '';
  const username = byId<HTMLInputElement>('username').value.trim();
  const password = byId<HTMLInputElement>('password').value;
  if (mode === 'token' && !token) throw new Error('Bearer token: paste the token, or choose "Username and password".');
  if (mode === 'password' && (!username || !password)) throw new Error('Enter both the username and the password.');
  // Read once, they leave the page at once: not after the sign-in's recalculation, which waits on Excel
  // (round trips, and as long as the user is typing in a cell).
  byId<HTMLInputElement>('password').value = '';
  byId<HTMLInputElement>('token').value = '';
  try {
    let access = token;
    let who = 'token user';
    if (mode === 'password') {
      // Sign in through the shared client (auth endpoints need no token), then hand it the token.
      const client = useConnection({ baseUrl, environment: env, profile });
      const answer = await client.call('auth.login', { body: { username, password, type: 'staff' } });
      access = answer.access;
      who = answer.user?.username ?? username;
    }
    const s = await establish(env, baseUrl, profile, access, who);
    // The functions pair the stored token with the saved connection: never leave a token beside
    // another environment's settings, even for a moment.
    await forgetToken();
    await saveConnection({ environment: env, baseUrl: baseInput().value.trim(), profileJson: profile, username: username || undefined });
    await saveToken(access);
    const connected = `Connected to ${ENVIRONMENTS.find((e) => e.id === env)?.label ?? env} as ${s.user}.`;
    say(statusLine(), `${connected} Recalculating CREGO formulas…`, 'success');
    say(statusLine(), `${connected}${await recalculateAfterSignIn()}`, 'success');
  } catch (error) {
    // The attempt already replaced the shared client: whatever session was there is gone too.
    dropConnection();
    setSession(null);
    throw error;
  }
}

/**
 * Formulas are not volatile: without a recalculation, cells keep the previous environment's numbers
 * (or "Sign in to Crego in the task pane") after a sign-in. Returns the sentence to add to the status.
 */
async function recalculateAfterSignIn(): Promise<string> {
  const rt = runtime();
  if (!rt) return '';
  try {
    await rt.refresh('workbook');
    return ' CREGO formulas recalculated.';
  } catch {
    return ' Use Refresh to update the CREGO formulas.';
  }
}

async function signOut(): Promise<void> {
  dropConnection();
  await forgetToken();
  setSession(null);
  say(statusLine(), 'Signed out. Formulas show "Sign in to Crego in the task pane" until you sign in again.', 'info');
}

/** Fill the form from saved settings and reconnect with a saved token, if any (quietly). */
async function restore(): Promise<void> {
  const saved = await loadConnection();
  const server = getServerConfig();
  if (saved && ENVIRONMENTS.some((e) => e.id === saved.environment)) {
    envSelect().value = saved.environment;
    baseInput().value = saved.baseUrl;
    if (saved.profileJson) byId<HTMLTextAreaElement>('profile').value = saved.profileJson;
    if (saved.username) byId<HTMLInputElement>('username').value = saved.username;
  } else if (server && ENVIRONMENTS.some((e) => e.id === server.environment)) {
    envSelect().value = server.environment;
    baseInput().value = defaultBaseUrl(server.environment as EnvironmentId, server);
  }
  reflectEnvironment();
  const token = await loadToken();
  if (!saved || !token) return;
  try {
    const { env, baseUrl, profile } = readForm();
    const s = await establish(env, baseUrl, profile, token, saved.username ?? 'token user');
    say(statusLine(), `Connected to ${ENVIRONMENTS.find((e) => e.id === env)?.label ?? env} as ${s.user}.`, 'success');
  } catch (error) {
    dropConnection();
    say(statusLine(), `Saved sign-in no longer works (${messageOf(error)}). Sign in again.`, 'warning');
  }
}

export async function setupConnect(): Promise<void> {
  const select = envSelect();
  for (const e of ENVIRONMENTS) select.append(el('option', { value: e.id }, e.label));
  const server = getServerConfig();
  baseInput().value = defaultBaseUrl('sandbox', server);
  if (server?.devToken) byId<HTMLInputElement>('token').placeholder = 'The sandbox dev token is printed by npm start';

  select.addEventListener('change', () => {
    baseInput().value = defaultBaseUrl(selectedEnv(), getServerConfig());
    if (selectedEnv() === 'custom') baseInput().focus();
    reflectEnvironment();
  });
  baseInput().addEventListener('input', reflectEnvironment);
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="auth"]')) {
    radio.addEventListener('change', () => {
      byId('auth-password').hidden = authMode() !== 'password';
      byId('auth-token').hidden = authMode() !== 'token';
    });
  }
  byId<HTMLFormElement>('connect-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(byId<HTMLButtonElement>('connect'), async () => {
      say(statusLine(), 'Signing in…');
      try {
        await signIn();
      } catch (error) {
        say(statusLine(), messageOf(error), 'error');
      }
    });
  });
  byId('signout').addEventListener('click', () => void signOut());
  byId('check').addEventListener('click', () =>
    void busy(byId<HTMLButtonElement>('check'), async () => {
      try {
        const s = session();
        if (!s) throw new Error('Sign in first: the check calls the API with your token.');
        await runProbe(s.client);
      } catch (error) {
        say(statusLine(), messageOf(error), 'error');
      }
    }),
  );
  await restore();
}

/** Keep the who/where box, chip and banner in step with the session. */
export function onSessionChanged(s: Session | null): void {
  showWho(s);
  reflectEnvironment();
}
