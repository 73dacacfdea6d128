#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers on 127.0.0.1:5672 (or IGA_AMQP_PORT); starts the local one if it is down.
source "$(dirname "$0")/lib.sh"
PORT="${IGA_AMQP_PORT:-5672}"
if port_open "$PORT"; then exit 0; fi
command -v rabbitmq-server >/dev/null || die "RabbitMQ is not answering on 127.0.0.1:$PORT and rabbitmq-server is not installed (apt-get install rabbitmq-server)"
say "starting RabbitMQ (rabbitmq-server -detached)"
rabbitmq-server -detached >/dev/null 2>&1 || true
for _ in $(seq 1 120); do port_open "$PORT" && { say "RabbitMQ is up"; exit 0; }; sleep 0.5; done
die "RabbitMQ did not open 127.0.0.1:$PORT within 60 s"
