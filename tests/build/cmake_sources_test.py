#!/usr/bin/python3
"""Fails when the BUILD files and the CMake build (tools/cmake) list different sources.

Every .cc and .proto named in the srcs of a BUILD rule must appear in the CMake lists, and every
.cc/.proto in the CMake lists must be a BUILD source (files under third_party/ excepted: the CMake
build compiles Bazel's runfiles library, which Bazel brings itself).

BUILD files are Starlark; the ones here are also valid Python, so they are executed with stand-ins
that record the srcs of every rule, whatever its kind (select() contributes all its branches).
Usage: cmake_sources_test.py [WORKSPACE_DIR] (default under bazel test: the source tree that the
runfiles' tools/cmake links point into).
"""
import os
import re
import sys

# Rules called inside list comprehensions must be real globals; any other name is looked up in
# _AnyRule's mapping and also records srcs.
RULES = "cc_binary cc_library cc_test sh_test trm_cc_library trm_host_test trm_plugin".split()
SOURCE = re.compile(r"\.(cc|proto)$")
CMAKE_SOURCE = re.compile(r"\b[A-Za-z0-9_][A-Za-z0-9_.+-]*(?:/[A-Za-z0-9_.+-]+)+\.(?:cc|proto)\b")
CMAKE_ONLY_PREFIX = "third_party/"


class _AnyRule(dict):
    """Top-level names of a BUILD file: assignments are kept, unknown names are rules."""

    def __init__(self, rule):
        super().__init__()
        self._rule = rule

    def __missing__(self, name):
        return self._rule


def build_sources(root, build_files):
    """{workspace path of a source: 'package:rule'} over the given BUILD files."""
    sources = {}
    for build in build_files:
        package = os.path.relpath(os.path.dirname(build), root)

        def rule(*_, name=None, srcs=(), src=None, **__):
            for path in list(srcs or ()) + ([src] if isinstance(src, str) else []):
                if isinstance(path, str) and SOURCE.search(path) and not path.startswith(("/", ":", "@")):
                    sources.setdefault(package + "/" + path, "%s:%s" % (package, name))

        scope = {name: rule for name in RULES}
        scope["glob"] = lambda *a, **k: []
        scope["select"] = lambda branches, **k: [p for v in branches.values() for p in v]
        try:
            with open(build) as f:
                exec(compile(f.read(), build, "exec"), scope, _AnyRule(rule))
        except NameError as e:
            sys.exit("error: %s/BUILD: %s; add it to RULES in tests/build/cmake_sources_test.py" %
                     (package, e))
    return sources


def cmake_sources(cmake_dir):
    """{workspace path: CMake file} of every .cc/.proto named outside comments."""
    sources = {}
    for name in sorted(os.listdir(cmake_dir)):
        if name == "CMakeLists.txt" or name.endswith(".cmake"):
            with open(os.path.join(cmake_dir, name)) as f:
                for line in f:
                    for path in CMAKE_SOURCE.findall(line.split("#", 1)[0]):
                        sources.setdefault(path, "tools/cmake/" + name)
    return sources


def find_build_files(root):
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs
                            if not d.startswith(("bazel-", ".")) and d not in ("third_party",))
        if "BUILD" in files:
            found.append(os.path.join(directory, "BUILD"))
    return found


def main():
    if len(sys.argv) > 1:
        root = sys.argv[1]
    elif os.environ.get("TEST_SRCDIR"):
        # Under bazel test: the runfiles hold tools/cmake (data); its links lead to the source tree,
        # whose BUILD files are read there (a BUILD file is not visible to other packages as data).
        cmake_lists = os.path.join(os.environ["TEST_SRCDIR"], "trm", "tools", "cmake",
                                   "CMakeLists.txt")
        root = os.path.realpath(cmake_lists)
        for _ in ("CMakeLists.txt", "cmake", "tools"):
            root = os.path.dirname(root)
    else:
        sys.exit("error: give the workspace folder (or run under bazel test)")
    cmake_dir = os.path.join(root, "tools", "cmake")
    if not os.path.isfile(os.path.join(cmake_dir, "CMakeLists.txt")):
        sys.exit("error: %s/CMakeLists.txt not found" % cmake_dir)

    build_files = find_build_files(root)
    bazel = build_sources(root, build_files)
    cmake = cmake_sources(cmake_dir)
    problems = []
    for path in sorted(set(bazel) - set(cmake)):
        problems.append("%s (//%s) is in no CMake list under tools/cmake/" % (path, bazel[path]))
    for path in sorted(set(cmake) - set(bazel)):
        if not path.startswith(CMAKE_ONLY_PREFIX):
            problems.append("%s (%s) is in no BUILD file's srcs" % (path, cmake[path]))
    for problem in problems:
        print("error: " + problem)
    if problems:
        return 1
    print("ok: %d sources in %d BUILD files match tools/cmake/" % (len(bazel), len(build_files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
