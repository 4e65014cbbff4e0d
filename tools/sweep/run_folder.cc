#include "tools/sweep/run_folder.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "trm/base/file_util.h"
#include "trm/train/checkpoint_dir.h"

namespace trm::sweep {
namespace {

constexpr char kLockName[] = ".sweep.lock";
constexpr const char* kStateNames[] = {"pending", "running", "stopped", "done", "failed"};

std::optional<RunState> StateFromName(const std::string& name) {
  for (int i = 0; i < 5; ++i) {
    if (name == kStateNames[i]) return static_cast<RunState>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* RunStateName(RunState state) { return kStateNames[static_cast<int>(state)]; }

absl::StatusOr<RunRecord> RunFolder::Read() const {
  RunRecord record;
  std::error_code error;
  if (!std::filesystem::exists(record_path(), error)) {
    if (IsLocked()) record.state = RunState::kRunning;
    return record;
  }
  absl::StatusOr<std::string> text = ReadFileToString(record_path());
  if (!text.ok()) return text.status();
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  std::optional<RunState> state;
  if (json.is_object() && json.contains("state") && json["state"].is_string())
    state = StateFromName(json["state"].get<std::string>());
  if (!state.has_value()) {
    return absl::DataLossError(absl::StrCat(record_path(), ": not a sweep run record"));
  }
  record.state = *state;
  record.attempts = json.value("attempts", 0);
  record.exit_code = json.value("exit_code", 0);
  record.host = json.value("host", "");
  record.executor = json.value("executor", "");
  record.started = json.value("started", 0.0);
  record.finished = json.value("finished", 0.0);
  record.wall_seconds = json.value("wall_seconds", 0.0);
  record.error = json.value("error", "");
  if (IsLocked()) {
    record.state = RunState::kRunning;
  } else if (record.state == RunState::kRunning) {
    record.state = RunState::kStopped;
  }
  return record;
}

absl::Status RunFolder::Write(const RunRecord& record) const {
  nlohmann::json json = {
      {"state", RunStateName(record.state)}, {"attempts", record.attempts},
      {"exit_code", record.exit_code},       {"host", record.host},
      {"executor", record.executor},         {"started", record.started},
      {"finished", record.finished},         {"wall_seconds", record.wall_seconds},
      {"error", record.error},
  };
  return WriteFileAtomically(record_path(), json.dump(2) + "\n");
}

absl::StatusOr<std::unique_ptr<FolderLock>> RunFolder::Lock() const {
  FolderLock::Options options;
  options.inheritable = true;
  options.what = "sweep run folder";
  return FolderLock::Acquire(path_, kLockName, options);
}

bool RunFolder::IsLocked() const { return FolderLock::IsHeld(path_, kLockName); }

std::optional<int64_t> RunFolder::LatestCheckpointStep() const {
  absl::StatusOr<std::vector<int64_t>> steps =
      CheckpointDir(path_ + "/checkpoints").CompletedSteps();
  if (!steps.ok() || steps->empty()) return std::nullopt;
  return steps->back();
}

std::optional<int64_t> RunFolder::LastLoggedStep() const {
  std::ifstream in(metrics_path());
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  nlohmann::json json = nlohmann::json::parse(last, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("step") || !json["step"].is_number_integer())
    return std::nullopt;
  return json["step"].get<int64_t>();
}

}  // namespace trm::sweep
