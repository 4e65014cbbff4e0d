"""@system: Debian's libraries under /usr (third_party/system.BUILD) and the LibTorch of the build.

$TRM_LIBTORCH chooses LibTorch: a LibTorch folder or the torch/ folder of a pip installation (both
hold include/ and lib/); unset, Debian's under /usr. Targets :torch (the C++ API) and :torch_c10d
(process groups: Gloo, and NCCL under --config=cuda).

--config=cuda (--//bazel:use_cuda) adds torch_cuda, c10_cuda and the CUDA runtime and defines
TRM_WITH_CUDA and USE_C10D_NCCL. Against a LibTorch without libtorch_cuda.so every target that uses
LibTorch then fails with a one-line message; plain builds are unaffected.
"""

_HELP = "set TRM_LIBTORCH to a LibTorch folder or to the torch/ folder of a pip installation"

# Nothing sets the define: selecting on it alone always fails with the no_match_error.
_UNUSABLE_TORCH = """
config_setting(
    name = "libtorch_never",
    define_values = {{"trm_libtorch": "never"}},
)

[alias(
    name = name,
    actual = select({{":libtorch_never": ":libtorch_never"}}, no_match_error = {message}),
) for name in ["torch", "torch_c10d"]]
"""

_TORCH = """
# LibTorch from {root}{kind}.
cc_library(
    name = "torch",
    hdrs = glob([{hdrs}]),
    defines = {defines},
    includes = {includes},
    linkopts = {linkopts},
    deps = {deps},
)

# c10d: Gloo (symbols in libtorch_cpu; Debian's headers come with libgloo-dev), NCCL with CUDA.
cc_library(
    name = "torch_c10d",
    defines = ["USE_C10D_GLOO"] + {c10d_defines},
    deps = [":torch"],
)
"""

def _on_cuda(has_cuda, values):
    """`values` under --config=cuda with a CUDA LibTorch, else nothing."""
    if not has_cuda:
        return "[]"
    return 'select({"@//bazel:cuda": %r, "//conditions:default": []})' % values

def _uses_old_abi(rctx, root, libdir):
    for config in [
        root + "/share/cmake/Torch/TorchConfig.cmake",
        libdir + "/cmake/Torch/TorchConfig.cmake",
    ]:
        path = rctx.path(config)
        if path.exists:
            return "-D_GLIBCXX_USE_CXX11_ABI=0" in rctx.read(path)
    return False

def _torch_targets(rctx):
    """The BUILD text of :torch and :torch_c10d for $TRM_LIBTORCH."""
    root = rctx.os.environ.get("TRM_LIBTORCH", "").rstrip("/")
    where = "TRM_LIBTORCH=" + root
    if not root:
        root = "/usr"
        where = "/usr (TRM_LIBTORCH unset)"
    libdir = None
    for candidate in [root + "/lib", root + "/lib/x86_64-linux-gnu"]:
        if rctx.path(candidate + "/libtorch_cpu.so").exists:
            libdir = candidate
            break
    api_header = root + "/include/torch/csrc/api/include/torch/torch.h"
    problem = None
    if not root.startswith("/"):
        problem = "%s: not an absolute path; %s" % (where, _HELP)
    elif libdir == None or not rctx.path(api_header).exists:
        problem = ("%s: not a LibTorch (no lib/libtorch_cpu.so or no " +
                   "include/torch/csrc/api/include/torch/torch.h); %s") % (where, _HELP)
    elif _uses_old_abi(rctx, root, libdir):
        problem = ("%s: built with the pre-C++11 ABI (_GLIBCXX_USE_CXX11_ABI=0), which the " +
                   "system libraries do not use; %s built with the C++11 ABI") % (where, _HELP)
    if problem:
        return _UNUSABLE_TORCH.format(message = repr(problem))

    if root == "/usr":
        # /usr/include is a built-in include directory of the toolchain: only the C++ API's root is
        # added (the paths third_party/system.BUILD always had), and linking needs no search path.
        hdrs = '"include/torch/csrc/api/include/**/*.h"'
        includes = ["include/torch/csrc/api/include"]
        linkopts = []
    else:
        rctx.symlink(root, "libtorch")
        hdrs = '"libtorch/include/**"'
        includes = ["libtorch/include", "libtorch/include/torch/csrc/api/include"]
        linkopts = ["-L" + libdir, "-Wl,-rpath," + libdir]
    linkopts += ["-ltorch", "-ltorch_cpu", "-lc10"]
    has_cuda = rctx.path(libdir + "/libtorch_cuda.so").exists
    if has_cuda:
        deps = _on_cuda(True, ["@cuda//:cudart"])
    else:
        message = ("--config=cuda needs a LibTorch built with CUDA, but %s has no %s; " +
                   "%s with CUDA") % (where, libdir[len(root) + 1:] + "/libtorch_cuda.so", _HELP)
        deps = 'select({"@//bazel:cpu": []}, no_match_error = %r)' % message
    return _TORCH.format(
        root = root,
        kind = " (with CUDA)" if has_cuda else " (CPU only)",
        hdrs = hdrs,
        defines = _on_cuda(has_cuda, ["TRM_WITH_CUDA"]),
        includes = repr(includes),
        linkopts = "%r + %s" % (linkopts, _on_cuda(has_cuda, ["-ltorch_cuda", "-lc10_cuda"])),
        deps = deps,
        c10d_defines = _on_cuda(has_cuda, ["USE_C10D_NCCL"]),
    )

def _system_impl(rctx):
    # The paths a new_local_repository of /usr would have, so the default build's commands stay.
    rctx.symlink("/usr/include", "include")
    rctx.symlink("/usr/lib", "lib")
    rctx.file("BUILD", rctx.read(rctx.attr.build_file) + _torch_targets(rctx))

system_repository = repository_rule(
    implementation = _system_impl,
    attrs = {"build_file": attr.label(allow_single_file = True, mandatory = True)},
    environ = ["TRM_LIBTORCH"],
    local = True,
    configure = True,
)

def _flag_impl(ctx):
    return []

bool_flag = rule(
    implementation = _flag_impl,
    build_setting = config.bool(flag = True),
    doc = "A boolean command-line setting: --//bazel:NAME, --no//bazel:NAME.",
)
