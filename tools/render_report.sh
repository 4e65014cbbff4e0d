#!/bin/bash
# Renders an evaluation report (the index.html that `eval --report=DIR` writes) to a PNG with
# headless Chromium, to check how it looks without a desktop. Chromium is optional: no test
# depends on it (`apt-get install -y chromium` on Debian).
#
#   tools/render_report.sh runs/eval/report/index.html report.png [WIDTH,HEIGHT]
#
# The window is the screenshot (Chromium does not capture beyond it): pick a tall one to see more
# tasks. Nothing is fetched from the network: the page is self-contained, and the flags turn off
# Chromium's own background traffic.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
  exit 2
fi
report="$(realpath "$1")"
out="$(realpath -m "$2")"
size="${3:-1400,2400}"
[[ -f "$report" ]] || { echo "error: $report: no such file" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[[ -n "$browser" ]] || { echo "error: Chromium not found (apt-get install -y chromium)" >&2; exit 1; }

profile="$(mktemp -d)"  # a fresh, empty profile every time
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size="$size" \
  --screenshot="$out" "file://$report" 2> "$profile/chromium.log" || {
    echo "error: Chromium failed; its log:" >&2
    cat "$profile/chromium.log" >&2
    exit 1
  }
[[ -s "$out" ]] || { echo "error: Chromium wrote no screenshot" >&2; exit 1; }
echo "wrote $out ($size)"
