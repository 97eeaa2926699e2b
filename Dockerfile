# syntax=docker/dockerfile:1
# Loa Xã production image: one image, every process role (`start`, `web`, `bots`, `worker`,
# `migrate`, `doctor`), chosen by the command; see docker-compose.yml for the province layout.
# TypeScript runs through tsx (a runtime dependency), so there is no compile step.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full install (the postinstall generates the Prisma client, offline), then prune ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false
# Only what `npm ci` and its postinstall (scripts/prisma-generate.js) read, so source edits do not
# invalidate the dependency layer.
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/ scripts/
COPY prisma/ prisma/
RUN npm ci \
 && test -f src/db/generated/client.ts \
 && npm prune --omit=dev \
 && npm cache clean --force

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
# ffmpeg and espeak-ng render bulletins (TTS, loudness, encoding); redis-server for `start` without
# REDIS_URL (single box); ca-certificates for HTTPS to
# Telegram, Zalo and loudspeaker vendors.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng redis-server ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000 \
    FFMPEG_PATH=/usr/bin/ffmpeg

# Dependencies (production only) and the Prisma client generated in the build stage; then the
# sources. What goes in is decided by .dockerignore (no node_modules, data, .env, tests), so a
# folder that is still empty in git (bots/) cannot break the build.
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/src/db/generated/ src/db/generated/
COPY . .

# The `node` user (uid 1000) of the base image owns the data folder and nothing of the code.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node

EXPOSE 3000
# Only roles that serve HTTP (`start`, `web`) answer this; docker-compose.yml disables the check
# for `bots`, `worker` and `migrate`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/loaxa.js"]
CMD ["start"]
