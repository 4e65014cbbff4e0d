#!/bin/bash
# One call on a lent GPU machine (one H100/H200, a pip PyTorch with CUDA at `python3`, CMake, ninja,
# nvcc; no Bazel, no network, no Abseil/Protobuf): probes the machine, builds tools/cmake against
# the pip torch with the libraries tools/gpu/pack_deps.sh packed into .gpu_deps (carry it), and runs
#   1. the training benchmark of the full arc2_trm model (hidden 512, 900 + 16 positions, bf16,
#      batch 192): step time, samples/s, matmul FLOPs, MFU, peak memory, the share of the step
#      its matrix products alone take, and its evaluation pass;
#   2. the unit tests (ctest) with TRM_TEST_DEVICE=cuda, which tests with CUDA cases read;
#   3. the parity tool on the reference's golden fixtures, on the device;
#   4. a short evaluation: eval --untrained on a tiny dataset built from third_party/arc_sample.
# The tools and the benchmark are built first, so that a slow build still measures something.
# Every step gets the time left of --budget; a failed or skipped step is reported and the next one
# runs; the exit status is 1 if any step failed. Everything printed also goes to
# $OUT/device_check.log.
#
#   tools/gpu/device_check.sh               # on the GPU machine, from the repository root
#   tools/gpu/device_check.sh --cpu-smoke   # here: no configure or build, the existing CPU build
#                                           # (/tmp/trm-cmake), small sizes, a few tests
# Options: --build-dir DIR (default /tmp/trm-gpu-build; /tmp/trm-cmake with --cpu-smoke),
#          --budget SECONDS (default 450, for an 8-minute call), --jobs N (default: nproc).
set -uo pipefail

usage="usage: tools/gpu/device_check.sh [--cpu-smoke] [--build-dir DIR] [--budget S] [--jobs N]"
smoke=0
build=""
budget=450
jobs=$(nproc)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cpu-smoke) smoke=1 ;;
    --build-dir) build="${2:?$usage}"; shift ;;
    --budget) budget="${2:?$usage}"; shift ;;
    --jobs) jobs="${2:?$usage}"; shift ;;
    *) echo "error: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
  shift
done
[[ "$budget" =~ ^[0-9]+$ && "$jobs" =~ ^[0-9]+$ ]] || { echo "error: $usage" >&2; exit 2; }
[[ -f tools/cmake/CMakeLists.txt ]] || { echo "error: run from the repository root" >&2; exit 2; }
root=$PWD
if [[ -z "$build" ]]; then
  build=$([[ $smoke == 1 ]] && echo /tmp/trm-cmake || echo /tmp/trm-gpu-build)
fi
out="${OUT:-$root/runs/device_check}"
mkdir -p "$out"
exec > >(tee "$out/device_check.log") 2>&1

deadline=$((SECONDS + budget))
failed=()
section() { printf '\n===== %s  (%ds elapsed, %ds left)\n' "$1" "$SECONDS" "$((deadline - SECONDS))"; }
# step NAME MIN_SECONDS COMMAND...: runs COMMAND under the time left; skipped below MIN_SECONDS.
step() {
  local name=$1 min=$2
  shift 2
  local left=$((deadline - SECONDS))
  section "$name"
  if ((left < min)); then
    echo "SKIPPED: ${left}s left, needs ${min}s"
    failed+=("$name (skipped)")
    return 1
  fi
  local start=$SECONDS
  timeout --kill-after=10 "$left" "$@"
  local rc=$?
  echo "-- $name: exit $rc after $((SECONDS - start))s$([[ $rc == 124 ]] && echo ' (out of time)')"
  ((rc == 0)) || failed+=("$name (exit $rc)")
  return $rc
}

# ---- 0. What the machine has ----------------------------------------------------------------
section "probe"
python=python3
if [[ $smoke == 1 ]] && ! python3 -c 'import torch' 2>/dev/null; then
  python=/usr/bin/python3  # Debian's python3-torch, if installed (the pyenv python3 has none)
fi
if [[ $smoke == 1 ]] && ! "$python" -c 'import torch' 2>/dev/null; then
  # No Python torch here: Debian's LibTorch, whose CMake config states its ABI.
  config=/usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake
  echo "no Python torch; LibTorch from $config" | tee "$out/probe.txt"
  echo "TRM_PREFIX /usr/lib/x86_64-linux-gnu/cmake" | tee -a "$out/probe.txt"
  echo "TRM_ABI $(grep -q '_GLIBCXX_USE_CXX11_ABI=0' "$config" && echo 0 || echo 1)" |
    tee -a "$out/probe.txt"
