#!/usr/bin/env bash
# The local demo: Node 24, dependencies, a local Kafka broker and RabbitMQ, then `iga-stream demo`.
#   npm run demo                    300 employees
#   npm run demo -- --employees 2000 --serve
#   npm run demo -- --drivers       also the LDAP and Keycloak drivers: starts slapd and Keycloak
#                                   (scripts/slapd.sh, scripts/keycloak.sh), showing their progress
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
drivers=0
for arg in "$@"; do [ "$arg" = --drivers ] && drivers=1; done
if [ "$drivers" = 1 ]; then
  # Keycloak is the slowest to start (~15-30 s; the first time also a download and a one-off build):
  # it starts first, in the background, and reports its progress while the brokers start.
  say "--drivers: starting Keycloak in the background (its progress follows), then the brokers and slapd"
  bash "$IGA_ROOT/scripts/keycloak.sh" up &
  keycloak_pid=$!
fi
bash "$IGA_ROOT/scripts/rabbitmq.sh"
bash "$IGA_ROOT/scripts/kafka.sh" up
if [ "$drivers" = 1 ]; then
  bash "$IGA_ROOT/scripts/slapd.sh" up
  wait "$keycloak_pid" || die "scripts/keycloak.sh up failed; see its output above"
fi
cd "$IGA_ROOT"
exec node src/cli/main.ts demo "$@"
