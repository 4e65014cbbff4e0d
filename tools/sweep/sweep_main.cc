// Ablation sweeps: one spec (experiments/sweeps/NAME.textproto), many training runs, locally or
// on Slurm, resumable, with a report.
//
//   bazel run //tools:sweep -- --sweep=trm_ablations_cpu --dry_run     # the plan, validated
//   bazel run //tools:sweep -- --sweep=trm_ablations_cpu --parallel=2  # run (or resume) locally
//   bazel run //tools:sweep -- --sweep=trm_ablations_cpu --status      # done/running/failed/...
//   bazel run //tools:sweep -- --sweep=trm_ablations_cpu --report      # CSV, Markdown, HTML
//   bazel run //tools:sweep -- --sweep=NAME --executor=slurm --slurm_partition=gpu
//
// Every run lives in <sweep_dir>/runs/<run>/ (its merged experiment.textproto, the trainer's
// files, log.txt, sweep_run.json). Running the same command again skips finished runs, resumes
// interrupted and failed ones from their last checkpoint, and starts the rest.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "tools/sweep/report.h"
#include "tools/sweep/run_executor.h"
#include "tools/sweep/run_folder.h"
#include "tools/sweep/slurm.h"
#include "tools/sweep/sweep_spec.h"
#include "trm/app/app.h"
#include "trm/base/file_util.h"
#include "trm/base/paths.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/dataset_paths.h"
#include "trm/distributed/launcher.h"

ABSL_FLAG(std::string, sweep, "", "Sweep spec: a name under experiments/sweeps/ or a path.");
ABSL_FLAG(std::string, sweep_dir, "",
          "Folder of the sweep's runs (default: <workspace>/runs/sweeps/<sweep name>).");
ABSL_FLAG(bool, dry_run, false, "Validate the spec and print the runs; run nothing.");
ABSL_FLAG(bool, status, false, "Print the state of every run and exit.");
ABSL_FLAG(bool, report, false,
          "Write report.csv, report.md and report.html into the sweep folder from the runs' "
          "metrics, print the Markdown, and exit.");
ABSL_FLAG(std::string, executor, "local", "local, or slurm (one sbatch job array).");
ABSL_FLAG(int, parallel, 1, "Local executor: runs at the same time.");
ABSL_FLAG(int, threads_per_run, 0,
          "Intra-op threads of each run (default: the machine's cores / --parallel).");
ABSL_FLAG(int, run_index, -1, "Execute only this run (what each Slurm array task does).");
ABSL_FLAG(bool, stop_with_parent, false,
          "With --run_index: stop the run when the calling process dies (set by the local "
          "executor).");
ABSL_FLAG(std::string, train_binary, "",
          "The train tool (default: the one built beside this tool).");
ABSL_FLAG(std::string, build_dataset_binary, "",
          "The build_dataset tool (default: the one built beside this tool).");
ABSL_FLAG(std::string, data_root, "", "Passed to train and build_dataset (--data_root).");
ABSL_FLAG(std::string, task_dir, "", "Passed to train and build_dataset (--task_dir).");
ABSL_FLAG(std::string, device, "", "Passed to train (--device=cpu|cuda).");
ABSL_FLAG(std::string, slurm_partition, "", "Overrides slurm.partition.");
ABSL_FLAG(std::string, slurm_time, "", "Overrides slurm.time (sbatch --time).");
ABSL_FLAG(int, slurm_cpus_per_task, 0, "Overrides slurm.cpus_per_task.");
ABSL_FLAG(int, slurm_gpus_per_task, 0, "Overrides slurm.gpus_per_task.");
ABSL_FLAG(int, slurm_tasks_per_run, 0, "Overrides slurm.tasks_per_run (processes per run).");
ABSL_FLAG(int, slurm_max_concurrent, 0, "Overrides slurm.max_concurrent.");
ABSL_FLAG(bool, slurm_wait, false,
          "Wait until the job array ends (sbatch --wait), then print the status and report.");

