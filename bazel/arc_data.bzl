"""@arc_data: the ARC task files (Kaggle "combined" JSON), for tests and tools.

Looks in $TRM_ARC_DIR, then in ../shared/data/arc beside the workspace. The files are symlinked,
never copied into the repository. When neither exists the repository is empty and the tests that
need real tasks fail with a message saying where the files were looked for.
"""

def _arc_data_impl(ctx):
    workspace = ctx.path(Label("@//:WORKSPACE")).dirname
    candidates = []
    if ctx.os.environ.get("TRM_ARC_DIR"):
        candidates.append(ctx.os.environ["TRM_ARC_DIR"])
    candidates.append(str(workspace) + "/../shared/data/arc")
    found = ""
    for candidate in candidates:
        path = ctx.path(candidate)
        if path.exists:
            found = str(path)
            for f in path.readdir():
                if f.basename.endswith(".json"):
                    ctx.symlink(f, f.basename)
            break
    ctx.file("BUILD", """package(default_visibility = ["//visibility:public"])

# Searched: {searched}; found: {found}
filegroup(
    name = "tasks",
    srcs = glob(["*.json"]),
)
""".format(searched = ", ".join(candidates), found = found or "nothing"))

arc_data_repository = repository_rule(
    implementation = _arc_data_impl,
    environ = ["TRM_ARC_DIR"],
    local = True,
)
