# iga-stream: Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
#   docker build -t iga-stream .
#   docker run --rm iga-stream run          (the service; see README.md "Configuration")

# Dependencies are installed in their own stage: @nxtedition/rocksdb ships prebuilt binaries for
# linux-x64 only, so on other architectures (arm64) npm compiles it and needs a C++ toolchain that
# the runtime image does not carry.
FROM node:24-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    IGA_STATE_DIR=/var/lib/iga-stream
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src/ ./src/
COPY connectors/ ./connectors/
# The RocksDB state stores live here; a named volume mounted on it inherits this ownership.
RUN mkdir -p /var/lib/iga-stream && chown node:node /var/lib/iga-stream
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 8080 9464
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["run"]
