#!/usr/bin/env bash
# All tests: typecheck, unit tests, and integration tests against a real Kafka broker and RabbitMQ.
# Sets up everything on a fresh clone: Node 24, npm dependencies, the local Kafka broker, RabbitMQ.
#   npm test                 everything
#   npm test -- test/iga     only the given files or folders
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
bash "$IGA_ROOT/scripts/rabbitmq.sh"
bash "$IGA_ROOT/scripts/kafka.sh" up
cd "$IGA_ROOT"
say "typecheck (tsc --noEmit)"
npx tsc --noEmit -p tsconfig.json
if [ $# -gt 0 ]; then
  files=()
  for a in "$@"; do if [ -d "$a" ]; then while IFS= read -r f; do files+=("$f"); done < <(find "$a" -name '*.test.ts' | sort); else files+=("$a"); fi; done
else
  mapfile -t files < <(find test connectors src -name '*.test.ts' -not -path '*/node_modules/*' | sort)
fi
say "running ${#files[@]} test files (unit and integration, real brokers)"
export IGA_LOG_LEVEL="${IGA_LOG_LEVEL:-error}"
# --test-force-exit: KafkaJS can leave an idle socket behind after disconnect; every test has finished by then.
node --test --test-force-exit --test-concurrency=2 --test-timeout=300000 "${files[@]}"
