#!/usr/bin/env bash
# The local demo: Node 24, dependencies, a local Kafka broker and RabbitMQ, then `iga-stream demo`.
#   npm run demo                    300 employees
#   npm run demo -- --employees 2000 --serve
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
bash "$IGA_ROOT/scripts/rabbitmq.sh"
bash "$IGA_ROOT/scripts/kafka.sh" up
cd "$IGA_ROOT"
exec node src/cli.ts demo "$@"
