#!/usr/bin/env bash
# Installs the Debian packages trm needs to build and test offline. Idempotent and quiet.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap          # Bazel 4.2.3
  g++
  libtorch-dev             # LibTorch 1.13 (CPU), includes c10d + Gloo symbols
  libgloo-dev              # headers needed by c10d's ProcessGroupGloo
  libopenblas0-pthread     # fast BLAS for libtorch (reference BLAS is ~10x slower)
  libabsl-dev
  libprotobuf-dev
  protobuf-compiler
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  nlohmann-json3-dev       # JSON (header-only)
  slurmctld                # a private one-node Slurm for //tools/slurm's tests
  slurmd                   #   (tools/slurm/local_cluster.sh starts it in a temporary folder)
  slurm-client             #   srun, sbatch, scancel, scontrol, sinfo
  munge                    #   Slurm's authentication, a private munged per cluster
  chromium                 # headless browser for the HTML report check
  python3                  # the Kaggle notebook script (tools/kaggle), run by its test
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq >/tmp/trm_setup_apt.log 2>&1; then
  echo "setup: error: 'apt-get update' failed (see /tmp/trm_setup_apt.log)" >&2
  exit 1
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/trm_setup_apt.log 2>&1; then
  echo "setup: error: 'apt-get install ${missing[*]}' failed (see /tmp/trm_setup_apt.log)" >&2
  exit 1
fi
echo "setup: done" >&2
