#!/bin/bash
# End-to-end checks of //tools:import_checkpoint on the trm_att fixture.
set -u

TOOL="$TEST_SRCDIR/trm/tools/import_checkpoint"
GOLDEN="$TEST_SRCDIR/trm/tests/golden/trm_att"
EXPERIMENT="$TEST_SRCDIR/trm/experiments/arc2_trm.textproto"
# The stand-in architecture, and the ARC plugins whose settings the experiment carries.
PLUGIN="$TEST_SRCDIR/trm/plugins/testing/libtrm_test_reference_keys.so"
PLUGIN+=",$TEST_SRCDIR/trm/plugins/arc/libtrm_arc.so"
PLUGIN+=",$TEST_SRCDIR/trm/plugins/evaluators/libtrm_evaluators.so"
OUT="$TEST_TMPDIR"
# The trm_att fixture's shapes on top of the ARC-AGI-2 recipe, built by the stand-in plugin.
ARCH=(--plugins="$PLUGIN" --experiment="$EXPERIMENT" --set arch.name=reference_keys
      --set arch.hidden_size=64 --set arch.num_heads=4 --set arch.puzzle_emb_ndim=64)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME EXPECTED_STATUS ARGS...: runs the tool, keeps stdout/stderr in $OUT/NAME.{out,err}.
run() {
  local name=$1 expected=$2
  shift 2
  "$TOOL" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  local status=$?
  if [[ $status -ne $expected ]]; then
    fail "$name: exit status $status, expected $expected; stderr: $(cat "$OUT/$name.err")"
  fi
}

expect_in() {  # expect_in NAME FILE TEXT
  grep -qF -- "$3" "$2" || fail "$1: '$3' not in $(cat "$2")"
}

expect_one_line_error() {  # expect_one_line_error NAME TEXT
  [[ $(wc -l <"$OUT/$1.err") -eq 1 ]] || fail "$1: stderr is not one line: $(cat "$OUT/$1.err")"
  expect_in "$1" "$OUT/$1.err" "error: "
  expect_in "$1" "$OUT/$1.err" "$2"
}

# The three formats of the fixture convert to byte-identical files.
run from_reference 0 --in="$GOLDEN/reference_checkpoint.pt" --out="$OUT/a.safetensors"
expect_in from_reference "$OUT/from_reference.out" \
  "wrote $OUT/a.safetensors from $GOLDEN/reference_checkpoint.pt (torch.save): 15 tensors, 133506 values"
run from_pt 0 --in="$GOLDEN/weights.pt" --out="$OUT/b.safetensors"
run from_safetensors 0 --in="$GOLDEN/weights.safetensors" --out="$OUT/c.safetensors"
cmp -s "$OUT/a.safetensors" "$OUT/b.safetensors" || fail "reference checkpoint and weights.pt differ"
cmp -s "$OUT/a.safetensors" "$OUT/c.safetensors" || fail "reference checkpoint and weights.safetensors differ"
head -c 400 "$OUT/a.safetensors" | grep -aqF '"model.inner.H_init"' || fail "keys are not model.<key>"

# Under `bazel run` relative paths are the user's, not the runfiles tree's.
mkdir -p "$OUT/user_dir"
BUILD_WORKING_DIRECTORY="$OUT/user_dir" run relative 0 --in="$GOLDEN/weights.pt" --out=rel.safetensors
[[ -f "$OUT/user_dir/rel.safetensors" ]] || fail "relative: not written to \$BUILD_WORKING_DIRECTORY"

# An existing output is kept unless --overwrite.
cp "$OUT/a.safetensors" "$OUT/a.copy"
run exists 1 --in="$GOLDEN/weights.pt" --out="$OUT/a.safetensors"
expect_one_line_error exists "$OUT/a.safetensors exists; pass --overwrite to replace it"
cmp -s "$OUT/a.safetensors" "$OUT/a.copy" || fail "exists: the output was modified"
run overwrite 0 --in="$GOLDEN/weights.pt" --out="$OUT/a.safetensors" --overwrite

# Validated against the experiment's model (bf16 forward: H_init/L_init are converted).
run validated 0 --in="$GOLDEN/reference_checkpoint.pt" --out="$OUT/v.safetensors" "${ARCH[@]}" \
  --set arch.seq_len=900
expect_in validated "$OUT/validated.out" "validated against 'reference_keys' of experiment 'arc2_trm' (132738 trainable parameters)"
expect_in validated "$OUT/validated.out" "converted to the model's dtype: inner.H_init, inner.L_init"
head -c 4000 "$OUT/v.safetensors" | grep -ao '"model.inner.H_init":{[^}]*}' | grep -qF '"BF16"' ||
  fail "validated: H_init is not stored as BF16"

# Errors are one line, exit 1 and write nothing.
run no_seq_len 1 --in="$GOLDEN/weights.pt" --out="$OUT/n.safetensors" "${ARCH[@]}"
expect_one_line_error no_seq_len "arch.seq_len is not set"
run wrong_model 1 --in="$GOLDEN/weights.pt" --out="$OUT/w.safetensors" "${ARCH[@]}" \
  --set arch.seq_len=900 --set arch.L_layers=3
expect_one_line_error wrong_model "$GOLDEN/weights.pt: does not match the 'reference_keys' model: 4 missing: inner.L_level.layers.2."
run wrong_width 1 --in="$GOLDEN/weights.pt" --out="$OUT/w.safetensors" "${ARCH[@]}" \
  --set arch.seq_len=900 --set arch.hidden_size=32
expect_one_line_error wrong_width "inner.H_init [64] in the file vs [32] in the model"
[[ ! -e "$OUT/n.safetensors" && ! -e "$OUT/w.safetensors" ]] || fail "a failed import wrote its output"

head -c 300000 "$GOLDEN/weights.pt" >"$OUT/truncated.pt"
run truncated 1 --in="$OUT/truncated.pt" --out="$OUT/t.safetensors"
expect_one_line_error truncated "$OUT/truncated.pt: not a readable torch.save zip archive"
echo "not weights" >"$OUT/garbage"
run garbage 1 --in="$OUT/garbage" --out="$OUT/t.safetensors"
expect_one_line_error garbage "$OUT/garbage: unrecognised weights format"
[[ ! -e "$OUT/t.safetensors" ]] || fail "a failed import wrote its output"

# A model for another dataset: the reference's mean-of-rows puzzle table, only when asked.
run resize_strict 1 --in="$GOLDEN/weights.pt" --out="$OUT/r.safetensors" "${ARCH[@]}" \
  --set arch.seq_len=900 --set arch.num_puzzle_identifiers=20
expect_one_line_error resize_strict "inner.puzzle_emb.weights [10,64] in the file vs [20,64] in the model"
run resize 0 --in="$GOLDEN/weights.pt" --out="$OUT/r.safetensors" "${ARCH[@]}" \
  --set arch.seq_len=900 --set arch.num_puzzle_identifiers=20 --puzzle_embedding_mean_on_resize
expect_in resize "$OUT/resize.out" "puzzle table set to the mean of the stored [10,64] rows"

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
