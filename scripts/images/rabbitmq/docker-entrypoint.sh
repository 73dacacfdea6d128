#!/bin/bash
# Entry point of the rabbitmq stand-in: RABBITMQ_DEFAULT_USER, _PASS and _VHOST become the broker's
# default user and virtual host (made when the node first starts on an empty data folder), as with
# the official image; then the command (rabbitmq-server) runs in the foreground.
set -euo pipefail
defaults=/etc/rabbitmq/conf.d/10-defaults-from-env.conf
: > "$defaults"
[ -z "${RABBITMQ_DEFAULT_USER:-}" ] || echo "default_user = $RABBITMQ_DEFAULT_USER" >> "$defaults"
[ -z "${RABBITMQ_DEFAULT_PASS:-}" ] || echo "default_pass = $RABBITMQ_DEFAULT_PASS" >> "$defaults"
[ -z "${RABBITMQ_DEFAULT_VHOST:-}" ] || echo "default_vhost = $RABBITMQ_DEFAULT_VHOST" >> "$defaults"
exec "$@"
