#!/usr/bin/env bash
# End to end through the tools and the plugins they load: build_dataset reproduces the reference
# builder's bytes, refuses to replace a dataset, fails bad input with one line and no output;
# dataset_info describes and draws the result.
set -euo pipefail

R="$TEST_SRCDIR/trm"
BUILD="$R/tools/build_dataset"
INFO="$R/tools/dataset_info"
GOLDEN="$R/tests/golden/arc_tiny"
EXPERIMENT="$R/tools/testdata/arc_tiny.textproto"
T="$TEST_TMPDIR"

fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The reference's bytes, with any thread count.
for threads in 1 3; do
  out="$T/tiny_$threads"
  "$BUILD" --experiment="$EXPERIMENT" --task_dir="$GOLDEN/inputs" --out="$out" --threads=$threads \
    --progress=false > "$T/stdout_$threads"
  for f in identifiers.json test_puzzles.json {train,test}/{dataset.json,all__inputs.npy,all__labels.npy,all__puzzle_identifiers.npy,all__puzzle_indices.npy,all__group_indices.npy}; do
    cmp "$out/$f" "$GOLDEN/reference_seed42_aug8/$f" || fail "$f differs from the reference (threads=$threads)"
  done
  grep -q "^train *110 rows" "$T/stdout_$threads" || fail "summary: $(cat "$T/stdout_$threads")"
done

# 2. An existing dataset is not replaced without --overwrite.
if "$BUILD" --experiment="$EXPERIMENT" --task_dir="$GOLDEN/inputs" --out="$T/tiny_1" --progress=false \
    2> "$T/stderr_exists"; then
  fail "rebuilt over an existing dataset"
fi
grep -q "already exists (pass --overwrite" "$T/stderr_exists" || fail "$(cat "$T/stderr_exists")"
"$BUILD" --experiment="$EXPERIMENT" --task_dir="$GOLDEN/inputs" --out="$T/tiny_1" --overwrite \
  --set data.num_aug=2 --progress=false > /dev/null
cmp -s "$T/tiny_1/train/all__inputs.npy" "$GOLDEN/reference_seed42_aug8/train/all__inputs.npy" \
  && fail "--overwrite did not replace the dataset"

# 2b. A write error (a file-size limit stands in for a full disk) while replacing a dataset: one
# line naming the file, and the old dataset stays as it was.
before=$(md5sum "$T/tiny_3/train/all__inputs.npy")
status=0
(trap '' XFSZ; /usr/bin/prlimit --fsize=2000 "$BUILD" --experiment="$EXPERIMENT" \
  --task_dir="$GOLDEN/inputs" --out="$T/tiny_3" --overwrite --set data.num_aug=2 --progress=false \
  > /dev/null 2> "$T/stderr_full") || status=$?
[ "$status" -eq 1 ] || fail "a failed write exited with $status: $(cat "$T/stderr_full")"
[ "$(grep -c "^error: " "$T/stderr_full")" -eq 1 ] || fail "not one error: $(cat "$T/stderr_full")"
grep -q "^error: .*all__inputs.npy.*File too large" "$T/stderr_full" || fail "$(cat "$T/stderr_full")"
[ "$(md5sum "$T/tiny_3/train/all__inputs.npy")" = "$before" ] || fail "the old dataset changed"
ls -a "$T" | grep -q "partial" && fail "a partial folder was left behind: $(ls -a "$T")"

# 3. Bad input: exit status 1, one line on stderr naming file, task and field, nothing written.
mkdir -p "$T/bad"
cp "$GOLDEN/inputs/"* "$T/bad/"
echo '{"evalOne": {"train": [{"input": [[1, 12]], "output": [[1]]}], "test": [{"input": [[1]]}]}}' \
  > "$T/bad/tiny_synth_b_challenges.json"
status=0
"$BUILD" --experiment="$EXPERIMENT" --task_dir="$T/bad" --out="$T/bad_out" --progress=false \
  2> "$T/stderr_bad" > /dev/null || status=$?
[ "$status" = 1 ] || fail "exit status $status for bad input"
[ "$(grep -c . "$T/stderr_bad")" -le 2 ] || fail "more than a line of error: $(cat "$T/stderr_bad")"
grep -q "^error: .*tiny_synth_b_challenges.json: task 'evalOne' train\\[0\\].input: cell \\[0\\]\\[1\\] is 12, expected a colour 0..9$" \
  "$T/stderr_bad" || fail "error message: $(cat "$T/stderr_bad")"
[ ! -e "$T/bad_out" ] || fail "bad input left $T/bad_out"
[ -z "$(ls -A "$T" | grep '^\.bad_out')" ] || fail "bad input left a temporary folder"

# 4. dataset_info.
"$INFO" --data="$T/tiny_3" --split=test --index=2 --color=never > "$T/info"
grep -q '"num_puzzle_identifiers": 56' "$T/info" || fail "info: $(cat "$T/info")"
grep -q "set all   rows 110" "$T/info" || fail "info rows: $(cat "$T/info")"
grep -q "test row 2: puzzle" "$T/info" || fail "info example: $(cat "$T/info")"
grep -q "('.': PAD, '#': EOS, digits: colours)" "$T/info" || fail "info legend: $(cat "$T/info")"
"$INFO" --data="$T/tiny_3" --color=always | grep -q $'\x1b\[48;2;' || fail "no ANSI colours"
echo PASS
