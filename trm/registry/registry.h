// Typed registries of named factories (in the spirit of c10's Registry and OpenSpiel's game
// registry). Every kind of pluggable object (architectures, losses, optimizers, ...) has exactly
// one registry instance per process, defined in the core with TRM_DEFINE_REGISTRY and reached by
// plugins through the declared accessor, which binds to the host's definition at dlopen time.
//
//   // foo.h (core)
//   TRM_DECLARE_REGISTRY(FooRegistry, Foo, const config::FooConfig&);
//   // foo.cc (core)
//   TRM_DEFINE_REGISTRY(FooRegistry, "foos", Foo, const config::FooConfig&);
//   // a plugin
//   TRM_REGISTER_CLASS(FooRegistry, "my_foo", MyFoo, "what it does");
//   // anywhere
//   absl::StatusOr<std::unique_ptr<Foo>> foo = FooRegistry().Create("my_foo", config);
#ifndef TRM_REGISTRY_REGISTRY_H_
#define TRM_REGISTRY_REGISTRY_H_

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace trm {

// What every registry can say about itself, for `--list_plugins`.
class RegistryBase {
 public:
  struct EntryInfo {
    std::string name;
    std::string description;
    std::string origin;  // plugin that registered it ("" = built into the host)
  };

  explicit RegistryBase(std::string kind);
  virtual ~RegistryBase() = default;
  RegistryBase(const RegistryBase&) = delete;
  RegistryBase& operator=(const RegistryBase&) = delete;

  const std::string& kind() const { return kind_; }
  virtual std::vector<EntryInfo> Entries() const = 0;
  std::vector<std::string> Keys() const;

  // What asking for an unregistered `name` reports: NotFound with the closest names ("did you
  // mean") and everything registered.
  absl::Status UnknownNameError(const std::string& name) const;

 private:
  std::string kind_;
};

// Every registry defined in this process, in definition order.
std::vector<RegistryBase*> AllRegistries();

template <class Object, class... Args>
class Registry final : public RegistryBase {
 public:
  using Factory = std::function<std::unique_ptr<Object>(Args...)>;

  using RegistryBase::RegistryBase;

  // Fails (AlreadyExists) when `name` is taken: two plugins may not claim the same name.
  absl::Status Register(const std::string& name, Factory factory, std::string description = "",
                        std::string origin = "") {
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("empty ", kind(), " name"));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(name);
    if (it != entries_.end()) {
      return absl::AlreadyExistsError(absl::StrCat(kind(), " '", name, "' is registered twice (by ",
                                                   Describe(it->second.origin), " and by ",
                                                   Describe(origin), ")"));
    }
    entries_.emplace(name, Entry{std::move(factory), std::move(description), std::move(origin)});
    return absl::OkStatus();
  }

  bool Has(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.count(name) > 0;
  }

  // NotFound lists what is registered, with a "did you mean" hint.
  absl::StatusOr<std::unique_ptr<Object>> Create(const std::string& name, Args... args) const {
    Factory factory;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(name);
      if (it != entries_.end()) factory = it->second.factory;
    }
    if (!factory) return UnknownNameError(name);
    // Factories reject bad configs by throwing (constructors cannot return a Status); the
    // message becomes an InvalidArgument error naming the entry, on one line.
    std::unique_ptr<Object> object;
    try {
      object = factory(std::forward<Args>(args)...);
    } catch (const std::exception& e) {
      std::string message = e.what();
      message = message.substr(0, message.find('\n'));
      return absl::InvalidArgumentError(absl::StrCat(kind(), " '", name, "': ", message));
    }
    if (object == nullptr) {
      return absl::InternalError(
          absl::StrCat("factory of ", kind(), " '", name, "' returned null"));
    }
    return object;
  }

  std::vector<EntryInfo> Entries() const override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<EntryInfo> out;
    for (const auto& [name, entry] : entries_)
      out.push_back({name, entry.description, entry.origin});
    return out;
  }

 private:
  struct Entry {
    Factory factory;
    std::string description;
    std::string origin;
  };

  static std::string Describe(const std::string& origin) {
    return origin.empty() ? std::string("the host") : absl::StrCat("plugin '", origin, "'");
  }

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace trm

// Declares the accessor of a registry of `Object`s created from `Args...`.
#define TRM_DECLARE_REGISTRY(Accessor, Object, ...) \
  ::trm::Registry<Object, ##__VA_ARGS__>& Accessor()

// Defines the accessor (once, in a core .cc). The registry is listed from program start.
#define TRM_DEFINE_REGISTRY(Accessor, kind, Object, ...)                            \
  ::trm::Registry<Object, ##__VA_ARGS__>& Accessor() {                              \
    static auto* const registry = new ::trm::Registry<Object, ##__VA_ARGS__>(kind); \
    return *registry;                                                               \
  }                                                                                 \
  [[maybe_unused]] static const bool trm_registry_listed_##Accessor = (Accessor(), true)

#endif  // TRM_REGISTRY_REGISTRY_H_
