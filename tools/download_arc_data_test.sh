#!/bin/bash
# tools/download_arc_data.sh against a local stand-in of the reference repository (no network):
# the pinned files arrive and land in DIR; a file whose bytes differ from its pinned sha256 fails
# the whole download and leaves DIR untouched. Part of the full-data suite: it needs the real files.
#
# args: download_arc_data.sh
set -u
script="$PWD/$1"
arc_dir="$PWD/../arc_data"
work="${TEST_TMPDIR:-$(mktemp -d)}/download_test"
rm -rf "$work" && mkdir -p "$work"
if [ ! -f "$arc_dir/arc-agi_training2_challenges.json" ]; then
  echo "FAIL the full ARC task files are missing: the full-data suite reads ../shared/data/arc" \
    "beside the workspace or \$TRM_ARC_DIR"
  exit 1
fi

repo="$work/reference"
mkdir -p "$repo/kaggle/combined"
cp -L "$arc_dir"/arc-agi_*.json "$repo/kaggle/combined/"
git -C "$repo" init --quiet
git -C "$repo" add .
git -C "$repo" -c user.name=test -c user.email=test@localhost commit --quiet -m pinned

failures=0
TRM_REFERENCE_REPO="$repo" TRM_REFERENCE_REF=HEAD "$script" "$work/good" > "$work/good.log" 2>&1 \
  || { echo "FAIL download of the pinned files"; cat "$work/good.log"; failures=$((failures + 1)); }
for f in "$repo"/kaggle/combined/*.json; do
  cmp -s "$f" "$work/good/$(basename "$f")" || { echo "FAIL $(basename "$f") differs"; failures=$((failures + 1)); }
done

echo '{}' > "$repo/kaggle/combined/arc-agi_concept_solutions.json"
git -C "$repo" -c user.name=test -c user.email=test@localhost commit --quiet -am changed
mkdir -p "$work/bad"
if TRM_REFERENCE_REPO="$repo" TRM_REFERENCE_REF=HEAD "$script" "$work/bad" > "$work/bad.log" 2>&1; then
  echo "FAIL a file with another sha256 was accepted"; failures=$((failures + 1))
fi
grep -q "arc-agi_concept_solutions.json from ref 'HEAD' has sha256" "$work/bad.log" \
  || { echo "FAIL no error naming the changed file:"; cat "$work/bad.log"; failures=$((failures + 1)); }
[ -z "$(ls -A "$work/bad")" ] || { echo "FAIL files were left in DIR"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] && echo "download_arc_data_test: all checks passed"
exit "$failures"
