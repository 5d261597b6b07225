import type { Database } from '../db/database.js';
import type { Storage } from '../storage/storage.js';
import { uploadKeys } from './uploads.js';

/** Keys of uploads processed before media tokens: `uploads/<id>/<original|thumbnail>.<ext>`. */
const ID_NAMED = /^uploads\/\d+\/(original|thumbnail)\.([a-z]+)$/;

/**
 * Moves the files of uploads processed before media tokens from `uploads/<id>/` (which anyone can walk) to
 * their row's `uploads/<media token>/`: each file is copied, then the row points at the copies, then the old
 * files go. An interrupted run is finished by running it again (a copy is simply made again). The old URLs stop
 * working: clients holding them get 404 and must read the upload again. Returns how many uploads moved.
 */
export async function moveIdNamedUploads(deps: { db: Database; storage: Storage }): Promise<number> {
  const rows = await deps.db.prisma.upload.findMany({
    where: { OR: [{ originalKey: { startsWith: 'uploads/' } }, { thumbnailKey: { startsWith: 'uploads/' } }] },
    select: { id: true, mediaToken: true, originalKey: true, thumbnailKey: true },
    orderBy: { id: 'asc' },
  });
  let moved = 0;
  for (const row of rows) {
    const keys = { originalKey: row.originalKey, thumbnailKey: row.thumbnailKey };
    const moves: [string, string][] = [];
    for (const field of ['originalKey', 'thumbnailKey'] as const) {
      const match = ID_NAMED.exec(keys[field] ?? '');
      if (!match) continue;
      const target = uploadKeys[match[1] as 'original' | 'thumbnail'](row.mediaToken, match[2]!);
      moves.push([keys[field]!, target]);
      keys[field] = target;
    }
    if (moves.length === 0) continue;
    for (const [from, to] of moves) await deps.storage.put(to, await deps.storage.get(from));
    await deps.db.prisma.upload.update({ where: { id: row.id }, data: keys });
    for (const [from] of moves) await deps.storage.delete(from);
    moved += 1;
  }
  return moved;
}
