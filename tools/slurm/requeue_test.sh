#!/usr/bin/env bash
# tools/slurm/train.sbatch under a real Slurm: a job signalled after its first checkpoint stops
# with a checkpoint (exit 75), requeues itself, resumes with --resume=latest and ends with the
# losses of an uninterrupted run. Three jobs:
# - batch: one task, SIGTERM to the batch shell only (scancel --batch): bit for bit;
# - full: one task, SIGTERM to every process of the job (scancel --full, as Slurm's time limit and
#   preemption do): bit for bit;
# - two_tasks: two tasks under srun, SIGTERM to the batch shell: the data-parallel tolerance.
set -euo pipefail
source tools/slurm/testing.sh
start_cluster

# Long enough (about 2 s) for the signal to arrive well before the end.
steps=(--max_steps=100 --set=checkpoint.every_steps=4)
train_args "$T/baseline"
"$TRAIN" "${ARGS[@]}" "${steps[@]}" >"$T/baseline.log" 2>&1 ||
  fail "the uninterrupted run failed: $(tail -1 "$T/baseline.log")"

declare -A job signal_to tolerance processes
submit() {  # NAME SCANCEL_FLAG TOLERANCE PROCESSES [SBATCH_FLAGS...]
  local name=$1
  signal_to[$name]=$2
  tolerance[$name]=$3
  processes[$name]=$4
  shift 4
  train_args "$T/$name"
  job[$name]=$(sbatch --parsable --output="$T/$name.out" "$@" tools/slurm/train.sbatch \
    "$TRAIN" "${ARGS[@]}" "${steps[@]}") || fail "sbatch for $name failed"
}
submit batch --batch 0 1
submit full --full 0 1
submit two_tasks --batch 1e-4 2 --ntasks=2 # starts when the one-task jobs leave the cores

# Each job is signalled once its first checkpoint exists, then must finish its second run.
for name in batch full two_tasks; do
  deadline=$((SECONDS + 120))
  until [ -d "$T/$name/checkpoints/step_4" ]; do
    [ $SECONDS -lt $deadline ] || fail "$name: no checkpoint after 120 s: $(tail -1 "$T/$name.out")"
    sleep 0.02
  done
  scancel --signal=TERM "${signal_to[$name]}" "${job[$name]}"
done
for name in batch full two_tasks; do
  deadline=$((SECONDS + 120))
  while true; do
    state=$(scontrol show job "${job[$name]}" | grep -o "JobState=[A-Z_]*")
    [ "$state" = JobState=COMPLETED ] && break
    case "$state" in
      JobState=PENDING | JobState=RUNNING | JobState=REQUEUED | JobState=COMPLETING) ;;
      *) fail "$name: the job ended $state: $(tail -1 "$T/$name.out")" ;;
    esac
    [ $SECONDS -lt $deadline ] || fail "$name: the job is still $state after 120 s"
    sleep 0.5
  done
  out=$(cat "$T/$name.out")
  grep -q "Restarts=1 " <(scontrol show job "${job[$name]}") || fail "$name: not requeued once"
  grep -q "on ${processes[$name]} process(es)" <<<"$out" ||
    fail "$name: not ${processes[$name]} processes"
  grep -q "stopped by signal .* at step" <<<"$out" || fail "$name: no stop message in $T/$name.out"
  grep -q "requeueing job" <<<"$out" || fail "$name: did not requeue itself"
  grep -q "resumed from $T/$name/checkpoints/step_" <<<"$out" || fail "$name: did not resume"
  compare_losses "$T/$name" "$T/baseline" "${tolerance[$name]}" ||
    fail "$name: the losses differ from the uninterrupted run's"
done
echo "PASS"
