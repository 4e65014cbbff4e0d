// Where a training run reports: a progress bar on a terminal (plain lines in logs), metrics as
// JSON lines (metrics.jsonl), and TensorBoard event files (tensorboard/). Only rank 0 logs.
#ifndef TRM_LOGGING_RUN_LOGGER_H_
#define TRM_LOGGING_RUN_LOGGER_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "trm/logging/event_writer.h"

namespace trm {

struct RunLoggerOptions {
  // Run folder; metrics.jsonl and tensorboard/ go here. Empty = console only.
  std::string dir;
  bool jsonl = true;
  bool tensorboard = true;
  // Plain progress line every this many steps when the console is not a terminal.
  int log_every = 10;
  int64_t total_steps = 0;
  // Console stream (stderr by default) and whether it is a terminal (nullopt = ask isatty).
  std::FILE* console = stderr;
  std::optional<bool> is_terminal;
  // A resumed run: drop metrics of later steps from metrics.jsonl and tell TensorBoard.
  std::optional<int64_t> resumed_at_step;
};

class RunLogger {
 public:
  static absl::StatusOr<std::unique_ptr<RunLogger>> Create(const RunLoggerOptions& options);
  ~RunLogger();

  // Metrics of one optimizer step ("train/lm_loss", ...): files every step, console throttled.
  // The console shows means over the last `log_every` steps; per-row metrics (accuracy, ...) only
  // average the steps in which some row halted (train/count > 0), as other steps carry none.
  absl::Status LogTrain(int64_t step, const std::map<std::string, double>& metrics);
  // Evaluation metrics: files, and one console line.
  absl::Status LogEval(int64_t step, const std::map<std::string, double>& metrics);
  // A message line (does not break the progress bar).
  void Info(const std::string& message);
  // Makes everything written so far durable (before a checkpoint).
  absl::Status Flush();

  // "1:02:03" for seconds.
  static std::string FormatDuration(double seconds);

 private:
  explicit RunLogger(const RunLoggerOptions& options);
  absl::Status WriteFiles(int64_t step, const std::map<std::string, double>& metrics);
  void EndProgressLine();

  RunLoggerOptions options_;
  bool terminal_ = false;
  bool progress_line_open_ = false;
  std::FILE* jsonl_ = nullptr;
  std::unique_ptr<EventWriter> events_;
  // Steps/s over the steps since this logger started (a resumed run measures its own pace).
  std::optional<std::pair<int64_t, std::chrono::steady_clock::time_point>> first_step_;
  std::deque<std::map<std::string, double>> recent_;
};

}  // namespace trm

#endif  // TRM_LOGGING_RUN_LOGGER_H_