namespace trm::sweep {
namespace {

namespace fs = std::filesystem;

std::atomic<int> g_stop_signal{0};

void OnStopSignal(int signal) { g_stop_signal = signal; }

std::string Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, s / 60 % 60);
  return absl::StrFormat("%dm%02ds", s / 60, s % 60);
}

std::string Absolute(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

// A tool built beside this one: the flag, else this binary's runfiles, else a sibling file.
std::string FindTool(const std::string& flag_value, const std::string& name,
                     const bazel::tools::cpp::runfiles::Runfiles* runfiles) {
  if (!flag_value.empty()) return Absolute(ResolveUserPath(flag_value));
  std::error_code error;
  if (runfiles != nullptr) {
    const std::string path = runfiles->Rlocation("trm/tools/" + name);
    if (!path.empty() && fs::is_regular_file(path, error)) return Absolute(path);
  }
  const fs::path self = fs::path(SelfExecutable()).parent_path();
  for (const fs::path& candidate : {self.parent_path() / name, self / name}) {
    if (fs::is_regular_file(candidate, error)) return candidate.string();
  }
  Die(absl::NotFoundError(absl::StrCat("cannot find the ", name, " tool beside ", self.string(),
                                       "; pass --", name, "_binary")));
}

std::string DefaultSweepDir(const Sweep& sweep) {
  const std::string root = WorkspaceRoot();
  return (root.empty() ? std::string("runs") : root + "/runs") + "/sweeps/" + sweep.name();
}

class SweepTool {
 public:
  SweepTool(Sweep sweep, std::string spec_path, std::vector<SweepRun> runs, std::string dir)
      : sweep_(std::move(sweep)),
        spec_path_(std::move(spec_path)),
        runs_(std::move(runs)),
        dir_(std::move(dir)) {
    std::string error;
    runfiles_.reset(bazel::tools::cpp::runfiles::Runfiles::Create(ToolArgv0(), &error));
  }

  RunFolder Folder(const SweepRun& run) const { return RunFolder(dir_ + "/runs/" + run.name); }

  int DryRun() const {
    std::printf("sweep %s: %zu runs from %s into %s\n", sweep_.name().c_str(), runs_.size(),
                sweep_.experiment().c_str(), dir_.c_str());
    for (const SweepRun& run : runs_) {
      std::printf("  %3d  %-36s %-8s %s\n", run.index, run.name.c_str(), StateOf(run).c_str(),
                  absl::StrJoin(run.overrides, " ").c_str());
    }
    return 0;
  }

  int Status() const {
    std::map<RunState, int> counts;
    std::string table;
    for (const SweepRun& run : runs_) {
      const RunFolder folder = Folder(run);
      absl::StatusOr<RunRecord> record = folder.Read();
      if (!record.ok()) Die(record.status());
      ++counts[record->state];
      const int64_t total = run.experiment.train().max_steps();
      const std::optional<int64_t> step = folder.LastLoggedStep();
      std::string progress = step ? absl::StrCat(*step) : "-";
      if (total > 0) absl::StrAppend(&progress, "/", total);
      std::string note;
      if (record->state == RunState::kFailed) note = record->error;
      if (record->state == RunState::kStopped || record->state == RunState::kFailed) {
        if (std::optional<int64_t> checkpoint = folder.LatestCheckpointStep()) {
          note = absl::StrCat("resumes at step ", *checkpoint, note.empty() ? "" : "; ", note);
        }
      }
      absl::StrAppendFormat(&table, "  %3d  %-36s %-8s %-11s %8d %8s  %s\n", run.index, run.name,
                            RunStateName(record->state), progress, record->attempts,
                            record->wall_seconds > 0 ? Duration(record->wall_seconds) : "-", note);
    }
    std::printf("sweep %s: %zu runs in %s\n  done %d · running %d · stopped %d · failed %d · "
                "pending %d\n  %3s  %-36s %-8s %-11s %8s %8s  %s\n%s",
                sweep_.name().c_str(), runs_.size(), dir_.c_str(), counts[RunState::kDone],
                counts[RunState::kRunning], counts[RunState::kStopped], counts[RunState::kFailed],
                counts[RunState::kPending], "#", "run", "state", "step", "attempts", "wall", "note",
                table.c_str());
    return 0;
  }

  int WriteReport(bool print) const {
    std::vector<RunResult> results;
    for (const SweepRun& run : runs_) {
      const RunFolder folder = Folder(run);
      RunResult result;
      result.run = run;
      absl::StatusOr<RunRecord> record = folder.Read();
      if (!record.ok()) Die(record.status());
      result.record = *record;
      if (fs::exists(folder.metrics_path())) {
        absl::StatusOr<MetricSeries> series = ReadMetricsJsonl(folder.metrics_path());
        if (!series.ok()) Die(series.status());
        result.series = *std::move(series);
      }
      results.push_back(std::move(result));
    }
    const Report report = BuildReport(sweep_, results);
    for (const auto& [file, text] : {std::pair<std::string, std::string>{"report.csv", ReportCsv(report)},
                                     {"report.md", ReportMarkdown(report)},
                                     {"report.html", ReportHtml(report)}}) {
      if (absl::Status s = WriteFileAtomically(dir_ + "/" + file, text); !s.ok()) Die(s);
    }
    if (print) std::printf("%s", ReportMarkdown(report).c_str());
    std::fprintf(stderr, "report: %s/report.{csv,md,html}\n", dir_.c_str());
    return 0;
  }

  RunExecutorOptions ExecutorOptions(int threads) const {
    RunExecutorOptions options;
    options.train_binary = FindTool(absl::GetFlag(FLAGS_train_binary), "train", runfiles_.get());
    options.data_root = AbsoluteFlagPath(absl::GetFlag(FLAGS_data_root));
    options.task_dir = AbsoluteFlagPath(absl::GetFlag(FLAGS_task_dir));
    options.device = absl::GetFlag(FLAGS_device);
    options.threads = threads;
    return options;
  }

  // What each Slurm array task (and each local worker process) does.
  int ExecuteOne(int index) const {
    if (index < 0 || index >= static_cast<int>(runs_.size())) {
      Die(absl::OutOfRangeError(absl::StrCat("--run_index=", index, ": the sweep has ",
                                             runs_.size(), " runs")));
    }
    RunExecutorOptions options = ExecutorOptions(absl::GetFlag(FLAGS_threads_per_run));
    options.stop_with_parent = absl::GetFlag(FLAGS_stop_with_parent);
    if (const char* job = std::getenv("SLURM_JOB_ID"); job != nullptr) {
      const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
      options.executor = absl::StrCat("slurm:", array_job ? array_job : job);
      const int tasks = sweep_.slurm().tasks_per_run();
      if (tasks > 1) {
        options.launcher = {"srun", absl::StrCat("--ntasks=", tasks), "--kill-on-bad-exit=1"};
      }
    }
    absl::StatusOr<RunRecord> record = ExecuteRun(runs_[index], Folder(runs_[index]), options);
    if (!record.ok()) Die(record.status());
    switch (record->state) {
      case RunState::kDone: return 0;
      case RunState::kStopped: return kStoppedExitCode;
      default: return 1;
    }
  }

  // Builds every dataset the runs need that does not exist yet, one at a time, before any run
  // starts (parallel runs would otherwise race to build the same one).
  void BuildDatasets(const RunExecutorOptions& options) const {
    std::set<std::string> seen;
    for (const SweepRun& run : runs_) {
      const std::string path = ResolveDatasetPath(run.experiment.data().path(), options.data_root);
      if (!seen.insert(path).second || fs::exists(path + "/train/dataset.json")) continue;
      std::vector<std::string> command = {
          FindTool(absl::GetFlag(FLAGS_build_dataset_binary), "build_dataset", runfiles_.get()),
          "--experiment=" + BaseExperimentPath(), "--progress=false"};
      for (const std::string& assignment : run.overrides) command.push_back("--set=" + assignment);
      for (std::string& flag : ForwardedFlags(options, /*with_device=*/false)) {
        command.push_back(std::move(flag));
      }
      std::fprintf(stderr, "sweep: building dataset %s (for %s)\n", path.c_str(), run.name.c_str());
      std::error_code error;
      fs::create_directories(fs::path(path).parent_path(), error);
      const int status = RunCommand(command);
      if (status != 0) {
        Die(absl::AbortedError(absl::StrCat("variant '", run.variant, "': building dataset ", path,
                                            " failed (exit status ", status, ")")));
      }
    }
  }

  int RunLocal() {
    const int parallel = std::max(1, absl::GetFlag(FLAGS_parallel));
    int threads = absl::GetFlag(FLAGS_threads_per_run);
    if (threads <= 0) {
      threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / parallel);
    }
    std::vector<const SweepRun*> queue;
    int done = 0;
    for (const SweepRun& run : runs_) {
      absl::StatusOr<RunRecord> record = Folder(run).Read();
      if (!record.ok()) Die(record.status());
      if (record->state == RunState::kDone) {
        ++done;
      } else if (record->state == RunState::kRunning) {
        std::fprintf(stderr, "sweep: %s is running in another process; leaving it alone\n",
                     run.name.c_str());
      } else {
        queue.push_back(&run);
      }
    }
    std::fprintf(stderr, "sweep %s: %zu runs, %d done, %zu to run, %d at a time with %d thread(s) "
                 "each; folder %s\n",
                 sweep_.name().c_str(), runs_.size(), done, queue.size(), parallel, threads,
                 dir_.c_str());
    if (queue.empty()) return Finish();
    const RunExecutorOptions options = ExecutorOptions(threads);
    BuildDatasets(options);

    struct sigaction stop = {};
    stop.sa_handler = OnStopSignal;
    sigemptyset(&stop.sa_mask);
    sigaction(SIGINT, &stop, nullptr);
    sigaction(SIGTERM, &stop, nullptr);

    std::map<pid_t, const SweepRun*> active;
    size_t next = 0;
    bool stopping = false;
    while (next < queue.size() || !active.empty()) {
      while (!stopping && active.size() < static_cast<size_t>(parallel) && next < queue.size()) {
        const SweepRun& run = *queue[next++];
        std::fprintf(stderr, "sweep: start %s (log: %s)\n", run.name.c_str(),
                     Folder(run).log_path().c_str());
        active[SpawnWorker(run, options)] = &run;
      }
      int status = 0;
      const pid_t pid = waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno != EINTR) break;
        if (const int signal = g_stop_signal.exchange(0); signal != 0 && !stopping) {
          stopping = true;
          std::fprintf(stderr, "sweep: stopping %zu run(s) at their next step (signal %d)\n",
                       active.size(), signal);
          for (const auto& [worker, run] : active) kill(worker, SIGTERM);
        }
        continue;
      }
      auto it = active.find(pid);
      if (it == active.end()) continue;
      const SweepRun& run = *it->second;
      active.erase(it);
      absl::StatusOr<RunRecord> record = Folder(run).Read();
      if (!record.ok()) {
        std::fprintf(stderr, "sweep: %s: %s\n", run.name.c_str(),
                     std::string(record.status().message()).c_str());
        continue;
      }
      if (record->state == RunState::kDone) ++done;
      std::fprintf(stderr, "sweep: [%d/%zu done] %s %s after %s%s%s\n", done, runs_.size(),
                   run.name.c_str(), RunStateName(record->state),
                   Duration(record->wall_seconds).c_str(),
                   record->state == RunState::kFailed ? ": " : "", record->error.c_str());
    }
    if (stopping) {
      std::fprintf(stderr, "sweep: stopped; run the same command again to resume\n");
      Status();
      return kStoppedExitCode;
    }
    return Finish();
  }

  int RunSlurm() {
    SlurmOptions slurm = sweep_.slurm();
    if (!absl::GetFlag(FLAGS_slurm_partition).empty())
      slurm.set_partition(absl::GetFlag(FLAGS_slurm_partition));
    if (!absl::GetFlag(FLAGS_slurm_time).empty()) slurm.set_time(absl::GetFlag(FLAGS_slurm_time));
    if (absl::GetFlag(FLAGS_slurm_cpus_per_task) > 0)
      slurm.set_cpus_per_task(absl::GetFlag(FLAGS_slurm_cpus_per_task));
    if (absl::GetFlag(FLAGS_slurm_gpus_per_task) > 0)
      slurm.set_gpus_per_task(absl::GetFlag(FLAGS_slurm_gpus_per_task));
    if (absl::GetFlag(FLAGS_slurm_tasks_per_run) > 0)
      slurm.set_tasks_per_run(absl::GetFlag(FLAGS_slurm_tasks_per_run));
    if (absl::GetFlag(FLAGS_slurm_max_concurrent) > 0)
      slurm.set_max_concurrent(absl::GetFlag(FLAGS_slurm_max_concurrent));
    *sweep_.mutable_slurm() = slurm;
    if (absl::Status s = ValidateSweep(sweep_); !s.ok()) Die(s);

    ArrayJob job;
    job.job_name = "sweep-" + sweep_.name();
    job.slurm = slurm;
    for (const SweepRun& run : runs_) {
      absl::StatusOr<RunRecord> record = Folder(run).Read();
      if (!record.ok()) Die(record.status());
      if (record->state != RunState::kDone && record->state != RunState::kRunning)
        job.indices.push_back(run.index);
    }
    if (job.indices.empty()) {
      std::fprintf(stderr, "sweep %s: nothing to submit\n", sweep_.name().c_str());
      return Finish();
    }
    // Threads per run come from each task's SLURM_CPUS_PER_TASK (the job script).
    const RunExecutorOptions options = ExecutorOptions(/*threads=*/0);
    BuildDatasets(options);
    job.output_dir = dir_ + "/slurm";
    std::error_code error;
    fs::create_directories(job.output_dir, error);
    job.command = {SelfExecutable(), "--sweep=" + spec_path_, "--sweep_dir=" + dir_,
                   "--train_binary=" + options.train_binary};
    for (std::string& flag : ForwardedFlags(options, /*with_device=*/true)) {
      job.command.push_back(std::move(flag));
    }
    job.env = ChildEnv();
    if (const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY"))
      job.env.emplace_back("BUILD_WORKSPACE_DIRECTORY", workspace);
    const std::string script = absl::StrCat(job.output_dir, "/array_", job.indices.front(), "_",
                                            job.indices.size(), ".sbatch");
    const bool wait = absl::GetFlag(FLAGS_slurm_wait);
    std::fprintf(stderr, "sweep %s: submitting %zu run(s) as a job array (--array=%s)%s\n",
                 sweep_.name().c_str(), job.indices.size(),
                 ArraySpec(job.indices, slurm.max_concurrent()).c_str(),
                 wait ? "; waiting for it to end" : "");
    absl::StatusOr<std::string> id = SubmitArrayJob(job, script, wait);
    if (!id.ok()) Die(id.status());
    std::printf("%s\n", id->c_str());
    std::fprintf(stderr,
                 "sweep: job %s submitted (script %s, logs %s/%s_*.out); watch with --status, "
                 "then --report\n",
                 id->c_str(), script.c_str(), job.output_dir.c_str(), id->c_str());
    return wait ? Finish() : 0;
  }

 private:
  std::string StateOf(const SweepRun& run) const {
    absl::StatusOr<RunRecord> record = Folder(run).Read();
    return record.ok() ? RunStateName(record->state) : "?";
  }

  // Absolute, so that tools started elsewhere (a Slurm node, another folder) see the same path.
  static std::string AbsoluteFlagPath(const std::string& flag) {
    return flag.empty() ? flag : Absolute(ResolveUserPath(flag));
  }

  std::string BaseExperimentPath() const {
    absl::StatusOr<std::string> path =
        config::FindExperimentFile(sweep_.experiment(), ToolArgv0());
    if (!path.ok()) Die(path.status());
    return Absolute(*path);
  }

  pid_t SpawnWorker(const SweepRun& run, const RunExecutorOptions& options) const {
    std::vector<std::string> command = {SelfExecutable(), "--sweep=" + spec_path_,
                                        "--sweep_dir=" + dir_,
                                        absl::StrCat("--run_index=", run.index),
                                        absl::StrCat("--threads_per_run=", options.threads),
                                        "--train_binary=" + options.train_binary,
                                        "--stop_with_parent"};
    for (std::string& flag : ForwardedFlags(options, /*with_device=*/true)) {
      command.push_back(std::move(flag));
    }
    SpawnOptions spawn;
    spawn.stop_with_parent = true;
    spawn.env = ChildEnv();
    absl::StatusOr<pid_t> pid = SpawnProcess(command, spawn);
    if (!pid.ok()) Die(pid.status());
    return *pid;
  }

  int RunCommand(const std::vector<std::string>& command) const {
    SpawnOptions spawn;
    spawn.env = ChildEnv();
    absl::StatusOr<pid_t> pid = SpawnProcess(command, spawn);
    if (!pid.ok()) Die(pid.status());
    return WaitForExit(*pid);
  }

  // The runfiles of this tool, for the tools it starts (they find their plugins through them).
  std::vector<std::pair<std::string, std::string>> ChildEnv() const {
    if (runfiles_ == nullptr) return {};
    return runfiles_->EnvVars();
  }

  // The status table and the report; exit status 1 when a run failed or is unfinished.
  int Finish() {
    Status();
    WriteReport(/*print=*/false);
    for (const SweepRun& run : runs_) {
      absl::StatusOr<RunRecord> record = Folder(run).Read();
      if (!record.ok() || record->state != RunState::kDone) return 1;
    }
    return 0;
  }

  Sweep sweep_;
  std::string spec_path_;
  std::vector<SweepRun> runs_;
  std::string dir_;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles_;
};

