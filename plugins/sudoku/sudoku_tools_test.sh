#!/usr/bin/env bash
# Through the tools and the loaded plugin: the train tool lists the builder; build_dataset takes the
# extension's options from the experiments and from --set; generate_sudoku writes the files the
# builder's `generate` option writes, and never overwrites them.
set -euo pipefail

R="$TEST_SRCDIR/trm"
BUILD="$R/tools/build_dataset"
GENERATE="$R/plugins/sudoku/generate_sudoku"
DATA="$R/plugins/sudoku/testdata"
T="$TEST_TMPDIR"

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The plugin is carried by the tools.
"$R/tools/train" --list_plugins > "$T/plugins"
grep -q "^  sudoku  \[sudoku\]" "$T/plugins" || fail "no sudoku builder: $(cat "$T/plugins")"

# 2. The paper's recipe on the checked-in CSVs, its options overridden through the extension.
"$BUILD" --experiment=sudoku_trm --task_dir="$DATA" --out="$T/recipe" --progress=false \
  --set 'data.[trm.sudoku.sudoku].subsample_size=3' --set data.num_aug=2 > "$T/recipe.out"
grep -q "^train *9 rows *9 puzzles *3 groups" "$T/recipe.out" || fail "$(cat "$T/recipe.out")"
grep -q "^test *3 rows" "$T/recipe.out" || fail "$(cat "$T/recipe.out")"
grep -q '"total_groups": 3,' "$T/recipe/train/dataset.json" || fail "$(cat "$T/recipe/train/dataset.json")"

# An unknown extension field is one error line naming it.
status=0
"$BUILD" --experiment=sudoku_trm --task_dir="$DATA" --out="$T/bad" --progress=false \
  --set 'data.[trm.sudoku.sudoku].subsample=3' 2> "$T/bad.err" || status=$?
[ "$status" -ne 0 ] || fail "an unknown field was accepted"
grep -q "subsample" "$T/bad.err" || fail "$(cat "$T/bad.err")"
[ -e "$T/bad" ] && fail "a failed build wrote $T/bad"

# 3. The CPU demo's generated puzzles, made smaller; generate_sudoku with the same numbers writes
# the same CSVs. No task folder is given: with `generate` the builder reads none.
"$BUILD" --experiment=sudoku_trm_cpu --out="$T/generated" --progress=false \
  --set 'data.[trm.sudoku.sudoku].generate.train_puzzles=7' \
  --set 'data.[trm.sudoku.sudoku].generate.test_puzzles=3' \
  --set 'data.[trm.sudoku.sudoku].generate.givens=33' \
  --set 'data.[trm.sudoku.sudoku].generate.seed=5' --set data.num_aug=1 > "$T/generated.out"
grep -q "^train *14 rows" "$T/generated.out" || fail "$(cat "$T/generated.out")"
"$GENERATE" --out="$T/csv" --train=7 --test=3 --givens=33 --seed=5 > /dev/null
cmp "$T/csv/train.csv" "$T/generated/source/train.csv" || fail "train.csv differs"
cmp "$T/csv/test.csv" "$T/generated/source/test.csv" || fail "test.csv differs"

# 4. generate_sudoku refuses to overwrite, with one line; bad flags too.
before=$(md5sum < "$T/csv/train.csv")
status=0
"$GENERATE" --out="$T/csv" --train=2 --test=2 --seed=9 2> "$T/exists.err" > /dev/null || status=$?
[ "$status" -eq 1 ] || fail "overwrote: status $status"
grep -q "^error: .*train.csv already exists" "$T/exists.err" || fail "$(cat "$T/exists.err")"
[ "$(md5sum < "$T/csv/train.csv")" = "$before" ] || fail "train.csv changed"
status=0
"$GENERATE" --out="$T/low" --givens=12 2> "$T/low.err" > /dev/null || status=$?
[ "$status" -eq 1 ] || fail "--givens=12 accepted"
grep -q "^error: givens is 12, must be in \[17, 81\]" "$T/low.err" || fail "$(cat "$T/low.err")"

echo PASS
