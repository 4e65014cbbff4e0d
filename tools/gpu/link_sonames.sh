#!/bin/sh
# link_sonames.sh DIR: for every DIR/libX.so.VERSION, the libX.so link a linker looks for.
# (tools/gpu/pack_deps.sh packs real files only; links may not survive copying to a device.)
set -e
[ -d "$1" ] || { echo "error: link_sonames.sh: $1 is not a folder" >&2; exit 1; }
for f in "$1"/lib*.so.*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  ln -sfn "$name" "$1/${name%%.so.*}.so"
done
