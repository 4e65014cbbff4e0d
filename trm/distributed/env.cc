#include "trm/distributed/env.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace trm {
namespace {

using Getenv = std::function<const char*(const char*)>;

bool IsSet(const Getenv& getenv, const char* name) {
  const char* text = getenv(name);
  return text != nullptr && *text != '\0';
}

template <typename Int>
absl::Status ParseInt(const Getenv& getenv, const char* name, Int min_value, Int* value) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return absl::OkStatus();
  if (!absl::SimpleAtoi(text, value) || *value < min_value) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, "='", text,
                                                   "' is not an integer >= ", min_value));
  }
  return absl::OkStatus();
}

absl::Status NotSetInStep(const char* name) {
  return absl::InvalidArgumentError(
      absl::StrCat("environment: ", name, " is not set in an srun step (SLURM_STEP_ID is set)"));
}

// Like ParseInt, for a variable that srun always sets.
template <typename Int>
absl::Status ParseSlurmInt(const Getenv& getenv, const char* name, Int min_value, Int* value) {
  if (!IsSet(getenv, name)) return NotSetInStep(name);
  return ParseInt(getenv, name, min_value, value);
}

// The first of two variables that is set (Slurm's step-level one, then its job-level one).
const char* FirstSet(const Getenv& getenv, const char* name, const char* fallback) {
  return IsSet(getenv, name) ? name : fallback;
}

absl::Status CheckPort(int port) {
  if (port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment variable MASTER_PORT=", port, " is not a port"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DistributedEnv> FromTorchrun(const Getenv& getenv) {
  DistributedEnv env;
  if (absl::Status s = ParseInt(getenv, "RANK", 0, &env.rank); !s.ok()) return s;
  if (absl::Status s = ParseInt(getenv, "WORLD_SIZE", 1, &env.world_size); !s.ok()) return s;
  env.local_rank = env.rank;
  if (absl::Status s = ParseInt(getenv, "LOCAL_RANK", 0, &env.local_rank); !s.ok()) return s;
  if (absl::Status s = ParseInt(getenv, "MASTER_PORT", 1, &env.master_port); !s.ok()) return s;
  if (absl::Status s = CheckPort(env.master_port); !s.ok()) return s;
  if (env.rank >= env.world_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment: RANK=", env.rank, " is not below WORLD_SIZE=", env.world_size));
  }
  // A stray LOCAL_WORLD_SIZE does not make one process share the machine.
  if (env.world_size == 1) return env;
  env.local_world_size = env.world_size;
  if (absl::Status s = ParseInt(getenv, "LOCAL_WORLD_SIZE", 1, &env.local_world_size); !s.ok()) {
    return s;
  }
  if (env.local_rank >= env.local_world_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("environment: LOCAL_RANK=", env.local_rank,
                     " is not below LOCAL_WORLD_SIZE=", env.local_world_size));
  }
  if (IsSet(getenv, "MASTER_ADDR")) {
    env.master_addr = getenv("MASTER_ADDR");
  } else if (getenv("MASTER_PORT") == nullptr) {
    return absl::InvalidArgumentError(
        "environment: WORLD_SIZE > 1 needs MASTER_ADDR and MASTER_PORT (as torchrun sets them)");
  }
  if (const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE"); agent != nullptr) {
    env.agent_hosts_store = std::string(agent) == "True" || std::string(agent) == "1";
  }
  return env;
}

