#!/usr/bin/env bash
# The offline bundle end to end: pack a tiny pre-trained model, unpack it in an empty folder laid
# out like a Kaggle notebook's, and run the notebook script there with a clean environment (no
# Bazel, no repository, no ../shared; LibTorch from the system): it must write a valid
# submission.json for every shipped sample task, from the solver. Then the failure path: without a
# bundle the notebook still leaves the valid fallback submission.
set -euo pipefail
root="$PWD"
tmp="${TEST_TMPDIR:?}"
tasks="$root/third_party/arc_sample/arc-agi_training2"
fail() { echo "FAIL: $*" >&2; exit 1; }

tools/train --experiment=arc2_trm_tiny --run_dir="$tmp/pretrained" --data_root="$tmp/data" \
  --task_dir=third_party/arc_sample >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; fail "pre-training"; }
{ cat "$tmp/pretrained/config.textproto"; echo 'evaluators { name: "arc" }'; } >"$tmp/experiment.textproto"

tools/kaggle/pack_bundle.sh --experiment="$tmp/experiment.textproto" --checkpoint="$tmp/pretrained" \
  --out="$tmp/out/trm_bundle.tar.gz" --bin_dir="$root" || fail "packing"
# Packing again over the same file is refused and leaves it alone.
before=$(sha256sum "$tmp/out/trm_bundle.tar.gz")
if tools/kaggle/pack_bundle.sh --experiment="$tmp/experiment.textproto" --checkpoint="$tmp/pretrained" \
     --out="$tmp/out/trm_bundle.tar.gz" --bin_dir="$root" 2>"$tmp/again.err"; then
  fail "packing over an existing bundle succeeded"
fi
grep -q "exists (nothing is overwritten)" "$tmp/again.err" || fail "$(cat "$tmp/again.err")"
[[ "$(sha256sum "$tmp/out/trm_bundle.tar.gz")" == "$before" ]] || fail "the bundle changed"

kaggle="$tmp/kaggle"
mkdir -p "$kaggle/input/trm" "$kaggle/input/arc-prize" "$kaggle/working"
cp "$tmp/out/trm_bundle.tar.gz" "$kaggle/input/trm/"
cp "${tasks}_challenges.json" "$kaggle/input/arc-prize/arc-agi_test_challenges.json"
tar -xzf "$kaggle/input/trm/trm_bundle.tar.gz" -O trm_bundle/kaggle_solve.py >"$kaggle/notebook.py"

run_notebook() {
  (cd "$kaggle" && env -i PATH=/usr/bin:/bin HOME="$kaggle" \
     TRM_CHALLENGES="$kaggle/input/arc-prize/arc-agi_test_challenges.json" \
     TRM_OUTPUT_DIR="$kaggle/working" TRM_WORK_DIR="$kaggle/work" \
     TRM_TORCH_LIB=/usr/lib/x86_64-linux-gnu TRM_FINETUNE_STEPS=8 TRM_TIME_BUDGET=10m "$@" \
     python3 notebook.py)
}
run_notebook TRM_BUNDLE="$kaggle/input/trm/trm_bundle.tar.gz" >"$tmp/notebook.log" 2>&1 ||
  { cat "$tmp/notebook.log"; fail "the notebook failed"; }
grep -q "submission.json from the solver" "$tmp/notebook.log" || { cat "$tmp/notebook.log"; fail "no solver submission"; }
grep -q '"tasks_predicted": 28' "$kaggle/work/solve/solve.json" || fail "not every task was predicted"
tools/check_submission --submission="$kaggle/working/submission.json" \
  --challenges="${tasks}_challenges.json" --solutions="${tasks}_solutions.json" || fail "invalid submission"

# No bundle: the notebook fails but the fallback it wrote first is a valid submission.
rm -rf "$kaggle/working"
if run_notebook TRM_BUNDLE="$kaggle/input/none.tar.gz" >"$tmp/nobundle.log" 2>&1; then
  fail "the notebook succeeded without a bundle"
fi
grep -q "the fallback submission stays" "$tmp/nobundle.log" || fail "$(cat "$tmp/nobundle.log")"
tools/check_submission --submission="$kaggle/working/submission.json" \
  --challenges="${tasks}_challenges.json" || fail "invalid fallback submission"
echo PASS
