#!/usr/bin/env bash
# The integration tests in the containers mode: Kafka and RabbitMQ started with testcontainers from
# the images that scripts/images.sh builds (it runs first: Docker, the images; seconds when nothing
# changed), then docker-compose.yml's test. Needs root on a machine without Docker (to install it).
#   bash scripts/test-containers.sh                      the containers' wiring, BOTT, chaos; then the compose test
#   bash scripts/test-containers.sh test/e2e/brake ...    these files or folders in the containers mode instead
# Settings: IGA_TEST_KAFKA_IMAGE, IGA_TEST_RABBITMQ_IMAGE, and those of scripts/images.sh.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
bash "$IGA_ROOT/scripts/images.sh"
cd "$IGA_ROOT"
export IGA_TEST_BROKERS=containers
export IGA_LOG_LEVEL="${IGA_LOG_LEVEL:-error}"
if [ $# -gt 0 ]; then
  say "tests in the containers mode: $*"
  exec npx vitest run "$@"
fi
say "tests in the containers mode: the containers' wiring, BOTT and chaos (vitest, Kafka and RabbitMQ in containers), with a transactional producer per task"
# npm test runs the guarantees tests in exactly-once v2 (one transactional producer per instance,
# the default); here they run with one per task, so CI passes both commit modes without running twice.
IGA_TEST_PROCESSING_GUARANTEE=exactly_once npx vitest run test/containers test/e2e/bott test/e2e/chaos
# On its own: its stack (four containers and their health checks) would crowd the chaos test on 2 cores.
say "docker-compose.yml's test (the stack up, one DFØ notification to a SCIM account, down)"
npx vitest run test/compose
say "containers mode passed"
