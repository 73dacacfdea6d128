#!/usr/bin/env bash
# A local schema registry with a Confluent-compatible API on 127.0.0.1, for the schema-registry
# tests and the demo: Apicurio Registry (in-memory storage), whose Confluent API is /apis/ccompat/v7.
#   scripts/registry.sh up      fetch the app (Maven Central, cached), start it, wait until it is ready
#   scripts/registry.sh down    stop it (its schemas go with it: the storage is in memory)
#   scripts/registry.sh status  exit 0 when it answers and is ready
# The app is io.apicurio:apicurio-registry-app (tar.gz, classifier all), fetched with Maven into
# .cache/registry/ and unpacked once; it runs as a background java process on IGA_REGISTRY_PORT
# (8181), pid and log in .cache/registry/<port>/. 3.0.x runs on Java 17 (3.3.x needs Java 21).
# Ready in ~7 s, ~300 MiB. See README "Schema registry".
source "$(dirname "$0")/lib.sh"

VERSION="${IGA_REGISTRY_VERSION:-3.0.9}"
PORT="${IGA_REGISTRY_PORT:-8181}"
HOME_DIR="$IGA_CACHE/registry"
DIST="$HOME_DIR/apicurio-registry-$VERSION"
JAR="$DIST/apicurio-registry-app-$VERSION-runner.jar"
TARBALL="$HOME_DIR/apicurio-registry-app-$VERSION-all.tar.gz"
RUN="$HOME_DIR/$PORT"
PIDFILE="$RUN/registry.pid"
LOG="$RUN/registry.log"
URL="http://127.0.0.1:$PORT"

# Ready means the Confluent-compatible API answers, not only the health check.
ready() { curl -fsS -m 2 -o /dev/null "$URL/health/ready" 2>/dev/null && curl -fsS -m 2 -o /dev/null "$URL/apis/ccompat/v7/subjects" 2>/dev/null; }
# The pid file's process, if it is still this registry (a stale file's pid may belong to another process by now).
running() { [ -f "$PIDFILE" ] && tr '\0' ' ' < "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null | grep -qE -- "-Dquarkus\.http\.port=$PORT .*apicurio-registry-app-.*-runner\.jar"; }

# The app's POM names a repository that cannot be reached: fetch the tar.gz alone.
fetch_dist() {
  [ -f "$DIST/.complete" ] && return 0
  command -v java >/dev/null || die "Java 17+ is needed to run the schema registry"
  maven_fetch_tarball "Apicurio Registry $VERSION" "~105 MB" "io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all" "$HOME_DIR" "$TARBALL"
  say "unpacking Apicurio Registry $VERSION into $DIST"
  rm -rf "$DIST"
  mkdir -p "$DIST"
  tar -xzf "$TARBALL" -C "$DIST" || die "could not unpack $TARBALL"
  [ -f "$JAR" ] || die "$TARBALL did not contain apicurio-registry-app-$VERSION-runner.jar"
  touch "$DIST/.complete"
  rm -f "$TARBALL" # Maven's local repository keeps a copy
}

start() {
  mkdir -p "$RUN"
  say "starting Apicurio Registry $VERSION on $URL (Confluent API $URL/apis/ccompat/v7; log in $RUN)"
  # In-memory storage (the app's default), bound to loopback; a small heap is plenty for tests.
  # exec: the background subshell becomes java, so $! is java's pid.
  (cd "$RUN" && exec nohup java -Xms32m -Xmx"${IGA_REGISTRY_HEAP:-256m}" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -jar "$JAR" < /dev/null > "$LOG" 2>&1) &
  echo $! > "$PIDFILE"
}

# Waits until the registry answers, printing progress every 5 s.
wait_ready() {
  local started=$SECONDS next=5
  for _ in $(seq 1 240); do
    if ready; then say "schema registry is ready after $((SECONDS - started)) s"; return 0; fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -30 "$LOG" >&2; die "the schema registry exited during start-up (log: $LOG)"; }
    if [ $((SECONDS - started)) -ge "$next" ]; then
      say "waiting for the schema registry: $((SECONDS - started)) s"
      next=$((next + 5))
    fi
    sleep 0.5
  done
  tail -30 "$LOG" >&2
  die "the schema registry was not ready within 120 s (log: $LOG)"
}

up() {
  if ready; then say "schema registry already answers on $URL"; return 0; fi
  if port_open "$PORT"; then
    running || die "127.0.0.1:$PORT is taken by something this script did not start (set IGA_REGISTRY_PORT)"
  else
    fetch_dist
    start
  fi
  wait_ready
}

down() {
  if running; then
    local pid; pid=$(cat "$PIDFILE")
    say "stopping the schema registry (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) if ready; then say "schema registry answers on $URL (Confluent API $URL/apis/ccompat/v7)"; else say "schema registry does not answer on $URL"; exit 1; fi ;;
  *) die "usage: scripts/registry.sh up|down|status" ;;
esac
