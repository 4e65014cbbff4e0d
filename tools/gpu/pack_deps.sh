#!/bin/bash
# Packs the C++ libraries that a GPU machine with only a pip PyTorch lacks (Abseil, Protobuf +
# protoc, GoogleTest/GMock, Google Benchmark, nlohmann-json, Gloo headers) from THIS Debian 12
# machine's packages into one folder, for tools/cmake's -DTRM_DEPS_PREFIX and
# tools/gpu/device_check.sh:
#
#   tools/gpu/pack_deps.sh [DIR]          # default: .gpu_deps (ignored by git)
#
# Layout: DIR/include, DIR/lib (shared libraries named by soname, lib*.so links to them, GoogleTest's
# static archives), DIR/bin/protoc (a wrapper that finds libprotoc/libprotobuf in DIR/lib), DIR/gloo/include
# (used only when torch's own include folder has no Gloo), DIR/REQUIREMENTS (the newest glibc and
# libstdc++ symbol versions the libraries need, which device_check.sh compares with the host's).
# Debian builds them with the new libstdc++ ABI (_GLIBCXX_USE_CXX11_ABI=1), as pip torch >= 2.7 is.
set -euo pipefail

out="${1:-.gpu_deps}"
lib=/usr/lib/x86_64-linux-gnu
for f in /usr/include/absl/base/config.h /usr/include/google/protobuf/message.h \
         /usr/include/gtest/gtest.h /usr/include/gmock/gmock.h /usr/include/benchmark/benchmark.h \
         /usr/include/nlohmann/json.hpp /usr/include/gloo/rendezvous/store.h /usr/bin/protoc \
         "$lib/libgtest.a" "$lib/libprotobuf.so"; do
  [[ -e "$f" ]] || { echo "error: $f missing; run tools/setup.sh (Debian packages) first" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out/include/google" "$out/lib" "$out/bin" "$out/gloo/include"
cp -a /usr/include/absl /usr/include/gtest /usr/include/gmock /usr/include/benchmark \
      /usr/include/nlohmann "$out/include/"
cp -a /usr/include/google/protobuf "$out/include/google/"
cp -a /usr/include/gloo "$out/gloo/include/"

# Shared libraries as one real file each, named by soname (what the loader looks for): symbolic
# links may not survive the trip to the device, so device_check.sh recreates the lib*.so links the
# linker wants (link_sonames below). Static: GoogleTest (Debian has nothing else), benchmark_main.
# protoc's libprotoc has no -dev link here: take the file protoc loads.
protoc_lib=$(ldd /usr/bin/protoc | awk '$1 ~ /^libprotoc[.]/ {print $3}')
for f in "$lib"/libabsl_*.so "$lib"/libprotobuf.so "$protoc_lib" "$lib"/libbenchmark.so; do
  soname=$(objdump -p "$f" | awk '$1 == "SONAME" {print $2}')
  cp -L "$f" "$out/lib/$soname"
done
cp "$lib"/libgtest.a "$lib"/libgtest_main.a "$lib"/libgmock.a "$lib"/libgmock_main.a \
   "$lib"/libbenchmark_main.a "$out/lib/"
"$(dirname "$0")/link_sonames.sh" "$out/lib"

cp /usr/bin/protoc "$out/bin/protoc.bin"
cat > "$out/bin/protoc" <<'WRAP'
#!/bin/sh
# Debian's protoc, run against the libprotoc/libprotobuf packed beside it.
here=$(dirname "$(readlink -f "$0")")
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/protoc.bin" "$@"
WRAP
chmod +x "$out/bin/protoc"
"$out/bin/protoc" --version >/dev/null

# Newest symbol versions needed from the host's glibc and libstdc++.
newest() {
  objdump -T "$out"/lib/*.so.* "$out/bin/protoc.bin" 2>/dev/null | grep -o "$1_[0-9.]*" |
    sed "s/^$1_//" | sort -V | tail -1
}
{
  echo "GLIBC $(newest GLIBC)"
  echo "GLIBCXX $(newest GLIBCXX)"
  echo "CXXABI $(newest CXXABI)"
  echo "packed_on $(. /etc/os-release && echo "$ID-$VERSION_ID") gcc $(gcc -dumpfullversion)"
} > "$out/REQUIREMENTS"

echo "packed into $out: $(du -sh "$out" | cut -f1) ($(find "$out" -type f | wc -l) files)"
cat "$out/REQUIREMENTS"
