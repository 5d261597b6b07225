// `npm run media:move-uploads`: moves uploads processed before media tokens out of their guessable
// uploads/<id>/ folders (see src/domain/upload-files.ts); safe to run again, nothing to do the second time.
import { loadToolConfig, createSilentLogger } from '../ops/tool-config.js';
import { createEmbeddedDatabase, createPostgresDatabase, type Database } from '../db/database.js';
import { createStorage } from '../storage/filesystem-storage.js';
import { moveIdNamedUploads } from '../domain/upload-files.js';

async function run(): Promise<void> {
  const config = loadToolConfig();
  let db: Database;
  let closeEmbedded: () => Promise<void> = async () => undefined;
  if (config.DATABASE_URL) db = createPostgresDatabase(config, createSilentLogger());
  else {
    // The embedded database (PGLITE_DIR) serves one process: stop `npm start` first.
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create(config.PGLITE_DIR);
    db = await createEmbeddedDatabase(pglite);
    closeEmbedded = () => pglite.close();
  }
  try {
    const moved = await moveIdNamedUploads({ db, storage: createStorage(config) });
    console.log(`✓ ${moved} upload(s) moved to unguessable folders under ${config.MEDIA_DIR}`);
  } finally {
    await db.close();
    await closeEmbedded();
  }
}

run().catch((err: unknown) => {
  console.error(`✗ uploads not moved: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
