# shellcheck shell=bash disable=SC2034  # TRAIN and ARGS are for the tests that source this.
# Shared by the Slurm tests (sourced): a private cluster in $TEST_TMPDIR for the test's lifetime,
# and the train tool's runs of the tiny experiment.

T="$TEST_TMPDIR"
TRAIN="$PWD/tools/train"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Starts the cluster (stopped when the test exits) and points the Slurm commands at it.
start_cluster() {
  trap 'tools/slurm/local_cluster.sh stop "$T/cluster"' EXIT
  tools/slurm/local_cluster.sh start "$T/cluster" || exit 1
  eval "$(tools/slurm/local_cluster.sh env "$T/cluster")"
  # Only Slurm's variables place the processes.
  unset RANK WORLD_SIZE LOCAL_RANK LOCAL_WORLD_SIZE MASTER_ADDR MASTER_PORT
}

# ARGS: the train tool's flags for the tiny experiment in run folder $1 (one thread per process).
train_args() {
  ARGS=(--experiment=arc2_trm_tiny --run_dir="$1" --data_root="$T/data"
    --task_dir=third_party/arc_sample --set=train.num_threads=1 --set=checkpoint.keep_last=0)
}

# Compares the train/lm_loss of every step in two runs' metrics.jsonl, to a relative tolerance
# (0: bit for bit, and every train/* metric).
compare_losses() {
  python3 - "$1/metrics.jsonl" "$2/metrics.jsonl" "$3" <<'PY'
import json, sys

def train_metrics(path):
    steps = {}
    for line in open(path):
        record = json.loads(line)
        metrics = {k: v for k, v in record.items() if k.startswith("train/")}
        if metrics:
            steps.setdefault(record["step"], {}).update(metrics)
    return steps

a, b, rtol = train_metrics(sys.argv[1]), train_metrics(sys.argv[2]), float(sys.argv[3])
if sorted(a) != sorted(b):
    sys.exit("steps differ: %s vs %s" % (sorted(a), sorted(b)))
for step in sorted(a):
    if rtol == 0:
        if a[step] != b[step]:
            sys.exit("step %d: %s != %s" % (step, a[step], b[step]))
    else:
        x, y = a[step]["train/lm_loss"], b[step]["train/lm_loss"]
        if abs(x - y) > rtol * abs(y):
            sys.exit("step %d: train/lm_loss %r vs %r" % (step, x, y))
PY
}
