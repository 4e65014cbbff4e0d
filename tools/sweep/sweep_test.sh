#!/usr/bin/env bash
# End to end, the sweep tool on the tiny experiment: validation errors, the plan, a local sweep
# killed with SIGKILL half-way and resumed (finished runs untouched, interrupted ones resumed with
# the losses of an uninterrupted run), the report against numbers recomputed from metrics.jsonl,
# and the HTML page rendered by headless Chromium.
set -euo pipefail

SWEEP="$PWD/$1"
TMP="$TEST_TMPDIR"
COMMON=(--data_root="$TMP/data" --task_dir=third_party/arc_sample --threads_per_run=1)

fail() { echo "FAIL: $*" >&2; exit 1; }
state_of() { sed -n 's/.*"state": "\([a-z]*\)".*/\1/p' "$1/sweep_run.json" 2>/dev/null || true; }
attempts_of() { sed -n 's/.*"attempts": \([0-9]*\).*/\1/p' "$1/sweep_run.json"; }

echo "== the plan"
plan=$("$SWEEP" --sweep=smoke_tiny --sweep_dir="$TMP/plan" --dry_run "${COMMON[@]}")
[[ $(grep -c -- '-seed[01] ' <<<"$plan") -eq 4 ]] || fail "dry run should list 4 runs: $plan"
grep -q "no_ema-seed1 .*ema.enabled=false train.seed=1" <<<"$plan" || fail "overrides: $plan"
[[ ! -e "$TMP/plan" ]] || fail "--dry_run created the sweep folder"

echo "== a bad variant is refused before anything runs"
cat > "$TMP/bad.textproto" <<'SPEC'
experiment: "arc2_trm_tiny"
variants { name: "good" }
variants { name: "oops" set: "ema.enabeld=false" }
SPEC
if "$SWEEP" --sweep="$TMP/bad.textproto" --sweep_dir="$TMP/bad" "${COMMON[@]}" 2>"$TMP/err"; then
  fail "a bad override was accepted"
fi
[[ $(wc -l <"$TMP/err") -eq 1 ]] || fail "error is not one line: $(cat "$TMP/err")"
grep -q "variant 'oops'.*enabeld" "$TMP/err" || fail "error does not name the variant: $(cat "$TMP/err")"
[[ ! -e "$TMP/bad" ]] || fail "a refused sweep created its folder"

echo "== a sweep killed half-way resumes"
cat > "$TMP/long.textproto" <<'SPEC'
experiment: "arc2_trm_tiny"
set: ["train.max_steps=600", "checkpoint.every_steps=10", "checkpoint.keep_last=2"]
variants { name: "a" }
variants { name: "b" set: "ema.enabled=false" }
seeds: [0, 1]
metrics { name: "train/lm_loss" }
metrics { name: "train/lm_loss" reduce: MIN }
metrics { name: "all/accuracy" }
SPEC
DIR="$TMP/long"
"$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$DIR" --parallel=2 "${COMMON[@]}" \
  >"$TMP/first.log" 2>&1 &
sweep_pid=$!
# Kill it once a run has finished and another has a checkpoint in its first half.
for _ in $(seq 1 4000); do
  finished=0 midway=0
  for run in "$DIR"/runs/*; do
    [[ -d "$run" ]] || continue
    if [[ $(state_of "$run") == done ]]; then finished=1
    else
      # Early enough that it cannot finish before the kill lands.
      for checkpoint in "$run"/checkpoints/step_*; do
        step=${checkpoint##*_}
        [[ -d "$checkpoint" && $step =~ ^[0-9]+$ && $step -le 300 ]] && midway=1
      done
    fi
  done
  (( finished && midway )) && break
  kill -0 "$sweep_pid" 2>/dev/null || fail "the sweep ended before it could be interrupted: $(cat "$TMP/first.log")"
  sleep 0.05
done
kill -9 "$sweep_pid"
wait "$sweep_pid" 2>/dev/null || true
# Its runs notice (parent-death signal), checkpoint and let go of their folders.
for _ in $(seq 1 600); do
  "$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$DIR" --status "${COMMON[@]}" >"$TMP/status"
  grep -q "running 0" "$TMP/status" && break
  sleep 0.1
done
cat "$TMP/status"
grep -q "running 0" "$TMP/status" || fail "runs still hold their folders"
declare -A before
for run in "$DIR"/runs/*; do before[$(basename "$run")]=$(state_of "$run"); done
[[ " ${before[*]} " == *" done "* ]] || fail "no run had finished"
# The interrupted run with a checkpoint (one killed while it was starting may have none).
interrupted=""
for name in "${!before[@]}"; do
  [[ ${before[$name]} == stopped || ${before[$name]} == failed ]] || continue
  compgen -G "$DIR/runs/$name/checkpoints/step_*" >/dev/null && interrupted=$name
done
[[ -n "$interrupted" ]] || fail "no run was interrupted after its first checkpoint: ${before[*]}"
md5_before=$(md5sum "$DIR"/runs/*/metrics.jsonl | sort -k2)

