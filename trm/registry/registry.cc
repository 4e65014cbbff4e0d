#include "trm/registry/registry.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "trm/base/strings.h"

namespace trm {
namespace {

struct Index {
  std::mutex mu;
  std::vector<RegistryBase*> registries;
};

Index& GlobalIndex() {
  static auto* const index = new Index;
  return *index;
}

}  // namespace

RegistryBase::RegistryBase(std::string kind) : kind_(std::move(kind)) {
  Index& index = GlobalIndex();
  std::lock_guard<std::mutex> lock(index.mu);
  index.registries.push_back(this);
}

std::vector<std::string> RegistryBase::Keys() const {
  std::vector<std::string> keys;
  for (const EntryInfo& entry : Entries()) keys.push_back(entry.name);
  return keys;
}

absl::Status RegistryBase::UnknownNameError(const std::string& name) const {
  const std::vector<std::string> keys = Keys();
  return absl::NotFoundError(absl::StrCat(
      "unknown ", kind(), " '", name, "'", DidYouMean(name, keys), "; registered: ",
      keys.empty() ? std::string("none (no plugin provides one; see --list_plugins)")
                   : absl::StrJoin(keys, ", ")));
}

std::vector<RegistryBase*> AllRegistries() {
  Index& index = GlobalIndex();
  std::lock_guard<std::mutex> lock(index.mu);
  return index.registries;
}

}  // namespace trm
