#!/bin/bash
# End to end test of //tools:eval: datasets built from the shipped ARC-AGI-2 tasks, an untrained model, a
# CPU-trained checkpoint (EMA and raw weights, 1 and 2 processes), the reference checkpoint of the
# trm_att fixture, and the errors (mismatched checkpoint, truncated checkpoint, empty test split,
# malformed test_puzzles.json, bad flags), none of which may leave files behind.
#
# args: build_dataset train eval check_submission
set -u
build_dataset="$PWD/$1"
train="$PWD/$2"
eval_tool="$PWD/$3"
check_submission="$PWD/$4"
testdata="$PWD/tools/testdata"
fixture="$PWD/tests/golden/trm_att"
arc_dir="$PWD/third_party/arc_sample"
work="${TEST_TMPDIR:-$(mktemp -d)}/eval_test"
rm -rf "$work" && mkdir -p "$work/data"
failures=0

fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

# run <name> <command...>: expects success; output in $work/<name>.log
run() {
  local name="$1"
  shift
  "$@" > "$work/$name.log" 2>&1
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc"
    cat "$work/$name.log"
    return 1
  fi
  echo "ok   $name"
}

# expect_error <name> <text> <command...>: exit status 1, a one-line error containing <text>.
expect_error() {
  local name="$1" text="$2"
  shift 2
  "$@" > "$work/$name.out" 2> "$work/$name.err"
  local rc=$?
  if [[ $rc -ne 1 ]]; then fail "$name: exit status $rc, expected 1"; cat "$work/$name.err"; return; fi
  if ! grep -qF -- "$text" "$work/$name.err"; then
    fail "$name: '$text' not in the error"; cat "$work/$name.err"; return
  fi
  if [[ $(grep -c . "$work/$name.err") -ne 1 ]]; then fail "$name: not one line"; cat "$work/$name.err"; return; fi
  echo "ok   $name"
}

# metric <metrics.json> <name>: the value of one metric.
metric() {
  grep -F "\"$2\":" "$1" | head -1 | sed 's/.*: *//; s/,$//'
}

# --- A dataset of small tasks (10x10 canvas), an untrained model --------------------------------
run build_tiny "$build_dataset" --experiment="$testdata/eval_tiny.textproto" \
  --task_dir="$arc_dir" --out="$work/data/eval_tiny" --progress=false || exit 1
run untrained "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained \
  --data="$work/data/eval_tiny" --out="$work/untrained" --report="$work/untrained_report"
for f in metrics.json submission.json; do
  [[ -s "$work/untrained/$f" ]] || fail "untrained: no $f"
done
for m in ARC/pass@1 ARC/pass@2 ARC/pass@1000 all/count all/accuracy all/lm_loss; do
  [[ -n "$(metric "$work/untrained/metrics.json" "$m")" ]] || fail "untrained: metric $m missing"
done
[[ "$(metric "$work/untrained/metrics.json" all/count)" == "16.0" ]] || fail "untrained: all/count is not 16"
run untrained_submission_valid "$check_submission" --submission="$work/untrained/submission.json" \
  --challenges="$work/data/eval_tiny/test_puzzles.json"
grep -q "ARC evaluation report" "$work/untrained_report/index.html" || fail "untrained: no report"
grep -q "this evaluation only (aggregated_voting off)" "$work/untrained_report/index.html" ||
  fail "untrained: the report does not say which voting was used"

# --- A CPU-trained checkpoint -------------------------------------------------------------------
run train "$train" --experiment="$testdata/eval_tiny.textproto" --run_dir="$work/run" \
  --data_root="$work/data" --task_dir="$arc_dir" || exit 1
checkpoint="$(ls -d "$work"/run/checkpoints/step_* | tail -1)"
run trained_ema "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --checkpoint="$work/run" \
  --data="$work/data/eval_tiny" --out="$work/ema"
# The trainer evaluated the same EMA weights on the same data: the same submission.
step="$(basename "$checkpoint")"
cmp -s "$work/ema/submission.json" "$work/run/eval/$step/submission.json" ||
  fail "trained_ema: submission differs from the trainer's evaluation at $step"
