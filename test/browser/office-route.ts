/**
 * How every browser test serves Office: the Office.js CDN URL is answered by office-double.js, the
 * add-in's own loopback server is reached, and anything else external is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const OFFICE_DOUBLE = readFileSync(join(__dirname, 'office-double.js'), 'utf8');

export async function serveOfficeDouble(context: BrowserContext, double: string = OFFICE_DOUBLE): Promise<void> {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.href.startsWith('https://appsforoffice.microsoft.com/')) return route.fulfill({ contentType: 'text/javascript', body: double });
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
    return route.abort();
  });
}
