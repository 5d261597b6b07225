/** Removes every control character (for names Telegram signed: refusing them would lock the user out). */
export function stripControl(text: string): string {
  return text.replace(/\p{Cc}/gu, '');
}
