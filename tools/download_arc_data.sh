#!/usr/bin/env bash
# Fetches the public ARC task files into a folder, on a machine with internet access:
#
#   tools/download_arc_data.sh DIR [--per-task]
#
# Default: the Kaggle "combined" files that the TinyRecursiveModels reference ships under
# kaggle/combined/ (arc-agi_{training,evaluation,training2,evaluation2,concept}_{challenges,solutions}.json),
# the layout the "arc" dataset builder reads with input_file_prefix "arc-agi" ([trm.arc.arc] in the experiment's data).
# Every file must have the sha256 below: the bytes this project's recipes and its byte-identical
# dataset tests were verified against (a changed upstream file fails the download instead of
# silently changing the datasets). Git ref and sources can be overridden with TRM_REFERENCE_REF,
# TRM_REFERENCE_REPO, TRM_REFERENCE_RAW and TRM_ARC_AGI_2_REPO.
# --per-task: also the ARC-AGI-2 repository's one-file-per-task layout (DIR/data/training/*.json,
# DIR/data/evaluation/*.json), read with subsets "training" / "evaluation" (not pinned by hash).
#
# Files are downloaded into a temporary folder and moved into DIR only when all of them arrived and
# match their sums; existing files are not replaced. Then point the tools at DIR with
# --task_dir=DIR or TRM_ARC_DIR=DIR.
set -euo pipefail

REFERENCE_REF="${TRM_REFERENCE_REF:-main}"
REFERENCE_REPO="${TRM_REFERENCE_REPO:-https://github.com/SamsungSAILMontreal/TinyRecursiveModels.git}"
REFERENCE_RAW="${TRM_REFERENCE_RAW:-https://raw.githubusercontent.com/SamsungSAILMontreal/TinyRecursiveModels/$REFERENCE_REF/kaggle/combined}"
ARC_AGI_2_REPO="${TRM_ARC_AGI_2_REPO:-https://github.com/arcprize/ARC-AGI-2.git}"
SUBSETS=(training evaluation training2 evaluation2 concept)
declare -A SHA256=(
  [arc-agi_concept_challenges.json]=4e60bd1de956c2519c3236ba9f2c352c971d5971bfc568ceafa716dd9b1a91fd
  [arc-agi_concept_solutions.json]=3ec5e95e416e49c85dac28475fc5b73f6998d13b7e91ff0219eee48881c327ee
  [arc-agi_evaluation2_challenges.json]=e7c62a4bd211867c6b538f66b8013b81f299663c82ca062f49a52bf439d6e4e8
  [arc-agi_evaluation2_solutions.json]=84be4f4f39b79e82c36d565fc878830988b094917f052ee7069aef30b33ca8f1
  [arc-agi_evaluation_challenges.json]=2b05f8f7d33b73fdbefd69914c399e9409d1949c7f16aabc78e677443a64b208
  [arc-agi_evaluation_solutions.json]=629622b0eecf42c6cb4da628955ef76ec43214f0d00081f8cf63082ade496c52
  [arc-agi_training2_challenges.json]=779eaba89790ebad9af02514a7efc0aefaf2cf8236f046a31bbf8b9ec48f20f5
  [arc-agi_training2_solutions.json]=9f07a38bd25af5e83aa5bf85c5cb1a1fefdb30f6a755256fa65429e697ca97f9
  [arc-agi_training_challenges.json]=5b02a4753e9088134744d952b048a03f6f23abf4eb6c04e3f27822cf3d439634
  [arc-agi_training_solutions.json]=47212ad04ef4211221ac6141cba8c8d425e20e90da90ace575ef286c5f992534
)

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

# A downloaded file must have its pinned sum (an HTML error page or a truncated file has not).
check_sha256() {
  local file="$1" expected="${SHA256[$(basename "$1")]}" actual
  actual="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$actual" != "$expected" ]; then
    echo "error: $(basename "$file") from ref '$REFERENCE_REF' has sha256 $actual, expected $expected" >&2
    exit 1
  fi
}

mkdir -p "$DEST"
TMP="$(mktemp -d "$DEST/.download.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# With git: a shallow clone of the reference (whatever its default branch); else raw downloads.
if command -v git >/dev/null 2>&1; then
  echo "cloning $REFERENCE_REPO at $REFERENCE_REF" >&2
  git init --quiet "$TMP/reference"
  git -C "$TMP/reference" fetch --quiet --depth 1 "$REFERENCE_REPO" "$REFERENCE_REF"
  git -C "$TMP/reference" checkout --quiet FETCH_HEAD
  echo "reference commit: $(git -C "$TMP/reference" rev-parse HEAD)" >&2
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
    check_sha256 "$TMP/$name"
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
