import { z } from 'zod';

/**
 * Control characters (C0, DEL, C1). PostgreSQL text cannot hold U+0000 (an insert fails with 22021, a 500);
 * the others garble logs, mail headers and terminals and have no place in a name or a one-line field.
 */
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_LINES = /[^\P{Cc}\t\n\r]/u;

/** Removes every control character (for names Telegram signed: refusing them would lock the user out). */
export function stripControl(text: string): string {
  return text.replace(/\p{Cc}/gu, '');
}

/** A one-line text a client typed: control characters are a 400, not a 500 at the database. */
export const singleLineText = () => z.string().refine((v) => !CONTROL.test(v), 'must not contain control characters');

/** A multi-line text a client typed: line feeds, carriage returns and tabs allowed, other control characters a 400. */
export const multiLineText = () =>
  z.string().refine((v) => !CONTROL_EXCEPT_LINES.test(v), 'must not contain control characters other than line breaks and tabs');