else
"$python" - <<'PY' | tee "$out/probe.txt"
import glob, os, site, sys
import torch
print("python", sys.version.split()[0], sys.executable)
print("torch", torch.__version__, "cuda", torch.version.cuda, "cuda_available",
      torch.cuda.is_available())
print("TRM_ABI", int(torch._C._GLIBCXX_USE_CXX11_ABI))
prefix = getattr(torch.utils, "cmake_prefix_path", "")
if not prefix or not os.path.isdir(os.path.join(prefix, "Torch")):
    prefix = "/usr/lib/x86_64-linux-gnu/cmake"  # Debian's libtorch-dev
print("TRM_PREFIX", prefix)
print("torch_dir", os.path.dirname(torch.__file__))
try:
    from torch.utils import cpp_extension
    print("include_paths", " ".join(cpp_extension.include_paths()))
    print("library_paths", " ".join(cpp_extension.library_paths()))
except Exception as e:  # an old or stripped torch: not needed by the build
    print("cpp_extension:", e)
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print("gpu", p.name, "sm_%d%d" % (p.major, p.minor), "%.1f GiB" % (p.total_memory / 2**30),
          "count", torch.cuda.device_count())
    try:
        print("nccl_version (torch)", torch.cuda.nccl.version())
    except Exception as e:
        print("nccl_version:", e)
roots = site.getsitepackages() + [site.getusersitepackages(), "/usr/local/cuda", "/usr"]
headers = sorted({h for r in roots for h in glob.glob(os.path.join(r, "nvidia", "**", "nccl.h"),
                                                      recursive=True)
                  + glob.glob(os.path.join(r, "include", "nccl.h"))})
libs = sorted({l for r in roots for l in glob.glob(os.path.join(r, "nvidia", "**", "libnccl.so*"),
                                                   recursive=True)})
print("nccl_headers", " ".join(headers) or "none")
print("nccl_libs", " ".join(libs) or "none")
if headers:
    print("TRM_NCCL_ROOT", os.path.dirname(os.path.dirname(headers[0])))
PY
[[ ${PIPESTATUS[0]} == 0 ]] || { echo "error: $python cannot import torch"; exit 1; }
fi
probe() { sed -n "s/^$1 //p" "$out/probe.txt"; }
echo "gcc: $(gcc --version | head -1)"
echo "glibc: $(ldd --version | head -1)"
libstdcxx=$(g++ -print-file-name=libstdc++.so.6)
host_glibcxx=$(strings "$libstdcxx" | grep -o '^GLIBCXX_[0-9.]*$' | sed 's/GLIBCXX_//' | sort -V | tail -1)
host_glibc=$(ldd --version | head -1 | grep -o '[0-9]\+\.[0-9]\+$')
echo "libstdc++: $libstdcxx (GLIBCXX $host_glibcxx)"
echo "nvcc: $(command -v nvcc >/dev/null && nvcc --version | tail -2 | tr '\n' ' ' || echo none)"
echo "cmake: $(cmake --version | head -1); ninja $(ninja --version 2>/dev/null || echo none)"
echo "cpus: $(nproc); memory: $(free -g | awk '/Mem:/ {print $2 " GiB"}')"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
else
  echo "nvidia-smi: none"
fi

if [[ "$(probe TRM_ABI)" != 1 ]]; then
  echo "error: this torch is built with _GLIBCXX_USE_CXX11_ABI=0; the packed Abseil/Protobuf/" \
       "GoogleTest use the new ABI. Use a cxx11-ABI torch (pip torch >= 2.7 or libtorch cxx11-abi)."
  exit 1
fi

deps=""
if [[ $smoke == 0 ]]; then
  deps="$root/.gpu_deps"
  [[ -f "$deps/REQUIREMENTS" ]] ||
    { echo "error: $deps missing: run tools/gpu/pack_deps.sh here and carry .gpu_deps"; exit 1; }
  tools/gpu/link_sonames.sh "$deps/lib"
  need_glibc=$(awk '$1 == "GLIBC" {print $2}' "$deps/REQUIREMENTS")
  need_glibcxx=$(awk '$1 == "GLIBCXX" {print $2}' "$deps/REQUIREMENTS")
  echo "packed libraries need GLIBC $need_glibc, GLIBCXX $need_glibcxx"
  if [[ "$(printf '%s\n' "$need_glibc" "$host_glibc" | sort -V | head -1)" != "$need_glibc" ||
        "$(printf '%s\n' "$need_glibcxx" "$host_glibcxx" | sort -V | head -1)" != "$need_glibcxx" ]]; then
    echo "error: this host's glibc $host_glibc / GLIBCXX $host_glibcxx are older than the packed" \
         "libraries need; pack on an older distribution"
    exit 1
  fi
