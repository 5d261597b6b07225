# One image for the API, the worker and the one-shot migrate job (see docker-compose*.yml).
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. `npm ci` runs `prisma generate` and
# `npm run build` (postinstall), which need the schema, prisma.config.ts, the schema-engine stub and the
# build script (at this point it compiles only the generated client; the full build follows the sources).
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
COPY scripts/schema-engine-stub.sh scripts/build.mjs scripts/
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .
# src/ compiled to dist/ as root: the processes below run `node dist/...` as `node` and never write there.
RUN npm run build

# MEDIA_DIR and LOG_DIR are mounted as volumes in compose; created here so the volumes start out owned by `node`.
RUN mkdir -p /app/media /app/logs && chown node:node /app/media /app/logs
USER node

# 8000: API (PORT); 9464: worker metrics (WORKER_METRICS_PORT).
EXPOSE 8000 9464
CMD ["node", "dist/api/cluster.js"]