absl::StatusOr<DistributedEnv> FromSlurmStep(const Getenv& getenv) {
  DistributedEnv env;
  const char* world_name = FirstSet(getenv, "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS");
  if (absl::Status s = ParseSlurmInt(getenv, "SLURM_PROCID", 0, &env.rank); !s.ok()) return s;
  if (absl::Status s = ParseSlurmInt(getenv, world_name, 1, &env.world_size); !s.ok()) return s;
  if (env.rank >= env.world_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "environment: SLURM_PROCID=", env.rank, " is not below ", world_name, "=", env.world_size));
  }
  if (env.world_size == 1) return env;

  if (absl::Status s = ParseSlurmInt(getenv, "SLURM_LOCALID", 0, &env.local_rank); !s.ok()) {
    return s;
  }
  int node = 0;
  if (absl::Status s = ParseSlurmInt(getenv, "SLURM_NODEID", 0, &node); !s.ok()) return s;
  const char* tasks_name = FirstSet(getenv, "SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE");
  if (!IsSet(getenv, tasks_name)) return NotSetInStep(tasks_name);
  absl::StatusOr<int> tasks = TasksOnNode(getenv(tasks_name), node);
  if (!tasks.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", tasks_name, "='",
                                                   getenv(tasks_name),
                                                   "': ", tasks.status().message()));
  }
  env.local_world_size = *tasks;
  if (env.local_rank >= env.local_world_size) {
    return absl::InvalidArgumentError(absl::StrCat("environment: SLURM_LOCALID=", env.local_rank,
                                                   " is not below ", tasks_name, "[", node,
                                                   "]=", env.local_world_size));
  }

  if (IsSet(getenv, "MASTER_ADDR")) {
    env.master_addr = getenv("MASTER_ADDR");
  } else {
    const char* nodes_name = FirstSet(getenv, "SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST");
    if (!IsSet(getenv, nodes_name)) return NotSetInStep(nodes_name);
    absl::StatusOr<std::string> host = FirstHostOfHostlist(getenv(nodes_name));
    if (!host.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", nodes_name, "='",
                                                     getenv(nodes_name),
                                                     "': ", host.status().message()));
    }
    env.master_addr = *host;
  }
  if (IsSet(getenv, "MASTER_PORT")) {
    if (absl::Status s = ParseInt(getenv, "MASTER_PORT", 1, &env.master_port); !s.ok()) return s;
    if (absl::Status s = CheckPort(env.master_port); !s.ok()) return s;
  } else {
    int64_t job = 0;
    int64_t step = 0;
    if (absl::Status s = ParseSlurmInt(getenv, "SLURM_JOB_ID", int64_t{0}, &job); !s.ok()) {
      return s;
    }
    if (absl::Status s = ParseSlurmInt(getenv, "SLURM_STEP_ID", int64_t{0}, &step); !s.ok()) {
      return s;
    }
    env.master_port = static_cast<int>(15000 + (10 * job + step) % 17000);
  }
  return env;
}

// "01-04" or "7": checks the form, returns the first number as written (keeping its zeros).
absl::StatusOr<absl::string_view> FirstOfRanges(absl::string_view ranges) {
  absl::string_view first;
  for (absl::string_view range : absl::StrSplit(ranges, ',')) {
    const std::vector<absl::string_view> ends = absl::StrSplit(range, '-');
    for (absl::string_view end : ends) {
      if (end.empty() || ends.size() > 2 ||
          !std::all_of(end.begin(), end.end(), absl::ascii_isdigit)) {
        return absl::InvalidArgumentError(absl::StrCat("bad range '", range, "'"));
      }
    }
    if (first.empty()) first = ends[0];
  }
  return first;
}

}  // namespace

absl::StatusOr<std::string> FirstHostOfHostlist(absl::string_view hostlist) {
  std::string host;
  size_t i = 0;
  while (i < hostlist.size() && hostlist[i] != ',') {
    if (hostlist[i] == ']') return absl::InvalidArgumentError("']' without '['");
    if (hostlist[i] != '[') {
      host += hostlist[i++];
      continue;
    }
    const size_t close = hostlist.find(']', i);
    if (close == absl::string_view::npos) return absl::InvalidArgumentError("'[' without ']'");
    absl::StatusOr<absl::string_view> first = FirstOfRanges(hostlist.substr(i + 1, close - i - 1));
    if (!first.ok()) return first.status();
    absl::StrAppend(&host, *first);
    i = close + 1;
  }
  if (host.empty()) return absl::InvalidArgumentError("no host name");
  return host;
}

absl::StatusOr<int> TasksOnNode(absl::string_view tasks_per_node, int node) {
  int found = 0;
  int64_t first_node = 0;  // of the current entry
  for (absl::string_view entry : absl::StrSplit(tasks_per_node, ',')) {
    int tasks = 0;
    int repeat = 1;
    const size_t open = entry.find("(x");
    bool ok = absl::SimpleAtoi(entry.substr(0, open), &tasks) && tasks >= 1;
    if (ok && open != absl::string_view::npos) {
      ok = absl::EndsWith(entry, ")") &&
           absl::SimpleAtoi(entry.substr(open + 2, entry.size() - open - 3), &repeat) &&
           repeat >= 1;
    }
    if (!ok) return absl::InvalidArgumentError(absl::StrCat("bad entry '", entry, "'"));
    if (node >= first_node && node < first_node + repeat) found = tasks;
    first_node += repeat;
  }
  if (found == 0) return absl::InvalidArgumentError(absl::StrCat("no entry for node ", node));
  return found;
}

absl::StatusOr<DistributedEnv> DistributedEnvFrom(const Getenv& getenv) {
  const bool has_rank = getenv("RANK") != nullptr;
  const bool has_world = getenv("WORLD_SIZE") != nullptr;
  if (has_rank != has_world) {
    return absl::InvalidArgumentError(
        "environment: RANK and WORLD_SIZE must be set together (torchrun sets both)");
  }
  if (!has_rank && IsSet(getenv, "SLURM_STEP_ID")) return FromSlurmStep(getenv);
  return FromTorchrun(getenv);
}

absl::StatusOr<DistributedEnv> DistributedEnvFromEnvironment() {
  return DistributedEnvFrom([](const char* name) { return std::getenv(name); });
}

}  // namespace trm