run trained_raw "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --checkpoint="$checkpoint" \
  --weights=raw --data="$work/data/eval_tiny" --out="$work/raw"
[[ "$(metric "$work/raw/metrics.json" all/lm_loss)" != "$(metric "$work/ema/metrics.json" all/lm_loss)" ]] ||
  fail "trained_raw: the raw weights evaluate exactly like the EMA weights"
grep -q '"weights_kind": "raw"' "$work/raw/metrics.json" || fail "trained_raw: metrics.json does not say raw"
run two_processes "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --checkpoint="$work/run" \
  --data="$work/data/eval_tiny" --out="$work/ema2" --nproc_per_node=2
cmp -s "$work/ema/submission.json" "$work/ema2/submission.json" ||
  fail "two_processes: submission differs from the single-process one"
[[ "$(metric "$work/ema2/metrics.json" all/count)" == "16.0" ]] || fail "two_processes: all/count is not 16"

# --- The reference checkpoint of the trm_att fixture (torch.save OrderedDict, _orig_mod. keys) ---
run build_reference "$build_dataset" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --task_dir="$arc_dir" --out="$work/data/reference" --progress=false || exit 1
run reference "$eval_tool" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --checkpoint="$fixture/reference_checkpoint.pt" --data="$work/data/reference" \
  --out="$work/reference" --report="$work/reference_report"
[[ "$(metric "$work/reference/metrics.json" all/count)" == "9.0" ]] || fail "reference: all/count is not 9"
[[ "$(metric "$work/reference/metrics.json" all/steps)" == "3.0" ]] || fail "reference: not 3 ACT steps"
run reference_submission_valid "$check_submission" --submission="$work/reference/submission.json" \
  --challenges="$work/data/reference/test_puzzles.json"

# --- Errors: one line, exit status 1, nothing written ---------------------------------------------
# A device this process cannot use (here: no CUDA; on a one-GPU machine: index 7) is refused up
# front, never an abort from deep inside LibTorch.
expect_error eval_unusable_device "device 'cuda:7'" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained --device=cuda:7 \
  --data="$work/data/eval_tiny" --out="$work/no_device"
expect_error train_unusable_device "device 'cuda:7'" \
  "$train" --experiment="$testdata/eval_tiny.textproto" --device=cuda:7 \
  --run_dir="$work/no_device_run" --data_root="$work/data"
for written in no_device no_device_run; do
  [[ ! -e "$work/$written" ]] || fail "an unusable device left $work/$written"
