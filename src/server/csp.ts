import { OFFICE_JS_ORIGIN } from './build/office-js';

/**
 * Content-Security-Policy for the add-in's pages. Scripts only from our origin and the Office CDN
 * (office.js loads its host scripts from there, MicrosoftAjax from ajax.aspnetcdn.com and its
 * telemetry from aria): no inline script and no eval. Connections may go to any https origin
 * because the pane can be pointed at a Crego the server does not proxy. Styles allow 'unsafe-inline' because Office's
 * host scripts set inline styles (office-js #1687). No frame-ancestors: Excel on the web frames the
 * pane from several Microsoft domains, and a wrong list shows a blank pane.
 */
const OFFICE_TELEMETRY = 'https://browser.pipe.aria.microsoft.com';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${OFFICE_JS_ORIGIN} https://ajax.aspnetcdn.com ${OFFICE_TELEMETRY}`,
  // The pane may talk to a Crego the server does not proxy (its Custom URL): any https API, or http on loopback.
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data: https:",
  `frame-src 'self' ${OFFICE_JS_ORIGIN}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
