#!/bin/bash
# //tools:check_submission on valid, malformed and mismatched files: exit status, one-line errors.
set -u
tool="$1"
dir="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

cat > "$dir/challenges.json" <<'JSON'
{"b": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[1]]}, {"input": [[2]]}]},
 "a": {"train": [], "test": [{"input": [[3]]}]}}
JSON
cat > "$dir/solutions.json" <<'JSON'
{"b": [[[2]], [[4]]], "a": [[[6, 6]]]}
JSON
cat > "$dir/good.json" <<'JSON'
{"a": [{"attempt_1": [[6, 6]], "attempt_2": [[0]]}],
 "b": [{"attempt_1": [[0]], "attempt_2": [[2]]}, {"attempt_1": [[3]], "attempt_2": [[0]]}]}
JSON

# expect <name> <exit status> <text in stdout or stderr> <tool args...>
expect() {
  local name="$1" want_rc="$2" want_text="$3"
  shift 3
  "$tool" "$@" > "$dir/out" 2> "$dir/err"
  local rc=$?
  if [[ $rc -ne $want_rc ]]; then
    echo "FAIL $name: exit status $rc, expected $want_rc"; cat "$dir/out" "$dir/err"; failures=$((failures + 1)); return
  fi
  if ! grep -qF -- "$want_text" "$dir/out" "$dir/err"; then
    echo "FAIL $name: '$want_text' not in the output"; cat "$dir/out" "$dir/err"; failures=$((failures + 1)); return
  fi
  if [[ $want_rc -ne 0 && $(wc -l < "$dir/err") -ne 1 ]]; then
    echo "FAIL $name: the error is not one line"; cat "$dir/err"; failures=$((failures + 1)); return
  fi
  echo "ok   $name"
}

expect valid 0 "valid: 2 tasks, 3 test inputs, 2 attempts each" \
  --submission="$dir/good.json" --challenges="$dir/challenges.json"
expect scored 0 "score: 0.750000" \
  --submission="$dir/good.json" --challenges="$dir/challenges.json" --solutions="$dir/solutions.json"

echo '{"a": [{"attempt_1": [[6, 6]], "attempt_2": [[0]]}]' > "$dir/truncated.json"
expect truncated_submission 1 "truncated.json: not valid JSON" \
  --submission="$dir/truncated.json" --challenges="$dir/challenges.json"
echo '{"a": [{"attempt_1": [[6, 16]], "attempt_2": [[0]]}], "b": []}' > "$dir/colour.json"
expect bad_colour 1 "task 'a' entry 0 attempt_1: cell [0][1] is 16" \
  --submission="$dir/colour.json" --challenges="$dir/challenges.json"
echo '{"a": [{"attempt_1": [[6, 6]], "attempt_2": [[0]]}]}' > "$dir/missing.json"
expect missing_task 1 "1 of 2 task(s) missing: 'b'" \
  --submission="$dir/missing.json" --challenges="$dir/challenges.json"
echo '{"a": [{"attempt_1": [[6]], "attempt_2": [[0]]}], "b": [{"attempt_1": [[0]], "attempt_2": [[2]]}]}' > "$dir/short.json"
expect one_entry_short 1 "task 'b' has 1 entries, the challenge has 2 test input(s)" \
  --submission="$dir/short.json" --challenges="$dir/challenges.json"
echo '{"a": {"train": [], "test": [{"input": [[3], [3, 3]]}]}}' > "$dir/bad_challenges.json"
expect malformed_challenges 1 "bad_challenges.json: task 'a' test[0].input: row 1 has 2 cells" \
  --submission="$dir/good.json" --challenges="$dir/bad_challenges.json"
echo '{"b": [[[2]], [[4]]]}' > "$dir/partial_solutions.json"
expect solutions_mismatch 1 "partial_solutions.json: no solutions for task 'a'" \
  --submission="$dir/good.json" --challenges="$dir/challenges.json" \
  --solutions="$dir/partial_solutions.json"
expect no_such_file 1 "nope.json: cannot open" \
  --submission="$dir/nope.json" --challenges="$dir/challenges.json"

exit $((failures > 0))
