#!/bin/sh
# Runs one ctest test the way `bazel test` runs it: in its runfiles tree, with a fresh
# TEST_TMPDIR and the variables the runfiles library and the tests read.
# usage: run_test.sh RUNFILES_ROOT TEST_TMPDIR COMMAND [ARGS...]
set -e
root=$1
tmp=$2
shift 2
rm -rf "$tmp"
mkdir -p "$tmp"
export TEST_SRCDIR="$root" RUNFILES_DIR="$root" TEST_TMPDIR="$tmp" TEST_WORKSPACE=trm
unset RUNFILES_MANIFEST_FILE
# As .bazelrc's --test_env (the tools would otherwise re-execute themselves to set the second).
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
cd "$root/trm"
exec "$@"
