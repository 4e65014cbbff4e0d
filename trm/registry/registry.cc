#include "trm/registry/registry.h"

#include <mutex>

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

std::vector<RegistryBase*> AllRegistries() {
  Index& index = GlobalIndex();
  std::lock_guard<std::mutex> lock(index.mu);
  return index.registries;
}

}  // namespace trm
