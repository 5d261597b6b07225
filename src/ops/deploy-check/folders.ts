import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CheckOutcome } from './types.js';

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  return fs.stat(file).catch(() => undefined);
}

/**
 * Whether the app can write in `dir`, or create it (as it does on start) when it does not exist yet:
 * a real write of a probe file in the folder or its nearest existing ancestor, not access(2), which
 * says yes to root for almost anything and to everyone on a read-only mount. Leaves nothing behind.
 */
export async function checkWritable(dir: string): Promise<CheckOutcome> {
  const absolute = path.resolve(dir);
  let existing = absolute;
  let stats = await statOrUndefined(existing);
  while (!stats && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
    stats = await statOrUndefined(existing);
  }
  if (!stats?.isDirectory()) return { ok: false, reason: `${existing} is not a folder, so ${absolute} cannot be used` };
  const probe = path.join(existing, `.deploy-check-${randomUUID()}`);
  try {
    await fs.writeFile(probe, 'ok', { flag: 'wx' });
    await fs.rm(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, reason: `${existing} is not writable (${e.code ?? e.message})` };
  }
  return existing === absolute ? { ok: true, reason: `${absolute} is writable` } : { ok: true, reason: `${absolute} does not exist yet; ${existing} is writable, so it can be created` };
}
