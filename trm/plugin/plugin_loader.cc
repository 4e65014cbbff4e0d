#include "trm/plugin/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/plugin/plugin_api.h"

namespace trm {
namespace fs = std::filesystem;

absl::StatusOr<const LoadedPlugin*> PluginLoader::Load(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat("plugin ", path, ": no such file"));
  }
  const std::string canonical = fs::canonical(path, ec).string();
  for (const LoadedPlugin& plugin : plugins_) {
    if (plugin.path == canonical) return &plugin;
  }

  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    // dlerror() already names the file; keep it on one line.
    std::string error = dlerror();
    std::replace(error.begin(), error.end(), '\n', ' ');
    return absl::FailedPreconditionError(absl::StrCat("plugin ", path, ": cannot load: ", error));
  }
  auto fail = [&](absl::Status status) {
    dlclose(handle);
    return status;
  };
  dlerror();
  auto entry = reinterpret_cast<TrmPluginEntryFn>(dlsym(handle, TRM_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, ": missing entry point '", TRM_PLUGIN_ENTRY_SYMBOL,
                     "' (is it built with TRM_PLUGIN?)")));
  }
  const TrmPluginInfo* info = entry();
  if (info == nullptr) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, ": entry point returned null")));
  }
  if (info->api_version != TRM_PLUGIN_API_VERSION) {
    return fail(absl::FailedPreconditionError(absl::StrCat(
        "plugin ", path, ": plugin API version ", info->api_version, " but this host speaks ",
        TRM_PLUGIN_API_VERSION, "; rebuild the plugin against this version of trm")));
  }
  if (info->torch_version == nullptr || std::strcmp(info->torch_version, TORCH_VERSION) != 0) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, ": built against LibTorch ",
                     info->torch_version ? info->torch_version : "(unknown)", " but the host uses ",
                     TORCH_VERSION)));
  }
  if (info->cuda != TRM_PLUGIN_CUDA) {
    auto kind = [](uint32_t cuda) { return cuda ? "with CUDA" : "without CUDA"; };
    return fail(absl::FailedPreconditionError(
        absl::StrCat("plugin ", path, ": built ", kind(info->cuda), " but the host was built ",
                     kind(TRM_PLUGIN_CUDA), "; rebuild both with the same LibTorch and --config")));
  }
  const std::string name = info->name ? info->name : "";
  if (name.empty()) {
    return fail(
        absl::FailedPreconditionError(absl::StrCat("plugin ", path, ": empty plugin name")));
  }
  for (const LoadedPlugin& plugin : plugins_) {
    if (plugin.name == name) {
      return fail(absl::AlreadyExistsError(absl::StrCat("plugin ", path, ": a plugin named '", name,
                                                        "' is already loaded from ", plugin.path)));
    }
  }
  if (const char* error = info->register_all(name.c_str())) {
    // Registrations that went through before the failure stay; the host aborts on this error.
    return absl::AlreadyExistsError(absl::StrCat("plugin ", path, ": ", error));
  }
  plugins_.push_back(
      LoadedPlugin{name, info->description ? info->description : "", canonical, handle});
  return &plugins_.back();
}

std::vector<std::string> FindPluginFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator
           it(dir, fs::directory_options::follow_directory_symlink, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const std::string filename = it->path().filename().string();
    if (absl::StartsWith(filename, "libtrm_") && absl::EndsWith(filename, ".so") &&
        it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::Status PluginLoader::LoadDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("plugin directory ", dir, ": no such directory"));
  }
  for (const std::string& file : FindPluginFiles(dir)) {
    absl::StatusOr<const LoadedPlugin*> loaded = Load(file);
    if (!loaded.ok()) return loaded.status();
  }
  return absl::OkStatus();
}

absl::Status PluginLoader::LoadByNameOrPath(const std::string& name_or_path,
                                            const std::vector<std::string>& search_dirs) {
  if (absl::StrContains(name_or_path, '/') || absl::EndsWith(name_or_path, ".so")) {
    return Load(name_or_path).status();
  }
  for (const LoadedPlugin& plugin : plugins_) {
    if (plugin.name == name_or_path) return absl::OkStatus();
  }
  const std::string filename = absl::StrCat("libtrm_", name_or_path, ".so");
  for (const std::string& dir : search_dirs) {
    for (const std::string& file : FindPluginFiles(dir)) {
      if (fs::path(file).filename() == filename) return Load(file).status();
    }
  }
  return absl::NotFoundError(absl::StrCat("plugin '", name_or_path, "': no ", filename,
                                          " in the plugin directories (use --plugin_dir)"));
}

PluginLoader& GlobalPluginLoader() {
  static auto* const loader = new PluginLoader;
  return *loader;
}

std::vector<std::string> DefaultPluginDirs(const std::string& argv0) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("TRM_PLUGIN_DIR"); env != nullptr && *env != '\0') {
    dirs.push_back(env);
  }
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::Create(argv0, &error));
  if (runfiles != nullptr) {
    const std::string dir = runfiles->Rlocation("trm/plugins");
    std::error_code ec;
    if (!dir.empty() && fs::is_directory(dir, ec)) dirs.push_back(dir);
  }
  return dirs;
}

}  // namespace trm
