#!/usr/bin/env bash
# A local Keycloak (the identity provider) on 127.0.0.1, for the Keycloak driver's tests and the demo.
#   scripts/keycloak.sh up      fetch the distribution (Maven Central, cached), start it in dev mode, wait, provision the realm
#   scripts/keycloak.sh down    stop it
#   scripts/keycloak.sh status  exit 0 when it answers and is ready
#   scripts/keycloak.sh reset   stop it and delete its data (realm, users, the driver's client secret)
# The distribution is org.keycloak:keycloak-quarkus-dist (tar.gz), fetched with Maven into
# .cache/keycloak/ and unpacked once; its data (an H2 file database) lives in .cache/keycloak/<port>/.
# `bin/kc.sh start-dev` runs as a background process: HTTP on IGA_KEYCLOAK_PORT (8180), health and
# metrics on IGA_KEYCLOAK_MANAGEMENT_PORT (9180). The first start spends ~25 s on a one-off build.
# Then scripts/keycloak/provision.ts sets up, idempotently, realm IGA_KEYCLOAK_REALM (iga): the user
# profile with the attributes the driver writes, the driver's confidential client iga-stream-driver
# (service account with manage-users and view-users; its secret is in the file printed at the end),
# the public test client iga-stream-login-test (password logins) and the client scope iga-profile
# whose mappers put the profile into ID tokens and userinfo. See README "Local LDAP and Keycloak".
# Admin of the master realm: KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD (default
# admin / iga-keycloak-admin), created at the first start only. TEST ONLY credentials.
source "$(dirname "$0")/lib.sh"

KC_VERSION="${IGA_KEYCLOAK_VERSION:-26.7.3}"
PORT="${IGA_KEYCLOAK_PORT:-8180}"
MPORT="${IGA_KEYCLOAK_MANAGEMENT_PORT:-9180}"
export IGA_KEYCLOAK_REALM="${IGA_KEYCLOAK_REALM:-iga}"
export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-iga-keycloak-admin}"
HOME_DIR="$IGA_CACHE/keycloak"
DIST="$HOME_DIR/keycloak-$KC_VERSION"
TARBALL="$HOME_DIR/keycloak-quarkus-dist-$KC_VERSION.tar.gz"
RUN="$HOME_DIR/$PORT"
PIDFILE="$RUN/keycloak.pid"
LOG="$RUN/keycloak.log"
SECRET_FILE="$RUN/iga-stream-driver.secret"

ready() { curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$MPORT/health/ready" 2>/dev/null; }
# The pid file's process, if it is still this Keycloak (a stale file's pid may belong to another process by now).
running() { [ -f "$PIDFILE" ] && tr '\0' ' ' < "/proc/$(cat "$PIDFILE")/cmdline" 2>/dev/null | grep -qE -- "(bin/kc\.sh|QuarkusEntryPoint) start-dev .*--http-port=$PORT( |$)"; }

# The distribution's POM names a repository that cannot be reached: fetch the tar.gz alone.
fetch_dist() {
  [ -f "$DIST/.complete" ] && return 0
  command -v java >/dev/null || die "Java 17+ is needed to run Keycloak"
  maven_fetch_tarball "Keycloak $KC_VERSION" "~170 MB" "org.keycloak:keycloak-quarkus-dist:$KC_VERSION:tar.gz" "$HOME_DIR" "$TARBALL"
  say "unpacking Keycloak $KC_VERSION into $DIST"
  rm -rf "$DIST"
  tar -xzf "$TARBALL" -C "$HOME_DIR" || die "could not unpack $TARBALL"
  [ -x "$DIST/bin/kc.sh" ] || die "$TARBALL did not contain keycloak-$KC_VERSION/bin/kc.sh"
  touch "$DIST/.complete"
  rm -f "$TARBALL" # Maven's local repository keeps a copy
}

# The driver client's secret: a fixed test-only value (like the admin password), so that every
# checkout on this machine (a CI clone beside a working copy) provisions the same secret instead of
# each rotating the shared realm's secret under the others. IGA_KEYCLOAK_DRIVER_SECRET overrides it.
ensure_secret() {
  mkdir -p "$RUN"
  (umask 077; printf '%s' "${IGA_KEYCLOAK_DRIVER_SECRET:-iga-keycloak-driver-secret-test-only}" > "$SECRET_FILE")
}

start() {
  mkdir -p "$RUN"
  say "starting Keycloak $KC_VERSION on http://127.0.0.1:$PORT (management :$MPORT; data and log in $RUN)"
  # kc.db-url-path moves the dev-mode H2 database from the distribution into this port's folder.
  # A small heap is enough for tests (the process takes ~480 MiB in all).
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx${IGA_KEYCLOAK_HEAP:-512m}" JAVA_OPTS_APPEND="-Dkc.db-url-path=$RUN" \
    nohup "$DIST/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$PORT" --http-management-port="$MPORT" \
    --health-enabled=true < /dev/null > "$LOG" 2>&1 &
  echo $! > "$PIDFILE"
}

# Waits until /health/ready answers, printing progress every 5 s.
wait_ready() {
  local started=$SECONDS next=5 phase
  for _ in $(seq 1 360); do
    if ready; then say "Keycloak is ready after $((SECONDS - started)) s"; return 0; fi
    running || { tail -30 "$LOG" >&2; die "Keycloak exited during start-up (log: $LOG)"; }
    if [ $((SECONDS - started)) -ge "$next" ]; then
      phase="starting"
      grep -q 'Updating the configuration and installing your custom providers' "$LOG" 2>/dev/null && phase="building the server once, then starting"
      grep -q 'Server configuration updated and persisted' "$LOG" 2>/dev/null && phase="built; starting"
      say "waiting for Keycloak: $((SECONDS - started)) s ($phase)"
      next=$((next + 5))
    fi
    sleep 0.5
  done
  tail -30 "$LOG" >&2
  die "Keycloak was not ready within 180 s (log: $LOG)"
}

provision() {
  ensure_node
  ensure_secret
  IGA_KEYCLOAK_URL="http://127.0.0.1:$PORT" IGA_KEYCLOAK_CLIENT_SECRET_FILE="$SECRET_FILE" \
    node "$IGA_ROOT/scripts/keycloak/provision.ts" || die "provisioning realm $IGA_KEYCLOAK_REALM failed"
}

up() {
  if ready; then
    say "Keycloak already answers on http://127.0.0.1:$PORT"
  else
    if port_open "$PORT" || port_open "$MPORT"; then
      running || die "127.0.0.1:$PORT or :$MPORT is taken by something this script did not start (set IGA_KEYCLOAK_PORT / IGA_KEYCLOAK_MANAGEMENT_PORT)"
    else
      fetch_dist
      start
    fi
    wait_ready
  fi
  provision
}

down() {
  if running; then
    local pid; pid=$(cat "$PIDFILE")
    say "stopping Keycloak (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$PIDFILE"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) if ready; then say "Keycloak answers on http://127.0.0.1:$PORT (realm $IGA_KEYCLOAK_REALM)"; else say "Keycloak does not answer on http://127.0.0.1:$PORT"; exit 1; fi ;;
  reset) down; rm -rf "$RUN"; say "Keycloak data deleted ($RUN)" ;;
  *) die "usage: scripts/keycloak.sh up|down|status|reset" ;;
esac
