/**
 * Why a `crego` command could not use Crego, said for a person at a terminal: the cause and the
 * one thing to do about it (`crego fn`, `crego push` and `crego doctor` all say it this way).
 * A cell's wording ("Sign in to Crego in the task pane", "will retry on refresh") means nothing
 * here: there is no pane and no refresh.
 */
import { isCregoError } from '../api/contract';
import { displayUrl } from '../api/url';

/** TLS codes meaning "this machine does not trust the certificate's issuer". */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED_CERTIFICATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
/** https spoken to a plain-http server (the sandbox listens on http). */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/**
 * The cause of a failure to use Crego at `baseUrl`, or undefined when `error` is not about the
 * connection or the credentials (a validation error, an unknown account: the command reports
 * those its own way).
 */
export function connectionCause(error: unknown, baseUrl: string): string | undefined {
  if (!isCregoError(error)) return undefined;
  const where = displayUrl(baseUrl);
  const host = hostOf(where);
  switch (error.kind) {
    case 'auth':
      return (
        `Crego at ${where} refused the credentials (${error.status ? `HTTP ${error.status}` : error.message}). Set a valid ` +
        'CREGO_TOKEN, or CREGO_USERNAME and CREGO_PASSWORD, for this server (`crego sandbox` prints its token); `crego doctor` checks them.'
      );
    case 'forbidden':
      return `Crego at ${where} refused access: ${error.message}.`;
    case 'config':
      return error.message;
    case 'timeout':
      return `Crego at ${where} did not answer in time (${error.message}). Check that the server is up; \`crego doctor\` checks the connection.`;
    case 'rate_limited':
      return `Crego at ${where} is limiting requests (HTTP 429). Try again ${error.retryAfter ? `in ${error.retryAfter} s` : 'shortly'}.`;
    case 'server':
      return `Crego at ${where} failed (${error.message}). Try again later; if it persists, tell Crego's support.`;
    case 'network':
      return networkCause(error.code, where, host);
    default:
      return undefined;
  }
}

function networkCause(code: string | undefined, where: string, host: string): string {
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return (
      `The certificate of ${host} is not trusted by Node (${code}). If it is the add-in server's development ` +
      'certificate, run with NODE_EXTRA_CA_CERTS=.certs/ca.crt (the CA it was made with); otherwise check CREGO_BASE_URL.'
    );
  }
  if (code && EXPIRED_CERTIFICATE.has(code)) return `The certificate of ${host} is outside its validity dates (${code}): renew it, or check the clock.`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The certificate of ${host} was issued for another name (${code}): use the host name it names (localhost for the development certificate).`;
  }
  if (code && NOT_TLS.has(code)) {
    return `${host} does not speak https (${code}): a local sandbox listens on plain http, so use http://${host} in CREGO_BASE_URL.`;
  }
  if (code === 'ECONNREFUSED') {
    return `Nothing is listening at ${where} (connection refused): start the server (\`crego sandbox\`, \`npm start\`) or check CREGO_BASE_URL.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `No host named ${host} could be found (${code}): check CREGO_BASE_URL and the network.`;
  return `Could not reach Crego at ${where}${code ? ` (${code})` : ''}: check that the server is up, CREGO_BASE_URL and the network.`;
}

function hostOf(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/]+)/i.exec(url)?.[1] ?? url;
}
