// Placeholder until the custom-functions work lands: the JSDoc-annotated CREGO.* functions live here.

/**
 * The add-in's version.
 * @customfunction VERSION
 * @returns The version of Crego for Excel.
 */
export function version(): string {
  return '0.1.0';
}
