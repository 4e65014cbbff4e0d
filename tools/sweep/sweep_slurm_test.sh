#!/usr/bin/env bash
# The sweep tool's Slurm executor against a real (private, one-node) Slurm: the smoke sweep
# submitted as one job array gives the same metrics as the local executor, bit for bit; and a run
# stopped the way Slurm stops jobs at a time limit or on preemption (SIGTERM to every process)
# checkpoints, requeues itself and finishes with the losses of an uninterrupted run.
set -euo pipefail

SWEEP="$PWD/$1"
CLUSTER="$PWD/$2"
TMP="$TEST_TMPDIR"
STATE="$TMP/slurm"
COMMON=(--data_root="$TMP/data" --task_dir="$PWD/third_party/arc_sample")

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in sbatch squeue scancel slurmctld slurmd munged; do
  command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] ||
    fail "$tool is not installed (tools/setup.sh installs Slurm)"
done
trap '"$CLUSTER" stop "$STATE" || true' EXIT
"$CLUSTER" start "$STATE"
eval "$("$CLUSTER" env "$STATE")"

strip_time() { sed 's/"time":[0-9.e+-]*,//' "$1"; }

echo "== the smoke sweep: local executor, then one Slurm job array"
"$SWEEP" --sweep=smoke_tiny --sweep_dir="$TMP/local" --parallel=2 --threads_per_run=1 \
  "${COMMON[@]}" >"$TMP/local.log" 2>&1 || fail "local sweep: $(tail -5 "$TMP/local.log")"
"$SWEEP" --sweep=smoke_tiny --sweep_dir="$TMP/array" --executor=slurm --slurm_wait \
  --slurm_cpus_per_task=1 "${COMMON[@]}" >"$TMP/array.log" 2>&1 ||
  fail "slurm sweep: $(tail -5 "$TMP/array.log"; cat "$TMP"/array/slurm/*.out 2>/dev/null | tail -20)"
grep -q "done 4" "$TMP/array.log" || fail "not every array task finished: $(cat "$TMP/array.log")"
for run in "$TMP"/local/runs/*; do
  name=$(basename "$run")
  grep -q '"executor": "slurm:' "$TMP/array/runs/$name/sweep_run.json" ||
    fail "$name did not run under Slurm"
  diff <(strip_time "$run/metrics.jsonl") <(strip_time "$TMP/array/runs/$name/metrics.jsonl") \
    >/dev/null || fail "$name: Slurm and local metrics differ"
done

echo "== a run stopped before its time limit requeues and resumes exactly"
cat >"$TMP/long.textproto" <<'SPEC'
experiment: "arc2_trm_tiny"
set: ["train.max_steps=3000", "checkpoint.every_steps=50", "checkpoint.keep_last=2"]
metrics { name: "train/lm_loss" }
SPEC
job=$("$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$TMP/requeue" --executor=slurm \
  --slurm_cpus_per_task=1 "${COMMON[@]}" 2>"$TMP/submit.log") ||
  fail "submit: $(cat "$TMP/submit.log")"
[[ "$job" =~ ^[0-9]+$ ]] || fail "no job id: $job $(cat "$TMP/submit.log")"
RUN="$TMP/requeue/runs/base-seed0"
for _ in $(seq 1 1200); do
  compgen -G "$RUN/checkpoints/step_*" >/dev/null && break
  sleep 0.1
done
compgen -G "$RUN/checkpoints/step_*" >/dev/null || fail "the run wrote no checkpoint"
# As Slurm does at a time limit or on preemption: every process of the job gets SIGTERM.
scancel --signal=TERM --full "${job}_0" || fail "scancel"
for _ in $(seq 1 1800); do
  [[ -z "$(squeue -h -j "$job" 2>/dev/null)" ]] && break
  sleep 0.2
done
[[ -z "$(squeue -h -j "$job" 2>/dev/null)" ]] || fail "the job did not end: $(squeue -j "$job")"
grep -q '"state": "done"' "$RUN/sweep_run.json" || fail "run not done: $(cat "$RUN/sweep_run.json")"
grep -q '"attempts": 2' "$RUN/sweep_run.json" || fail "not requeued once: $(cat "$RUN/sweep_run.json")"
grep -q "resumed from .*step_" "$RUN/log.txt" || fail "the requeued run did not resume"
"$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$TMP/requeue_ref" --run_index=0 \
  --threads_per_run=1 "${COMMON[@]}" || fail "reference run"
diff <(strip_time "$RUN/metrics.jsonl") \
     <(strip_time "$TMP/requeue_ref/runs/base-seed0/metrics.jsonl") >/dev/null ||
  fail "the requeued run's metrics differ from an uninterrupted run's"
echo PASS
