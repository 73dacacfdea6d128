#!/usr/bin/env bash
# Debian's Prometheus for the test of the console's plots from Prometheus (IGA_PROMETHEUS_URL).
#   scripts/prometheus.sh      install the `prometheus` package if /usr/bin/prometheus is missing (as root), print its version
# The test runs its own Prometheus process (its own config, port and data folder); the package's
# system service is not used, and is stopped if the package started it.
source "$(dirname "$0")/lib.sh"
bin="${IGA_PROMETHEUS_BIN:-/usr/bin/prometheus}"
if [ ! -x "$bin" ]; then
  apt_install prometheus --no-install-recommends prometheus
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
[ -x "$bin" ] || die "no Prometheus at $bin after the install"
say "$("$bin" --version 2>&1 | head -1)"
