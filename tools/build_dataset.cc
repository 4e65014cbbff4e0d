// Builds a dataset from raw task files with the experiment's dataset builder (data.builder):
//
//   bazel run //tools:build_dataset -- --experiment=arc2_trm [--out=DIR] [--task_dir=DIR]
//       [--threads=N] [--overwrite] [--set data.num_aug=100]
//
// The output appears only when complete (built in a hidden sibling folder, then renamed); an
// existing dataset is never replaced without --overwrite; Ctrl-C leaves nothing behind.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/dataset_building.h"
#include "trm/app/app.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"
#include "trm/data/dataset_paths.h"

ABSL_FLAG(std::string, out, "",
          "Dataset folder to create (default: the experiment's data.path under --data_root).");
ABSL_FLAG(std::string, data_root, "",
          "Folder that relative data.path values live in (default: $TRM_DATA_ROOT, else "
          "<workspace>/runs/data).");
ABSL_FLAG(
    std::string, task_dir, "",
    "Folder of the raw task files (default: data.task_dir, else the builder's own default).");
ABSL_FLAG(bool, overwrite, false,
          "Replace an existing dataset folder (atomically, once the new one is complete).");
ABSL_FLAG(bool, progress, true, "Show progress on stderr.");
ABSL_DECLARE_FLAG(int, threads);

namespace {

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted = true; }

// A one-line progress bar, redrawn at most 10 times a second on a terminal; on a pipe, one line
// per stage and every 10%.
class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressBar() : tty_(isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}

  void Update(const std::string& stage, int64_t done, int64_t total) {
    const auto now = Clock::now();
    const int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
    if (tty_) {
      if (stage == stage_ && done < total && now - last_draw_ < std::chrono::milliseconds(100))
        return;
      constexpr int kWidth = 30;
      const int filled = kWidth * percent / 100;
      std::fprintf(stderr, "\r%-8s [%s%s] %3d%%  %s / %s  %.1f s   ", stage.c_str(),
                   std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
                   percent, Count(done).c_str(), Count(total).c_str(), Seconds(now));
      if (done >= total) std::fprintf(stderr, "\n");
      last_draw_ = now;
    } else {
      if (stage == stage_ && percent / 10 == last_decile_) return;
      std::fprintf(stderr, "%s: %d%% (%s / %s) %.1f s\n", stage.c_str(), percent,
                   Count(done).c_str(), Count(total).c_str(), Seconds(now));
      last_decile_ = percent / 10;
    }
    stage_ = stage;
  }

  double Seconds(Clock::time_point now = Clock::now()) const {
    return std::chrono::duration<double>(now - start_).count();
  }

 private:
  static std::string Count(int64_t n) {
    if (n >= 1000000) return absl::StrFormat("%.2fM", n / 1e6);
    if (n >= 10000) return absl::StrFormat("%.1fk", n / 1e3);
    return absl::StrCat(n);
  }

  bool tty_;
  Clock::time_point start_, last_draw_;
  std::string stage_;
  int last_decile_ = -1;
};

uint64_t FolderBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += entry.file_size(ec);
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Builds a dataset: build_dataset --experiment=NAME [--out=DIR] [--task_dir=DIR] "
                "[--threads=N] [--overwrite] [--set data.num_aug=100]");
  const trm::config::Experiment experiment = trm::ExperimentFromFlagsOrDie();
  const trm::config::DataConfig& data = experiment.data();

  trm::DatasetBuildOptions options;
  options.output_dir = absl::GetFlag(FLAGS_out).empty()
                           ? trm::ResolveDatasetPath(data.path(), absl::GetFlag(FLAGS_data_root))
                           : trm::ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (options.output_dir.empty()) {
    trm::Die(absl::InvalidArgumentError(
        "no output folder: pass --out or set data.path in the experiment"));
  }
  options.overwrite = absl::GetFlag(FLAGS_overwrite);
  options.num_threads = absl::GetFlag(FLAGS_threads) > 0
                            ? absl::GetFlag(FLAGS_threads)
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ProgressBar bar;
  if (absl::GetFlag(FLAGS_progress)) {
    options.progress = [&bar](const std::string& stage, int64_t done, int64_t total) {
      bar.Update(stage, done, total);
    };
  }
  options.cancelled = &g_interrupted;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  std::cerr << "building " << options.output_dir << " with builder '" << data.builder() << "' and "
            << options.num_threads << " thread(s)" << std::endl;
  auto summary = trm::BuildExperimentDataset(data, absl::GetFlag(FLAGS_task_dir), options);
  if (!summary.ok()) {
    if (summary.status().code() == absl::StatusCode::kCancelled) {
      trm::Die(absl::CancelledError("interrupted; nothing was written"));
    }
    trm::Die(summary.status());
  }
  std::cout << trm::DescribeBuild(*summary);
  std::cout << absl::StrFormat("wrote %s (%.2f GB) in %.1f s\n", options.output_dir,
                               FolderBytes(options.output_dir) / 1e9, bar.Seconds());
  return 0;
}