int Main(int argc, char** argv) {
  InitTool(argc, argv,
           "Runs an ablation sweep: sweep --sweep=NAME [--dry_run|--status|--report] "
           "[--parallel=N] [--executor=local|slurm]");
  const std::string name = absl::GetFlag(FLAGS_sweep);
  if (name.empty()) Die(absl::InvalidArgumentError("--sweep is required (a name or a file)"));
  absl::StatusOr<std::string> spec_path = config::FindConfigFile(name, "sweeps", "sweep", ToolArgv0());
  if (!spec_path.ok()) Die(spec_path.status());
  absl::StatusOr<Sweep> sweep = LoadSweep(*spec_path, ToolArgv0());
  if (!sweep.ok()) Die(sweep.status());
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(*sweep, ToolArgv0());
  if (!runs.ok()) Die(absl::Status(runs.status().code(), absl::StrCat(*spec_path, ": ", runs.status().message())));
  const std::string dir = Absolute(absl::GetFlag(FLAGS_sweep_dir).empty()
                                       ? DefaultSweepDir(*sweep)
                                       : ResolveUserPath(absl::GetFlag(FLAGS_sweep_dir)));
  SweepTool tool(*sweep, Absolute(*spec_path), *std::move(runs), dir);

  if (absl::GetFlag(FLAGS_dry_run)) return tool.DryRun();
  if (absl::GetFlag(FLAGS_status)) return tool.Status();
  if (absl::GetFlag(FLAGS_report)) return tool.WriteReport(/*print=*/true);
  if (absl::GetFlag(FLAGS_run_index) >= 0) return tool.ExecuteOne(absl::GetFlag(FLAGS_run_index));

  std::error_code error;
  fs::create_directories(dir + "/runs", error);
  if (error) Die(absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", error.message())));
  absl::StatusOr<std::string> spec_text = ReadFileToString(*spec_path);
  if (!spec_text.ok()) Die(spec_text.status());
  if (absl::Status s = WriteFileAtomically(dir + "/sweep.textproto", *spec_text); !s.ok()) Die(s);

  const std::string executor = absl::GetFlag(FLAGS_executor);
  if (executor == "local") return tool.RunLocal();
  if (executor == "slurm") return tool.RunSlurm();
  Die(absl::InvalidArgumentError(
      absl::StrCat("--executor='", executor, "' is not one of local, slurm")));
}

}  // namespace
}  // namespace trm::sweep

int main(int argc, char** argv) { return trm::sweep::Main(argc, argv); }
