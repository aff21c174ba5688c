/**
 * Where the task pane loads Office.js from. Microsoft's CDN is the only supported source for a
 * production add-in (AppSource requires it, and the hosted copy is what receives fixes for new
 * Excel builds); the npm package @microsoft/office-js says it is "no longer officially supported".
 * Browser tests intercept exactly this URL and answer with a test double, so it lives in one place.
 */
export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/** Origins the pane's Content-Security-Policy must allow for Office.js and the scripts it loads. */
export const OFFICE_JS_ORIGIN = new URL(OFFICE_JS_URL).origin;
