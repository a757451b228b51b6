# threadlint GitHub App. tree-sitter runs as WebAssembly (web-tree-sitter), so no
# native toolchain is needed; install scripts are skipped for that reason.
#
# The base image is pinned to an exact Node release (the one CI tests with). For a
# reproducible build, also pin its digest: `docker buildx imagetools inspect
# node:20.20.2-bookworm-slim` and write `FROM node:20.20.2-bookworm-slim@sha256:…`.

# ---- build: compile TypeScript
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- run: production dependencies, the compiled app, tini as PID 1
FROM node:20.20.2-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json \
    THREADLINT_STATE_DIR=/app/state
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY rules ./rules
# The journal of unfinished jobs when REDIS_URL is not set: keep it on a volume.
RUN mkdir -p /app/state && chown node:node /app/state
VOLUME ["/app/state"]
USER node
EXPOSE 3000
# tini forwards SIGTERM to node and reaps it; node drains (THREADLINT_SHUTDOWN_GRACE_MS,
# default 8 s, inside `docker stop`'s 10 s) and exits.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/app/main.js"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