fi

# ---- Build -------------------------------------------------------------------------------------
bin="$build/bin"
if [[ $smoke == 0 ]]; then
  configure=(cmake -S tools/cmake -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
             "-DCMAKE_PREFIX_PATH=$(probe TRM_PREFIX)" "-DTRM_DEPS_PREFIX=$deps")
  [[ -n "$(probe TRM_NCCL_ROOT)" ]] && configure+=("-DTRM_NCCL_ROOT=$(probe TRM_NCCL_ROOT)")
  if command -v nvcc >/dev/null; then
    # Torch's CMake enables CUDA; H100/H200 are sm_90.
    configure+=("-DCMAKE_CUDA_COMPILER=$(command -v nvcc)" -DCMAKE_CUDA_ARCHITECTURES=90)
    export TORCH_CUDA_ARCH_LIST=9.0
  fi
  step configure 20 "${configure[@]}" || { echo "error: configure failed"; exit 1; }
  # -k 0: one target that fails to compile leaves the others built, and their steps still run.
  step "build tools" 60 cmake --build "$build" -j "$jobs" --target trm_tools -- -k 0
fi

# ---- 1. Training benchmark -----------------------------------------------------------------------
if [[ $smoke == 0 ]]; then
  device=cuda
  bench_args=(--experiment=arc2_trm --batch_size=192 --num_puzzle_ids=1191730 --steps=10
              --eval_passes=1 --threads_list=8)
else  # the same model family, tiny: 1 H cycle, hidden 64, batch 2
  device=cpu
  bench_args=(--experiment=arc2_trm --set arch.hidden_size=64 --set arch.num_heads=2
              --set arch.puzzle_emb_ndim=64 --set arch.H_cycles=1 --set arch.L_cycles=1
              --set arch.halt_max_steps=2 --batch_size=2 --num_puzzle_ids=100 --steps=2
              --eval_passes=1 --threads_list=2)
fi
step "benchmark arc2_trm" 30 "$bin/tools/bench_train_step" --device=$device "${bench_args[@]}"
[[ $smoke == 0 ]] && command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=memory.used,temperature.gpu,power.draw --format=csv

# ---- 2. Unit tests ----------------------------------------------------------------------------
if [[ $smoke == 0 ]]; then
  step "build all" 60 cmake --build "$build" -j "$jobs" -- -k 0
  ctest_args=(-j "$jobs")
else
  ctest_args=(-j 2 -R '^trm/(base|registry|plugin):')  # a few quick ones: the plumbing works
fi
export TRM_TEST_DEVICE=$device
step "ctest" 20 \
  ctest --test-dir "$build" --output-on-failure --timeout 300 "${ctest_args[@]}"

# ---- 3. Parity on the golden fixtures -------------------------------------------------------------
# The reference's fixtures on the device: float32 within the CPU tolerances, bfloat16 within the
# fixtures' bf16 bounds (the ctest run above covers the same through parity_test).
fixtures=(tests/golden/{trm_att,trm_mlp,hrm,trm_singlez,trm_hier6,transformer_baseline})
[[ $smoke == 1 ]] && fixtures=(tests/golden/trm_mlp)
for fixture in "${fixtures[@]}"; do
  step "parity $(basename "$fixture")" 10 "$bin/tools/parity" --fixture="$fixture" \
    --device="$device"
done

# ---- 4. A short evaluation ----------------------------------------------------------------------
work="$build/device_check"
rm -rf "$work" && mkdir -p "$work"
if step "build eval dataset" 10 "$bin/tools/build_dataset" \
     --experiment=tools/testdata/eval_tiny.textproto --task_dir=third_party/arc_sample \
     --out="$work/eval_tiny" --progress=false; then
  step "eval (untrained)" 10 "$bin/tools/eval" --experiment=tools/testdata/eval_tiny.textproto \
    --untrained --device=$device --data="$work/eval_tiny" --out="$work/eval" &&
    cat "$work/eval/metrics.json"
fi

section "summary"
if ((${#failed[@]})); then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "all steps passed"
