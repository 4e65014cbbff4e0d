#!/usr/bin/env bash
# Packs what //tools:solve needs on a machine without Bazel, network or this repository (a Kaggle
# notebook): the solver, the plugins, the shared libraries they need other than LibTorch and the
# C/C++ runtime, the experiment, the checkpoint, and solve.sh, which runs it with the host's
# LibTorch (TRM_TORCH_LIB, else python3's torch, else the system's).
#
#   tools/kaggle/pack_bundle.sh --experiment=FILE|NAME --checkpoint=PATH --out=trm_bundle.tar.gz \
#       [--bin_dir=DIR]
#
# --checkpoint: a weights file, a checkpoint folder (step_N/) or a run folder (its newest
# checkpoint). --bin_dir: the build to take binaries from, laid out as bazel-bin (default: bazel-bin,
# building //tools:solve first) or a CMake build's bin/ folder (the pip-torch build for Kaggle:
# its binaries link that torch's libtorch.so, where a Bazel build here links Debian's
# libtorch.so.1.13). The bundle works with the LibTorch its binaries were linked against.
set -euo pipefail

die() { echo "error: $*" >&2; exit 1; }
experiment="" checkpoint="" out="" bin_dir=""
for arg in "$@"; do
  case "$arg" in
    --experiment=*) experiment="${arg#*=}" ;;
    --checkpoint=*) checkpoint="${arg#*=}" ;;
    --out=*) out="${arg#*=}" ;;
    --bin_dir=*) bin_dir="${arg#*=}" ;;
    *) die "unknown argument '$arg' (usage: pack_bundle.sh --experiment=F --checkpoint=P --out=F.tar.gz [--bin_dir=D])" ;;
  esac
done
[[ -n "$experiment" && -n "$checkpoint" && -n "$out" ]] ||
  die "--experiment, --checkpoint and --out are required"
[[ "$out" == *.tar.gz ]] || die "--out $out: give a .tar.gz file name"
[[ -e "$out" ]] && die "--out $out exists (nothing is overwritten)"
repo="$(cd "$(dirname "$0")/../.." && pwd)"

if [[ -f "$experiment" ]]; then
  experiment_file="$experiment"
elif [[ -f "$repo/experiments/$experiment.textproto" ]]; then
  experiment_file="$repo/experiments/$experiment.textproto"
else
  die "--experiment $experiment: neither a file nor experiments/$experiment.textproto"
fi

# The weights file: as given, or the newest complete checkpoint of a run / checkpoint folder.
weights=""
if [[ -f "$checkpoint" ]]; then
  weights="$checkpoint"
elif [[ -f "$checkpoint/model.safetensors" ]]; then
  weights="$checkpoint/model.safetensors"
elif [[ -d "$checkpoint/checkpoints" ]]; then
  newest=$(find "$checkpoint/checkpoints" -mindepth 1 -maxdepth 1 -type d -name 'step_*' \
             ! -name '*.tmp' -printf '%f\n' | sed 's/^step_//' | grep -E '^[0-9]+$' | sort -n | tail -1)
  [[ -n "$newest" ]] && weights="$checkpoint/checkpoints/step_$newest/model.safetensors"
fi
[[ -n "$weights" && -f "$weights" ]] || die "--checkpoint $checkpoint: no weights file found"

if [[ -z "$bin_dir" ]]; then
  (cd "$repo" && bazel build //tools:solve >/dev/null 2>&1) || die "bazel build //tools:solve failed"
  bin_dir="$repo/bazel-bin"
fi
solver="$bin_dir/tools/solve/solve"
[[ -x "$solver" ]] || die "--bin_dir $bin_dir: no tools/solve/solve"
# (Relative paths: runfiles trees of test binaries under plugins/ hold copies; skip them.)
mapfile -t plugins < <(cd "$bin_dir" && find -L plugins -name 'libtrm_*.so' -not -path '*.runfiles*' |
                         sort | sed "s|^|$bin_dir/|")
[[ ${#plugins[@]} -gt 0 ]] || die "--bin_dir $bin_dir: no plugins (plugins/*/libtrm_*.so)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
bundle="$stage/trm_bundle"
mkdir -p "$bundle/bin" "$bundle/plugins" "$bundle/lib" "$bundle/checkpoint"
cp -L "$solver" "$bundle/bin/solve"
for plugin in "${plugins[@]}"; do cp -L "$plugin" "$bundle/plugins/"; done
cp -L "$experiment_file" "$bundle/experiment.textproto"
cp -L "$weights" "$bundle/checkpoint/model.safetensors"
[[ -f "$weights.crc32c" ]] && cp -L "$weights.crc32c" "$bundle/checkpoint/model.safetensors.crc32c"

# Shared libraries: everything the ELF files need (transitively), except LibTorch (the host's)
# and the C/C++ runtime (the host's; see the GLIBC line printed below).
host_provided='^(libtorch|libc10|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libgcc_s\.so|libstdc\+\+\.so|ld-linux|linux-vdso|libgomp\.so|libcuda\.so|libnvidia)'
declare -A packed=()
queue=("$bundle/bin/solve" "$bundle"/plugins/*.so)
while [[ ${#queue[@]} -gt 0 ]]; do
  elf="${queue[0]}"
  queue=("${queue[@]:1}")
  while read -r name path; do
    [[ "$name" =~ $host_provided || -n "${packed[$name]:-}" ]] && continue
    [[ -f "$path" ]] || die "$elf needs $name, which is not found on this machine"
    packed[$name]=1
    cp -L "$path" "$bundle/lib/$name"
    queue+=("$bundle/lib/$name")
  done < <(ldd "$elf" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' |
             grep -F -f <(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'))
done

cat > "$bundle/solve.sh" <<'SCRIPT'
#!/usr/bin/env bash
# Runs the packed solver: solve.sh --challenges=FILE --out=DIR [more //tools:solve flags].
# LibTorch comes from $TRM_TORCH_LIB, else from python3's torch package, else the system's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
torch_lib="${TRM_TORCH_LIB:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)}"
export LD_LIBRARY_PATH="$here/lib${torch_lib:+:$torch_lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
exec "$here/bin/solve" --plugin_dir="$here/plugins" --experiment="$here/experiment.textproto" \
  --checkpoint="$here/checkpoint/model.safetensors" "$@"
SCRIPT
chmod +x "$bundle/solve.sh"
cp "$repo/tools/kaggle/kaggle_solve.py" "$bundle/"

glibc=$(objdump -T "$bundle/bin/solve" "$bundle"/plugins/*.so "$bundle"/lib/* 2>/dev/null |
          grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
torch_needed=$(readelf -d "$bundle/bin/solve" | sed -n 's/.*Shared library: \[\(libtorch[^]]*\)\]/\1/p' | head -1)
{
  echo "trm bundle, packed $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "experiment: $experiment_file"
  echo "weights: $weights"
  echo "needs: $torch_needed (the host's LibTorch), $glibc or newer"
  (cd "$bundle" && find . -type f ! -name MANIFEST | sort | xargs sha256sum)
} > "$bundle/MANIFEST"

mkdir -p "$(dirname "$out")"
tar -C "$stage" -czf "$out.tmp" trm_bundle
mv "$out.tmp" "$out"
echo "packed $out ($(du -h "$out" | cut -f1)): ${#plugins[@]} plugins, ${#packed[@]} libraries; needs $torch_needed and $glibc"
