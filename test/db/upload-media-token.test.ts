import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { applyMigrations, connectPostgres, MIGRATIONS_DIR } from '../../src/db/migrations.js';
import { freshDatabaseUrl } from '../harness/env.js';

const MIGRATION = '20261204154225_upload_media_token_contact_index';
const quiet = { info: () => undefined, warn: () => undefined };
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

test('the media-token migration gives every existing upload its own token and leaves its stored keys alone', async () => {
  // The migrations before this one, as a deployment that has not taken it yet has them.
  const before = await fs.mkdtemp(path.join(os.tmpdir(), 'quiz-migrations-'));
  dirs.push(before);
  await fs.cp(MIGRATIONS_DIR, before, { recursive: true, filter: (src) => (path.relative(MIGRATIONS_DIR, src).split(path.sep)[0] ?? '') < MIGRATION });
  const sql = await connectPostgres(await freshDatabaseUrl('media_token'));
  try {
    await applyMigrations(sql, before, quiet);
    await sql.exec('INSERT INTO users (telegram_id, updated_at) VALUES (42, now())');
    await sql.exec(`INSERT INTO uploads (user_id, original_name, mime_type, size_bytes, storage_key, status, original_key, thumbnail_key, updated_at)
      SELECT id, 'old.png', 'image/png', 3, 'incoming/x' || n, 'ready', 'uploads/' || n || '/original.png', 'uploads/' || n || '/thumbnail.png', now()
        FROM users, generate_series(1, 3) AS n`);
    await applyMigrations(sql, MIGRATIONS_DIR, quiet);
    const rows = await sql.query<{ media_token: string; original_key: string }>('SELECT media_token, original_key FROM uploads ORDER BY id');
    assert.equal(rows.length, 3);
    assert.ok(
      rows.every((r) => /^[0-9a-f]{32}$/.test(r.media_token)),
      JSON.stringify(rows),
    );
    assert.equal(new Set(rows.map((r) => r.media_token)).size, 3);
    assert.deepEqual(
      rows.map((r) => r.original_key),
      ['uploads/1/original.png', 'uploads/2/original.png', 'uploads/3/original.png'],
    );
  } finally {
    await sql.close();
  }
});
