#!/usr/bin/env bash
# Fetches the public ARC task files into a folder, on a machine with internet access:
#
#   tools/download_arc_data.sh DIR [--per-task]
#
# Default: the Kaggle "combined" files that the TinyRecursiveModels reference ships under
# kaggle/combined/ (arc-agi_{training,evaluation,training2,evaluation2,concept}_{challenges,solutions}.json),
# the layout the "arc" dataset builder reads with data.input_file_prefix "arc-agi".
# Sources can be overridden with TRM_REFERENCE_REPO, TRM_REFERENCE_RAW and TRM_ARC_AGI_2_REPO.
# --per-task: also the ARC-AGI-2 repository's one-file-per-task layout (DIR/data/training/*.json,
# DIR/data/evaluation/*.json), read with subsets "training" / "evaluation".
#
# Files are downloaded into a temporary folder and moved into DIR only when all of them arrived and
# parse as JSON objects; existing files are not replaced. Then point the tools at DIR with
# --arc_dir=DIR or TRM_ARC_DIR=DIR.
set -euo pipefail

REFERENCE_REPO="${TRM_REFERENCE_REPO:-https://github.com/SamsungSAILMontreal/TinyRecursiveModels.git}"
REFERENCE_RAW="${TRM_REFERENCE_RAW:-https://raw.githubusercontent.com/SamsungSAILMontreal/TinyRecursiveModels/main/kaggle/combined}"
ARC_AGI_2_REPO="${TRM_ARC_AGI_2_REPO:-https://github.com/arcprize/ARC-AGI-2.git}"
SUBSETS=(training evaluation training2 evaluation2 concept)

usage() { echo "usage: $0 DIR [--per-task]" >&2; exit 2; }
[ $# -ge 1 ] || usage
DEST="$1"; shift
PER_TASK=0
for arg in "$@"; do
  case "$arg" in
    --per-task) PER_TASK=1 ;;
    *) usage ;;
  esac
done

fetch() {  # URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --tries=3 -O "$2" "$1"
  else
    echo "error: neither curl nor wget is installed" >&2; exit 1
  fi
}

# A downloaded task file must be a JSON object (an HTML error page or a truncated file is not).
check_json_object() {
  local file="$1"
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, dict) and d else 1)' "$file" \
      || { echo "error: $file is not a non-empty JSON object" >&2; exit 1; }
  else
    [ "$(head -c 1 "$file")" = "{" ] && [ "$(tail -c 1 "$file" | tr -d '[:space:]')" = "}" ] \
      || { echo "error: $file does not look like a JSON object" >&2; exit 1; }
  fi
}

mkdir -p "$DEST"
TMP="$(mktemp -d "$DEST/.download.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# With git: a shallow clone of the reference (whatever its default branch); else raw downloads.
if command -v git >/dev/null 2>&1; then
  echo "cloning $REFERENCE_REPO" >&2
  git clone --quiet --depth 1 "$REFERENCE_REPO" "$TMP/reference"
fi
for subset in "${SUBSETS[@]}"; do
  for kind in challenges solutions; do
    name="arc-agi_${subset}_${kind}.json"
    if [ -f "$TMP/reference/kaggle/combined/$name" ]; then
      mv "$TMP/reference/kaggle/combined/$name" "$TMP/$name"
    else
      echo "fetching $name" >&2
      fetch "$REFERENCE_RAW/$name" "$TMP/$name"
    fi
    check_json_object "$TMP/$name"
  done
done
rm -rf "$TMP/reference"

if [ "$PER_TASK" = 1 ]; then
  command -v git >/dev/null 2>&1 || { echo "error: --per-task needs git" >&2; exit 1; }
  echo "cloning $ARC_AGI_2_REPO" >&2
  git clone --quiet --depth 1 "$ARC_AGI_2_REPO" "$TMP/repo"
  for split in training evaluation; do
    [ -d "$TMP/repo/data/$split" ] || { echo "error: $ARC_AGI_2_REPO has no data/$split" >&2; exit 1; }
  done
  mkdir -p "$TMP/data"
  mv "$TMP/repo/data/training" "$TMP/repo/data/evaluation" "$TMP/data/"
  rm -rf "$TMP/repo"
fi

# Everything arrived: move it into place without replacing what is there.
moved=0
for path in "$TMP"/*; do
  target="$DEST/$(basename "$path")"
  if [ -e "$target" ]; then
    echo "keeping existing $target" >&2
  else
    mv "$path" "$target"
    moved=$((moved + 1))
  fi
done
echo "done: $moved new entries in $DEST" >&2
