/** Pages of a list as API.md defines them: items and an opaque cursor to the next page (decoded in src/api/pagination.ts). */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are opaque base64url JSON of the last item's sort key. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Builds a page from `limit + 1` rows: the extra row only tells that another page exists. */
export function toPage<Row, Item>(rows: Row[], limit: number, present: (row: Row) => Item, keyOf: (row: Row) => Record<string, string | number>): Page<Item> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(present), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
