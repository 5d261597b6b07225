#!/bin/sh
# Stand-in for Prisma's native schema engine, which these machines cannot download.
# `prisma generate` only needs the file to exist; migrations run through `npm run db:migrate`
# and new ones are computed offline by `npm run db:diff` (Prisma's own engine, as WebAssembly).
echo "quiz-backend: the native Prisma schema engine is not installed here." >&2
echo "Use 'npm run db:migrate' to apply migrations and 'npm run db:diff -- <name>' to create one." >&2
exit 1
