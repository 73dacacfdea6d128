#!/usr/bin/env bash
# All tests: typecheck, unit tests, and integration tests against a real Kafka broker and RabbitMQ,
# and the drivers' destinations (a local OpenLDAP and Keycloak).
# Sets up everything on a fresh clone: Node 24, npm dependencies, the local Kafka broker, RabbitMQ,
# slapd (scripts/slapd.sh), Keycloak (scripts/keycloak.sh), the schema registry (scripts/registry.sh),
# Debian's Chromium for the console's browser tests (scripts/chromium.sh) and Debian's Prometheus for
# the console's plots (scripts/prometheus.sh).
#   npm test                         everything, with a coverage report (coverage/) and its floor
#   npm test -- test/iga             only the files under the given folders or matching a file name
#   npm test -- --project unit       only the unit tests (or --project integration)
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
# Keycloak is the slowest to start (~30 s the first time, with a one-off build; ~5 s later): it
# starts in the background first and is waited for just before the tests.
keycloak_log="$IGA_CACHE/keycloak-up.log"
bash "$IGA_ROOT/scripts/keycloak.sh" up > "$keycloak_log" 2>&1 &
keycloak_pid=$!
keycloak_started=$SECONDS
# The schema registry (~7 s, ~20 s on a busy machine; the first time also a ~105 MB fetch) likewise.
registry_log="$IGA_CACHE/registry-up.log"
bash "$IGA_ROOT/scripts/registry.sh" up > "$registry_log" 2>&1 &
registry_pid=$!
bash "$IGA_ROOT/scripts/rabbitmq.sh"
bash "$IGA_ROOT/scripts/kafka.sh" up
bash "$IGA_ROOT/scripts/slapd.sh" up
bash "$IGA_ROOT/scripts/chromium.sh"
bash "$IGA_ROOT/scripts/prometheus.sh"
cd "$IGA_ROOT"
say "typecheck (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
say "waiting for Keycloak (scripts/keycloak.sh up, started in the background)"
keycloak_status=0
wait "$keycloak_pid" || keycloak_status=$?
sed 's/^/  /' "$keycloak_log" >&2
[ "$keycloak_status" -eq 0 ] || die "scripts/keycloak.sh up failed (exit $keycloak_status)"
say "Keycloak ready $((SECONDS - keycloak_started)) s after its start"
say "waiting for the schema registry (scripts/registry.sh up, started in the background)"
registry_status=0
wait "$registry_pid" || registry_status=$?
sed 's/^/  /' "$registry_log" >&2
[ "$registry_status" -eq 0 ] || die "scripts/registry.sh up failed (exit $registry_status)"
export IGA_LOG_LEVEL="${IGA_LOG_LEVEL:-error}"
# Both projects (unit, integration) in one run with coverage; arguments narrow it (a folder or file
# filter, `--project unit`, `-t <name pattern>`). The coverage floor is in vitest.config.ts.
say "tests (vitest: unit and integration against real Kafka, RabbitMQ, slapd, Keycloak and the schema registry, with coverage)"
# A part of the suite cannot reach the whole suite's coverage floor, so coverage runs with no arguments.
coverage=(); [ $# -eq 0 ] && coverage=(--coverage)
status=0
npx vitest run "${coverage[@]}" "$@" || status=$?
[ "$status" -eq 0 ] && say "all tests passed" || say "tests failed (exit $status)"
exit "$status"
