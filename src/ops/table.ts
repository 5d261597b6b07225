/** Left-aligned columns separated by two spaces, indented by two: the human output of the CLIs. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** A short "how long ago / from now" for a date relative to `now` (e.g. `3 s ago`, `in 29 min`). */
export function formatRelative(date: Date | null, now: Date): string {
  if (!date) return '-';
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const amount = abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return seconds <= 0 ? `${amount} ago` : `in ${amount}`;
}
