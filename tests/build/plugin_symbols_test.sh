#!/usr/bin/env bash
# Plugins link the core's headers only (bazel/trm.bzl): a plugin that defines a symbol the host also
# defines carries a second copy of core code (an ODR violation: two registries, two descriptor
# pools; ASan's detect_odr_violation reports it). Fails listing such symbols, per plugin.
# Usage: plugin_symbols_test.sh HOST_BINARY (its plugins are found in the runfiles' plugins/).
set -euo pipefail

host="$1"
strong() { nm -D --defined-only "$1" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u; }
# Linker-defined section markers every shared object has.
markers='^(__bss_start|_edata|_end|_init|_fini)$'

strong "$host" > "$TEST_TMPDIR/host.txt"
[ -s "$TEST_TMPDIR/host.txt" ] || { echo "FAIL: $host exports no symbols (not linked -rdynamic?)"; exit 1; }
plugins=$(find -L plugins -name 'libtrm_*.so' -not -path '*.runfiles*' | sort)
[ -n "$plugins" ] || { echo "FAIL: no plugins in the runfiles"; exit 1; }
status=0
for plugin in $plugins; do
  shared=$(comm -12 "$TEST_TMPDIR/host.txt" <(strong "$plugin") | grep -Ev "$markers" || true)
  if [ -n "$shared" ]; then
    echo "FAIL: $plugin defines $(wc -l <<<"$shared") symbol(s) of the host, e.g.:"
    head -5 <<<"$shared" | c++filt | sed 's/^/  /'
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "PASS: $(wc -w <<<"$plugins") plugins define no host symbol"
exit "$status"
