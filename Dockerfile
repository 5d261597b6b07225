# One image for the API, the worker and the one-shot migrate job (see docker-compose*.yml).
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. `npm ci` runs `prisma generate`
# (postinstall), which needs the schema, prisma.config.ts and the schema-engine stub.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
COPY scripts/schema-engine-stub.sh scripts/schema-engine-stub.sh
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .

# MEDIA_DIR and LOG_DIR are mounted as volumes in compose; created here so the volumes start out owned by `node`.
RUN mkdir -p /app/media /app/logs && chown node:node /app/media /app/logs
USER node

# 8000: API (PORT); 9464: worker metrics (WORKER_METRICS_PORT).
EXPOSE 8000 9464
CMD ["npm", "run", "api"]
