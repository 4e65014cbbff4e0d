#include "trm/distributed/env.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace trm {
namespace {

absl::Status ParseInt(const std::function<const char*(const char*)>& getenv, const char* name,
                      int min_value, int* value) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return absl::OkStatus();
  if (!absl::SimpleAtoi(text, value) || *value < min_value) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, "='", text,
                                                   "' is not an integer >= ", min_value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DistributedEnv> DistributedEnvFrom(
    const std::function<const char*(const char*)>& getenv) {
  DistributedEnv env;
  const bool has_rank = getenv("RANK") != nullptr;
  const bool has_world = getenv("WORLD_SIZE") != nullptr;
  if (has_rank != has_world) {
    return absl::InvalidArgumentError(
        "environment: RANK and WORLD_SIZE must be set together (torchrun sets both)");
  }
  if (absl::Status s = ParseInt(getenv, "RANK", 0, &env.rank); !s.ok()) return s;
  if (absl::Status s = ParseInt(getenv, "WORLD_SIZE", 1, &env.world_size); !s.ok()) return s;
  env.local_rank = env.rank;
  if (absl::Status s = ParseInt(getenv, "LOCAL_RANK", 0, &env.local_rank); !s.ok()) return s;
  if (absl::Status s = ParseInt(getenv, "MASTER_PORT", 1, &env.master_port); !s.ok()) return s;
  if (env.master_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable MASTER_PORT=", env.master_port, " is not a port"));
  }
  if (env.rank >= env.world_size) {
    return absl::InvalidArgumentError(absl::StrCat("environment: RANK=", env.rank,
                                                   " is not below WORLD_SIZE=", env.world_size));
  }
  if (const char* addr = getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') {
    env.master_addr = addr;
  } else if (env.world_size > 1 && getenv("MASTER_PORT") == nullptr) {
    return absl::InvalidArgumentError(
        "environment: WORLD_SIZE > 1 needs MASTER_ADDR and MASTER_PORT (as torchrun sets them)");
  }
  if (const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE"); agent != nullptr) {
    env.agent_hosts_store = std::string(agent) == "True" || std::string(agent) == "1";
  }
  return env;
}

absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment() {
  return DistributedEnvFrom([](const char* name) { return std::getenv(name); });
}

}  // namespace trm