"$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$DIR" --parallel=2 "${COMMON[@]}" \
  >"$TMP/second.log" 2>&1 || fail "the resumed sweep failed: $(cat "$TMP/second.log")"
for name in "${!before[@]}"; do
  run="$DIR/runs/$name"
  [[ $(state_of "$run") == done ]] || fail "$name is $(state_of "$run") after the resume"
  if [[ ${before[$name]} == done ]]; then
    [[ $(attempts_of "$run") -eq 1 ]] || fail "finished run $name was run again"
    grep -q "$run/metrics.jsonl" <<<"$md5_before" || fail "no metrics for $name"
    [[ $(grep -F "$run/metrics.jsonl" <<<"$md5_before") == $(md5sum "$run/metrics.jsonl") ]] ||
      fail "the metrics of finished run $name changed"
  fi
done
grep -q "resumed from .*step_" "$DIR/runs/$interrupted/log.txt" ||
  fail "$interrupted did not resume from its checkpoint"
[[ $(attempts_of "$DIR/runs/$interrupted") -eq 2 ]] || fail "$interrupted: attempts"

# The interrupted run, once more without interruption: the same metrics, bit for bit.
index=$("$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$TMP/ref" --dry_run "${COMMON[@]}" |
        awk -v n="$interrupted" '$2 == n {print $1}')
"$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$TMP/ref" --run_index="$index" "${COMMON[@]}" ||
  fail "reference run failed"
strip_time() { sed 's/"time":[0-9.e+-]*,//' "$1"; }
diff <(strip_time "$DIR/runs/$interrupted/metrics.jsonl") \
     <(strip_time "$TMP/ref/runs/$interrupted/metrics.jsonl") >/dev/null ||
  fail "the resumed run's metrics differ from an uninterrupted run's"

echo "== the report equals numbers recomputed from metrics.jsonl"
"$SWEEP" --sweep="$TMP/long.textproto" --sweep_dir="$DIR" --report "${COMMON[@]}" >"$TMP/report.md"
grep -q "| b | 2 |" "$TMP/report.md" || fail "markdown table: $(cat "$TMP/report.md")"
/usr/bin/python3 - "$DIR" <<'PY'
import csv, json, math, os, statistics, sys
root = sys.argv[1]
def final(run, key, reduce):
    values = {}
    for line in open(os.path.join(root, "runs", run, "metrics.jsonl")):
        row = json.loads(line)
        if key in row: values[row["step"]] = row[key]
    series = [values[s] for s in sorted(values)]
    return {"final": series[-1], "min": min(series)}[reduce]
rows = list(csv.DictReader(open(os.path.join(root, "report.csv"))))
assert len(rows) == 6, rows
base = {}
for row in rows:
    runs = ["%s-seed%d" % (row["variant"], seed) for seed in (0, 1)]
    values = [final(r, row["metric"], row["reduce"]) for r in runs]
    mean, std = statistics.mean(values), statistics.stdev(values)
    assert math.isclose(float(row["mean"]), mean, rel_tol=1e-12, abs_tol=1e-15), (row, values)
    assert math.isclose(float(row["std"]), std, rel_tol=1e-9, abs_tol=1e-15), (row, values)
    key = (row["metric"], row["reduce"])
    if row["variant"] == "a": base[key] = mean
    else: assert math.isclose(float(row["delta"]), mean - base[key], rel_tol=1e-9, abs_tol=1e-15), row
print("report.csv matches metrics.jsonl")
PY

echo "== the HTML page in headless Chromium"
command -v chromium >/dev/null || fail "chromium is not installed (tools/setup.sh installs it)"
export HOME="$TMP/home"; mkdir -p "$HOME"
chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$DIR/report.html" \
  >"$TMP/dom.html" 2>"$TMP/chromium.log" || fail "chromium: $(tail -3 "$TMP/chromium.log")"
[[ $(grep -c '<svg class="bars"' "$TMP/dom.html") -eq 3 ]] || fail "expected 3 bar charts"
[[ $(grep -c '<polyline class="curve"' "$TMP/dom.html") -eq 2 ]] || fail "expected 2 curves"
[[ $(grep -c '<rect class="bar"' "$TMP/dom.html") -eq 6 ]] || fail "expected 6 bars"
chromium --headless --no-sandbox --disable-gpu --window-size=900,1600 \
  --screenshot="$TMP/report.png" "file://$DIR/report.html" >/dev/null 2>&1 || true
[[ $(stat -c %s "$TMP/report.png" 2>/dev/null || echo 0) -gt 20000 ]] || fail "no screenshot"
echo "PASS"
