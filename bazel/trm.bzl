"""Build macros of the trm framework.

Rule of the house: everything under //trm is the core and is linked exactly once, into the host
binary (statically, alwayslink, exported with -rdynamic). Plugins are shared objects that depend on
the core's *headers only*; their references to core symbols bind to the host at dlopen time, so
every registry exists once per process.
"""

def _headers_label(label):
    """//trm/foo -> //trm/foo:foo_headers; //trm/foo:bar -> //trm/foo:bar_headers."""
    if ":" in label:
        return label + "_headers"
    return label + ":" + label.split("/")[-1] + "_headers"

def _is_core(label):
    return label.startswith("//trm")

def trm_cc_library(name, srcs = [], hdrs = [], deps = [], visibility = None, **kwargs):
    """A core library, plus `<name>_headers` for plugins (same headers, core deps as headers)."""
    native.cc_library(
        name = name,
        srcs = srcs,
        hdrs = hdrs,
        deps = deps,
        alwayslink = 1,
        visibility = visibility,
        **kwargs
    )
    native.cc_library(
        name = name + "_headers",
        hdrs = hdrs,
        # A core library's relative deps (":architecture" in //trm/model) are core libraries too.
        deps = [_headers_label(d) if _is_core(d) or d.startswith(":") else d for d in deps],
        visibility = visibility,
        **{k: v for k, v in kwargs.items() if k in ["defines", "includes", "copts"]}
    )

def trm_cc_proto(name, src, deps = [], visibility = None):
    """C++ code for one .proto with the system protoc: `<name>` (core) and `<name>_headers`.

    deps: other trm_cc_proto targets whose .proto files `src` imports.
    """
    base = src[:-len(".proto")]
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_src" for d in deps],
        outs = [base + ".pb.h", base + ".pb.cc"],
        cmd = "/usr/bin/protoc --proto_path=. --cpp_out=$(GENDIR) $(location %s)" % src,
    )
    native.filegroup(
        name = name + "_src",
        srcs = [src] + [d + "_src" for d in deps],
        visibility = visibility,
    )
    trm_cc_library(
        name = name,
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        copts = ["-Wno-unused-parameter"],
        deps = deps + ["@com_google_protobuf//:protobuf"],
        visibility = visibility,
    )

def trm_plugin_library(name, deps = [], **kwargs):
    """Code of a plugin, usable by its .so and by unit tests linked with //trm:host.

    Core (//trm/...) deps are replaced by their header-only twins.
    """
    native.cc_library(
        name = name,
        deps = [_headers_label(d) if _is_core(d) else d for d in deps] +
               ["//trm/plugin:plugin_api_headers"],
        alwayslink = 1,
        **kwargs
    )

def trm_plugin_proto(name, src, deps = [], visibility = None):
    """C++ code for a plugin's .proto (typically `extend trm.config.DataConfig { ... }`), linked into
    the plugin. The core protos it imports (deps: trm_cc_proto targets) stay the host's: linking a
    second copy of their descriptors into a .so would register them twice."""
    base = src[:-len(".proto")]
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_src" for d in deps],
        outs = [base + ".pb.h", base + ".pb.cc"],
        cmd = "/usr/bin/protoc --proto_path=. --cpp_out=$(GENDIR) $(location %s)" % src,
    )
    trm_plugin_library(
        name = name,
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        copts = ["-Wno-unused-parameter"],
        deps = deps + ["@com_google_protobuf//:protobuf"],
        visibility = visibility,
    )

def trm_plugin(name, srcs, deps = [], data = [], **kwargs):
    """A run-time plugin: plugins/<pkg>/libtrm_<name>.so, loaded by the tools with dlopen.

    Core (//trm/...) deps are replaced by their header-only twins; anything else is linked in.
    """
    native.cc_binary(
        name = "libtrm_" + name + ".so",
        srcs = srcs,
        deps = [_headers_label(d) if _is_core(d) else d for d in deps] +
               ["//trm/plugin:plugin_api_headers"],
        data = data,
        linkshared = 1,
        visibility = ["//visibility:public"],
        **kwargs
    )

def trm_host_binary(name, deps = [], linkopts = [], **kwargs):
    """A binary that loads plugins: links the whole core once and exports it (-rdynamic)."""
    native.cc_binary(
        name = name,
        deps = deps + ["//trm:host"],
        linkopts = linkopts + ["-rdynamic", "-ldl"],
        **kwargs
    )

def trm_host_test(name, deps = [], linkopts = [], **kwargs):
    """A test that loads plugins: linked like trm_host_binary (a default cc_test would link the core
    as shared libraries and hide -rdynamic problems)."""
    native.cc_test(
        name = name,
        deps = deps + ["//trm:host"],
        linkstatic = 1,
        linkopts = linkopts + ["-rdynamic", "-ldl"],
        **kwargs
    )
