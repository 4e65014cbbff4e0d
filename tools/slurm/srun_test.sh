#!/usr/bin/env bash
# `srun --ntasks=2` trains the tiny experiment as two Gloo processes placed by Slurm's variables
# alone, with the per-step losses of one process (the data-parallel tolerance of
# tools/train_test.cc).
set -euo pipefail
source tools/slurm/testing.sh
start_cluster

train_args "$T/one"
"$TRAIN" "${ARGS[@]}" >"$T/one.log" 2>&1 ||
  fail "the one-process run failed: $(tail -1 "$T/one.log")"

train_args "$T/two"
srun --immediate=60 --ntasks=2 --cpus-per-task=1 "$TRAIN" "${ARGS[@]}" >"$T/two.log" 2>&1 ||
  fail "srun --ntasks=2 failed: $(tail -1 "$T/two.log")"
grep -q "on 2 process(es)" "$T/two.log" ||
  fail "not two processes: $(grep training "$T/two.log")"
[ -f "$T/two/checkpoints/step_24/train_state.rank1.safetensors" ] ||
  fail "no rank 1 state at step 24"
compare_losses "$T/two" "$T/one" 1e-4 || fail "two Slurm tasks and one process differ"
echo "PASS"
