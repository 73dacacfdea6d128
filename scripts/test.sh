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
unit=(); integration=()
for f in "${files[@]}"; do if [[ "$f" == *.int.test.ts ]]; then integration+=("$f"); else unit+=("$f"); fi; done
export IGA_LOG_LEVEL="${IGA_LOG_LEVEL:-error}"
status=0
if [ ${#unit[@]} -gt 0 ]; then
  say "unit tests: ${#unit[@]} files"
  # No --test-force-exit here: with it, Node's runner has been seen to drop the last results of a file.
  node --test --test-concurrency=2 --test-timeout=120000 "${unit[@]}" || status=$?
fi
if [ ${#integration[@]} -gt 0 ]; then
  say "integration tests (real Kafka and RabbitMQ): ${#integration[@]} files"
  # --test-force-exit: KafkaJS can leave an idle socket behind after disconnect; every test has finished by then.
  node --test --test-force-exit --test-concurrency=2 --test-timeout=300000 "${integration[@]}" || status=$?
fi
[ "$status" -eq 0 ] && say "all tests passed" || say "tests failed (exit $status)"
exit "$status"
