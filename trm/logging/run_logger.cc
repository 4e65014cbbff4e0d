#include "trm/logging/run_logger.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "trm/base/file_util.h"
#include "trm/base/strings.h"

namespace trm {
namespace {

// Metrics shown on the console, in this order, with short labels.
constexpr std::pair<const char*, const char*> kConsoleMetrics[] = {
    {"train/lm_loss", "loss"}, {"train/accuracy", "acc"}, {"train/exact_accuracy", "exact"},
    {"train/steps", "act"},    {"train/lr", "lr"},
};

std::string JsonLine(int64_t step, const std::map<std::string, double>& metrics) {
  nlohmann::ordered_json line;
  line["step"] = step;
  line["time"] =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& [key, value] : metrics) {
    if (std::isfinite(value)) {
      line[key] = value;
    } else {
      line[key] = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    }
  }
  return line.dump();
}

// Keeps the lines of `path` whose step is <= `step` (a resumed run rewrites what follows).
absl::Status TruncateJsonLines(const std::string& path, int64_t step) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string kept, line;
  while (std::getline(in, line)) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded()) break;  // a torn last line from a killed run
    if (record.contains("step") && record["step"].is_number_integer() &&
        record["step"].get<int64_t>() > step) {
      continue;
    }
    kept += line + "\n";
  }
  return WriteFileAtomically(path, kept);
}

}  // namespace

RunLogger::RunLogger(const RunLoggerOptions& options) : options_(options) {}

RunLogger::~RunLogger() {
  EndProgressLine();
  if (jsonl_ != nullptr) std::fclose(jsonl_);
  if (events_ != nullptr) events_->Flush().IgnoreError();
}

absl::StatusOr<std::unique_ptr<RunLogger>> RunLogger::Create(const RunLoggerOptions& options) {
  std::unique_ptr<RunLogger> logger(new RunLogger(options));
  logger->terminal_ =
      options.is_terminal.has_value() ? *options.is_terminal : isatty(fileno(options.console)) == 1;
  if (options.dir.empty()) return logger;
  std::error_code error;
  std::filesystem::create_directories(options.dir, error);
  if (error) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", options.dir, ": ", error.message()));
  }
  if (options.jsonl) {
    const std::string path = options.dir + "/metrics.jsonl";
    if (options.resumed_at_step.has_value()) {
      if (absl::Status s = TruncateJsonLines(path, *options.resumed_at_step); !s.ok()) return s;
    }
    logger->jsonl_ = std::fopen(path.c_str(), "a");
    if (logger->jsonl_ == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat("cannot open ", path));
    }
  }
  if (options.tensorboard) {
    absl::StatusOr<std::unique_ptr<EventWriter>> events =
        EventWriter::Create(options.dir + "/tensorboard");
    if (!events.ok()) return events.status();
    logger->events_ = *std::move(events);
    if (options.resumed_at_step.has_value()) {
      if (absl::Status s = logger->events_->AddRestart(*options.resumed_at_step + 1); !s.ok())
        return s;
    }
  }
  return logger;
}

absl::Status RunLogger::WriteFiles(int64_t step, const std::map<std::string, double>& metrics) {
  if (jsonl_ != nullptr) {
    const std::string line = JsonLine(step, metrics) + "\n";
    if (std::fputs(line.c_str(), jsonl_) < 0) {
      return absl::DataLossError(absl::StrCat("cannot write ", options_.dir, "/metrics.jsonl"));
    }
  }
  if (events_ != nullptr) {
    for (const auto& [key, value] : metrics) {
      if (absl::Status s = events_->AddScalar(key, value, step); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

std::string RunLogger::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t total = static_cast<int64_t>(std::llround(seconds));
  return absl::StrFormat("%d:%02d:%02d", total / 3600, (total / 60) % 60, total % 60);
}

absl::Status RunLogger::LogTrain(int64_t step, const std::map<std::string, double>& metrics) {
  if (absl::Status s = WriteFiles(step, metrics); !s.ok()) return s;
  recent_.push_back(metrics);
  while (static_cast<int>(recent_.size()) > std::max(1, options_.log_every)) recent_.pop_front();
  const auto now = std::chrono::steady_clock::now();
  if (!first_step_.has_value()) first_step_ = std::make_pair(step - 1, now);
  const double elapsed = std::chrono::duration<double>(now - first_step_->second).count();
  const int64_t done = step - first_step_->first;
  // The first step includes start-up costs; the rate is meaningful from the second one on.
  const double rate = (done > 1 && elapsed > 0) ? static_cast<double>(done) / elapsed : 0.0;
  const bool due = terminal_ || (options_.log_every > 0 && step % options_.log_every == 0) ||
                   step == options_.total_steps;
  if (!due) return absl::OkStatus();

  std::string line;
  if (options_.total_steps > 0) {
    const double fraction = std::min(1.0, static_cast<double>(step) / options_.total_steps);
    if (terminal_) {
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(fraction * kWidth);
      line += "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
    }
    line += absl::StrFormat("step %d/%d (%.1f%%)", step, options_.total_steps, 100 * fraction);
  } else {
    line += absl::StrCat("step ", step);
  }
  for (const auto& [key, label] : kConsoleMetrics) {
    const std::string name = key;
    const bool per_row = !absl::EndsWith(name, "loss") && name != "train/lr";
    double sum = 0;
    int n = 0;
    for (const auto& step_metrics : recent_) {
      auto it = step_metrics.find(name);
      if (it == step_metrics.end()) continue;
      if (per_row) {
        auto count = step_metrics.find("train/count");
        if (count != step_metrics.end() && count->second <= 0) continue;
      }
      sum += it->second;
      ++n;
    }
    if (n == 0) continue;
    line += name == "train/lr" ? absl::StrFormat(" | %s %.3g", label, metrics.at(name))
                               : absl::StrFormat(" | %s %.4f", label, sum / n);
  }
  if (rate > 0) {
    line += absl::StrFormat(" | %.2f steps/s", rate);
    if (options_.total_steps > step) {
      line += " | ETA " + FormatDuration((options_.total_steps - step) / rate);
    }
  }
  if (terminal_) {
    std::fprintf(options_.console, "\r\033[K%s", line.c_str());
    progress_line_open_ = true;
  } else {
    std::fprintf(options_.console, "%s\n", line.c_str());
  }
  std::fflush(options_.console);
  return absl::OkStatus();
}

absl::Status RunLogger::LogEval(int64_t step, const std::map<std::string, double>& metrics) {
  if (absl::Status s = WriteFiles(step, metrics); !s.ok()) return s;
  std::string line = absl::StrCat("eval at step ", step);
  std::vector<std::string> names;
  for (const auto& entry : metrics) names.push_back(entry.first);
  std::sort(names.begin(), names.end(), NaturalLess);
  for (const std::string& name : names)
    line += absl::StrFormat(" | %s %.4f", name, metrics.at(name));
  Info(line);
  return Flush();
}

void RunLogger::EndProgressLine() {
  if (progress_line_open_) {
    std::fputc('\n', options_.console);
    progress_line_open_ = false;
  }
}

void RunLogger::Info(const std::string& message) {
  EndProgressLine();
  std::fprintf(options_.console, "%s\n", message.c_str());
  std::fflush(options_.console);
}

absl::Status RunLogger::Flush() {
  if (jsonl_ != nullptr && std::fflush(jsonl_) != 0) {
    return absl::DataLossError(absl::StrCat("cannot flush ", options_.dir, "/metrics.jsonl"));
  }
  if (events_ != nullptr) return events_->Flush();
  return absl::OkStatus();
}

}  // namespace trm
