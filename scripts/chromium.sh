#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (Playwright drives it; Playwright's own browser
# download is not used, since only the Debian and npm registries are reachable).
#   scripts/chromium.sh        install the `chromium` package if /usr/bin/chromium is missing (as root), print its version
# The tests read the binary from IGA_CHROMIUM (default /usr/bin/chromium) and fail loudly without it.
source "$(dirname "$0")/lib.sh"
bin="${IGA_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$bin" ]; then
  apt_install chromium chromium
fi
[ -x "$bin" ] || die "no Chromium at $bin after the install"
say "$("$bin" --version 2>/dev/null | head -1)"