done
# Tokens beyond the vocabulary (dataset.json edited): refused when the dataset opens, one line and
# exit status 1 (train used to abort on LibTorch's IndexError).
mkdir -p "$work/small_vocab" && cp -r "$work/data/eval_tiny" "$work/small_vocab/"
sed -i 's/"vocab_size": [0-9]*/"vocab_size": 3/' "$work/small_vocab"/eval_tiny/*/dataset.json
expect_error eval_tokens_beyond_vocabulary "outside the vocabulary [0, 3)" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained \
  --data="$work/small_vocab/eval_tiny" --out="$work/no_vocabulary"
# (train prints its progress on stderr first: the error is its last line)
"$train" --experiment="$testdata/eval_tiny.textproto" --data_root="$work/small_vocab" \
  --run_dir="$work/small_vocab_run" > "$work/small_vocab_train.out" 2> "$work/small_vocab_train.err"
rc=$?
last="$(tail -n 1 "$work/small_vocab_train.err")"
if [[ $rc -ne 1 || "$last" != "error: "*"outside the vocabulary [0, 3)"* ]] ||
   grep -q "terminate called" "$work/small_vocab_train.err"; then
  fail "train_tokens_beyond_vocabulary: exit status $rc"; cat "$work/small_vocab_train.err"
else
  echo "ok   train_tokens_beyond_vocabulary"
fi
expect_error mismatched_checkpoint "does not match the 'trm' model" \
  "$eval_tool" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --checkpoint="$fixture/reference_checkpoint.pt" --data="$work/data/reference" --out="$work/no1" \
  --set arch.hidden_size=32 --set arch.puzzle_emb_ndim=32
expect_error checkpoint_for_other_dataset "inner.puzzle_emb.weights [10,64] in the file" \
  "$eval_tool" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --checkpoint="$fixture/reference_checkpoint.pt" --data="$work/data/eval_tiny" --out="$work/no2"
head -c 4000 "$fixture/reference_checkpoint.pt" > "$work/truncated.pt"
expect_error truncated_checkpoint "truncated.pt" \
  "$eval_tool" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --checkpoint="$work/truncated.pt" --data="$work/data/reference" --out="$work/no3"
# A checkpoint of ours whose weights file was damaged after it was written: caught by its checksum.
cp -r "$checkpoint" "$work/damaged"
printf '\x7f' | dd of="$work/damaged/model.safetensors" bs=1 seek=200 conv=notrunc status=none
expect_error damaged_checkpoint "model.safetensors: CRC-32C" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --checkpoint="$work/damaged" \
  --data="$work/data/eval_tiny" --out="$work/no5"
expect_error raw_needs_a_folder "--weights=raw needs a checkpoint folder" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --weights=raw \
  --checkpoint="$fixture/reference_checkpoint.pt" --data="$work/data/eval_tiny" --out="$work/no4"
expect_error checkpoint_and_untrained "give exactly one of --checkpoint=PATH and --untrained" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained --checkpoint="$work/run" \
  --data="$work/data/eval_tiny" --out="$work/no5"
expect_error no_test_split "no test split" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained --data="$work" --out="$work/no6"

# A test split without rows (the builder refuses to write one, so it is made by hand).
npy() {  # npy FILE DESCR SHAPE [raw data bytes as printf escapes]
  local header="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
  local pad=$(( (64 - (10 + ${#header} + 1) % 64) % 64 ))
  header="$header$(printf '%*s' "$pad" '')"
  local len=$(( ${#header} + 1 ))
  { printf '\x93NUMPY\x01\x00'
    printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
    printf '%s\n' "$header"
    printf "${4:-}"; } > "$1"
}
cp -r "$work/data/eval_tiny" "$work/data/empty"
npy "$work/data/empty/test/all__inputs.npy" '|u1' '(0, 100)'
npy "$work/data/empty/test/all__labels.npy" '|u1' '(0, 100)'
npy "$work/data/empty/test/all__puzzle_identifiers.npy" '<i4' '(0,)'
npy "$work/data/empty/test/all__puzzle_indices.npy" '<i4' '(1,)' '\x00\x00\x00\x00'
npy "$work/data/empty/test/all__group_indices.npy" '<i4' '(1,)' '\x00\x00\x00\x00'
sed -i 's/"total_groups": [0-9]*/"total_groups": 0/; s/"total_puzzles": [0-9]*/"total_puzzles": 0/; s/"mean_puzzle_examples": [0-9.]*/"mean_puzzle_examples": 0.0/' \
  "$work/data/empty/test/dataset.json"
expect_error empty_test_split "the test split is empty" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained \
  --data="$work/data/empty" --out="$work/no7"

cp -r "$work/data/eval_tiny" "$work/data/bad_puzzles"
# The first grid of the file gets a longer first row.
sed -i '0,/\[\[\([0-9]\)/s//[[\1, 0/' "$work/data/bad_puzzles/test_puzzles.json"
expect_error malformed_test_puzzles "cells, row 0 has" \
  "$eval_tool" --experiment="$testdata/eval_tiny.textproto" --untrained \
  --data="$work/data/bad_puzzles" --out="$work/no8"

for n in 1 2 3 4 5 6 7 8; do
  [[ ! -e "$work/no$n" ]] || fail "error case $n wrote $work/no$n"
done
# A failing evaluation leaves earlier results alone.
cp "$work/untrained/metrics.json" "$work/metrics.before"
expect_error failed_run_keeps_outputs "does not match" \
  "$eval_tool" --experiment="$testdata/eval_reference_trm_att.textproto" \
  --checkpoint="$fixture/reference_checkpoint.pt" --data="$work/data/eval_tiny" --out="$work/untrained"
cmp -s "$work/metrics.before" "$work/untrained/metrics.json" || fail "a failed run changed metrics.json"

if [[ $failures -gt 0 ]]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all passed"
