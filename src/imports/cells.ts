/**
 * Spreadsheet cells that start with = + - @ tab or CR are run as formulas by Excel, LibreOffice and Sheets
 * when a CSV is opened (CSV injection: `=HYPERLINK(...)` in a user name). Exports put a ' before such a cell,
 * as OWASP advises; a cell that already starts with ' gets one too, so that imports can take exactly one
 * off again and a quiz survives export and import unchanged.
 */
const NEEDS_QUOTE = /^[=+\-@\t\r']/;
const QUOTED = /^'[=+\-@\t\r']/;

/** A text cell safe to open in a spreadsheet. */
export function escapeCell(value: string): string {
  return NEEDS_QUOTE.test(value) ? `'${value}` : value;
}

/** The text an exported cell stood for (a hand-made cell like "'hello" is left as it is). */
export function unescapeCell(value: string): string {
  return QUOTED.test(value) ? value.slice(1) : value;
}
