import { defineConfig } from 'prisma/config';

// Only the CLI reads this file (generate, and migrate on machines with the native engine).
// The app builds its own connection from src/config.ts; migrations run through `npm run db:migrate`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/quiz' },
});
