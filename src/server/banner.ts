/**
 * What `crego serve` prints on start: where things are, how to sideload, which API is behind
 * /api and, for the sandbox, the dev token (a sandbox credential, printed on purpose).
 */
import { join, relative } from 'node:path';
import type { RunningServer } from './index';
import { displayUrl } from '../api/url';

export function startBanner(server: RunningServer, opts: { repoRoot: string; manifestOrigin?: string }): string {
  // Absolute: it is what a person picks in Excel's upload dialog or copies into a folder.
  const manifest = join(server.distDir, 'manifest.xml');
  const lines = [
    `Crego for Excel is running at ${server.url}`,
    `  Task pane   ${server.url}/taskpane.html`,
    `  Manifest    ${manifest}  (also ${server.url}/manifest.xml)`,
  ];
  if (server.embeddedSandbox) {
    lines.push(`  API         the embedded Crego sandbox at ${server.apiTarget}, proxied at ${server.url}/api`);
    lines.push(`  Dev token   ${server.devToken}  (sandbox only; the task pane reads it from /config.json)`);
  } else {
    // A configured Crego (CREGO_BASE_URL), even one on this machine: no dev token of ours to show.
    lines.push(`  API         ${displayUrl(server.apiTarget)} (${server.environment}, from CREGO_BASE_URL), proxied at ${server.url}/api`);
    lines.push(
      server.serverToken
        ? '  Token       CREGO_TOKEN, added by the server to /api requests that carry none (never sent to the browser)'
        : '  Token       none on the server: sign in from the task pane',
    );
  }
  if (opts.manifestOrigin && opts.manifestOrigin !== server.url) {
    lines.push(`  Note        dist/manifest.xml points at ${opts.manifestOrigin}, not at this server; rebuild with the same PORT/ADDIN_ORIGIN.`);
  }
  lines.push('', `Certificate: ${certificateLine(server, opts.repoRoot)}`);
  lines.push(
    '',
    'Sideload the add-in:',
    `  Excel on the web   open a workbook, Home > Add-ins > More Add-ins > Upload My Add-in, choose ${manifest}.`,
    `  Excel on Windows   npx office-addin-debugging start ${manifest} desktop   (or put the manifest in a shared-folder catalog:`,
    '                     File > Options > Trust Center > Trusted Add-in Catalogs, then Home > Add-ins > Shared Folder).',
    `  Excel on Mac       copy ${manifest} to ~/Library/Containers/com.microsoft.Excel/Data/Documents/wef/ and restart Excel.`,
    'Then Home > Open Crego, and type =CREGO. in a cell.',
    '',
    'Press Ctrl+C to stop.',
  );
  return lines.join('\n');
}

function certificateLine(server: RunningServer, repoRoot: string): string {
  const tls = server.tls;
  if (tls.source === 'files') return `from CREGO_TLS_CERT (${tls.certFile}).`;
  if (tls.source === 'office-addin-dev-certs') return `office-addin-dev-certs (${tls.certFile}), trusted on this machine.`;
  const ca = tls.caFile ? relative(repoRoot, tls.caFile) : '.certs/ca.crt';
  return [
    `self-signed, generated in ${ca.replace(/ca\.crt$/, '')}; Excel will refuse it until this machine trusts ${ca}.`,
    '  Easiest: `npx office-addin-dev-certs install` (asks for your password), then restart: the server then uses that certificate.',
    `  Or trust ${ca} yourself: Windows \`certutil -user -addstore Root ${ca}\`;`,
    `  macOS \`security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db ${ca}\`;`,
    `  Linux \`sudo cp ${ca} /usr/local/share/ca-certificates/crego-dev.crt && sudo update-ca-certificates\`.`,
  ].join('\n');
}
