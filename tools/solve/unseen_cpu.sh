#!/usr/bin/env bash
# The unseen-task measurement on a CPU: pre-train the README demo's model (arc2_trm_cpu) on 20 of
# its 25 tasks (A), then solve the other 5 (B, tools/solve/testdata/unseen5_*.json) with
# //tools:solve three ways: no fine-tuning (the new identifiers start at the mean trained
# embedding), fine-tuning the new embeddings only, and fine-tuning the whole model. Prints pass@2
# on B, the fine-tuning steps, the exact accuracy on B's demonstrations (training batches, mean of
# the first and of the last tenth of the steps) and the time.
#
#   tools/solve/unseen_cpu.sh [OUT_DIR] [FINETUNE_STEPS]     # default runs/unseen_cpu, 400
#
# B are the five tasks the demo solves when it trains on their demonstrations together with A's
# (colour maps and a row rule): tasks a model of this size can learn at all, so that the
# comparison measures learning them at test time. Nothing of B is in the pre-training data.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-runs/unseen_cpu}"
steps="${2:-400}"
if [[ -e "$out" ]]; then
  echo "error: $out exists; give another folder (nothing is overwritten)" >&2
  exit 1
fi
a_tasks="25ff71a9,3618c87e,3c9b0459,4c4377d9,5582e5ca,6150a2bd,62c24649,67e8384a,68b67ca3,6d0aefbc,6fa7a44f,74dd1130,8be77c9e,9dfd6313,a79310a0,c9e6f938,d037b0a7,e9afcf9a,ed36ccf7,f76d97a5"
b_dir=tools/solve/testdata

bazel build //tools:train //tools:solve
mkdir -p "$out"
start=$(date +%s)
bazel-bin/tools/train --experiment=arc2_trm_cpu --run_dir="$out/pretrain" \
  --data_root="$out/data" --set data.path=arc2_sample20_7x7_aug8 \
  --set "data.[trm.arc.arc].task_filter.task_ids=$a_tasks" 2>&1 | tee "$out/pretrain.log" |
  grep -E "^(eval at|done|training)" || true
pretrained=$(date +%s)

for mode in none embeddings all; do
  bazel-bin/tools/solve/solve --experiment="$out/pretrain/config.textproto" \
    --checkpoint="$out/pretrain" --challenges="$b_dir/unseen5_challenges.json" \
    --solutions="$b_dir/unseen5_solutions.json" --out="$out/$mode" --finetune="$mode" \
    --finetune_steps="$steps" --set lr_schedule.warmup_steps=20 >"$out/$mode.log" 2>&1 || {
    tail -3 "$out/$mode.log"
    exit 1
  }
done
end=$(date +%s)

echo
echo "unseen tasks B (5), model pre-trained on A (20 tasks) in $((pretrained - start)) s:"
printf "%-11s %7s %7s %6s %26s %8s\n" finetune pass@2 score steps \
  "exact on B demos 1st/last" seconds
for mode in none embeddings all; do
  summary="$out/$mode/solve.json"
  # Values of a key in solve.json: the first (head) or the last (tail) one.
  value() { grep -o "\"$1\": [^,}]*" "$summary" | sed 's/.*: //' | "${2:-head}" -1 || true; }
  demos=""
  if grep -q '"demonstrations"' "$summary"; then
    demos=$(printf "%.3f / %.3f" "$(value train/exact_accuracy)" "$(value train/exact_accuracy tail)")
  fi
  printf "%-11s %7.3f %7.3f %6d %26s %8.1f\n" "$mode" "$(value 'ARC/pass@2')" "$(value score)" \
    "$(value steps_done)" "$demos" "$(value seconds tail)"
done
echo "total $((end - start)) s; details in $out/<mode>/solve.json and $out/<mode>.log"
