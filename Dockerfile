# iga-stream: Node 24 runs the TypeScript sources directly (type stripping), so there is no build step.
#   docker build -t iga-stream .
#   docker run --rm iga-stream run          (the service; see README.md "Configuration")
# NODE_IMAGE names the Node 24 image to build on; scripts/images.sh builds a local one under the
# official name where no registry can be reached.
ARG NODE_IMAGE=node:24-bookworm-slim

# Dependencies are installed in their own stage: @nxtedition/rocksdb ships prebuilt binaries for
# linux-x64 only, so on other architectures (arm64) npm compiles it and needs a C++ toolchain that
# the runtime image does not carry (and that amd64 does not need).
FROM ${NODE_IMAGE} AS deps
RUN if [ "$(dpkg --print-architecture)" != amd64 ]; then \
      apt-get update \
   && apt-get install -y --no-install-recommends python3 make g++ \
   && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# Memory (bench/README.md "Memory"): glibc returns freed large blocks to the OS at once (a fixed
# mmap threshold instead of one that grows to 32 MiB, and two arenas). The same settings are in
# ./iga-stream and bench/lib/services.ts.
ENV NODE_ENV=production \
    IGA_STATE_DIR=/var/lib/iga-stream \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src/ ./src/
COPY connectors/ ./connectors/
COPY tools/ ./tools/
# The RocksDB state stores live here; a named volume mounted on it inherits this ownership.
RUN mkdir -p /var/lib/iga-stream && chown node:node /var/lib/iga-stream
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 8080 9464
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["run"]
