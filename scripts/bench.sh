#!/usr/bin/env bash
# Benchmarks (JSON results in bench/results/). Today: the SCIM read path against a bare Koa handler.
#   npm run bench
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
cd "$IGA_ROOT"
mkdir -p bench/results
node bench/scim.bench.ts "$@"
