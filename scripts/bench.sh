#!/usr/bin/env bash
# Benchmarks, JSON results in bench/results/ (method and figures: bench/README.md).
#   npm run bench               every benchmark
#   npm run bench -- stream     only the stream benchmark (real Kafka and RabbitMQ); or: scim
#   npm run bench -- peer       only the bulk load side by side with the Kafka Streams peer (Java, Maven)
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
cd "$IGA_ROOT"
mkdir -p bench/results
which="${1:-all}"
case "$which" in
  all|scim|stream|peer) ;;
  *) die "usage: npm run bench [-- scim|stream|peer]" ;;
esac
if [ "$which" = all ] || [ "$which" = stream ]; then
  bash "$IGA_ROOT/scripts/rabbitmq.sh"
  bash "$IGA_ROOT/scripts/kafka.sh" up
  say "stream benchmark (bench/stream.bench.ts)"
  node bench/stream.bench.ts
fi
if [ "$which" = all ] || [ "$which" = peer ]; then
  bash "$IGA_ROOT/scripts/rabbitmq.sh"
  bash "$IGA_ROOT/scripts/kafka.sh" up
  say "bulk load side by side with the Kafka Streams peer (bench/peer.bench.ts)"
  node bench/peer.bench.ts
fi
if [ "$which" = all ] || [ "$which" = scim ]; then
  say "SCIM benchmark (bench/scim.bench.ts)"
  node bench/scim.bench.ts
fi
