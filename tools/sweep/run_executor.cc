#include "tools/sweep/run_executor.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "trm/base/file_util.h"
#include "trm/config/experiment_loader.h"

namespace trm::sweep {
namespace {

std::atomic<pid_t> g_child{0};
std::atomic<bool> g_forwarded{false};

// Every stop request becomes one SIGUSR1 to the train tool. Slurm (time limit, preemption) and a
// terminal's Ctrl-C also signal the tool directly: a different signal, or a second copy of this
// one, would be its second stop request of one kind, which ends it at once.
void ForwardSignal(int) {
  const pid_t child = g_child.load();
  if (child > 0 && !g_forwarded.exchange(true)) kill(child, SIGUSR1);
}

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string HostName() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

// The last "error: ..." line of the run's log (the tools' one-line errors), else its last line.
std::string LastError(const std::string& log_path) {
  std::ifstream in(log_path);
  std::string line, last, error;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    last = line;
    if (absl::StartsWith(line, "error: ")) error = line;
  }
  return std::string(absl::StripPrefix(error.empty() ? last : error, "error: "));
}

}  // namespace

absl::StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& command,
                                   const SpawnOptions& options) {
  int fd = -1;
  if (!options.log.empty()) {
    fd = open(options.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::PermissionDeniedError(absl::StrCat(options.log, ": ", std::strerror(errno)));
    }
  }
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    if (fd >= 0) close(fd);
    return absl::ResourceExhaustedError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    if (options.stop_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
    }
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    for (const auto& [name, value] : options.env) setenv(name.c_str(), value.c_str(), 1);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "error: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  if (fd >= 0) close(fd);
  return pid;
}

int WaitForExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<std::string> ForwardedFlags(const RunExecutorOptions& options, bool with_device) {
  std::vector<std::string> flags;
  if (!options.data_root.empty()) flags.push_back("--data_root=" + options.data_root);
  if (!options.task_dir.empty()) flags.push_back("--task_dir=" + options.task_dir);
  if (with_device && !options.device.empty()) flags.push_back("--device=" + options.device);
  return flags;
}

std::vector<std::string> TrainCommand(const SweepRun& run, const RunFolder& folder,
                                      const RunExecutorOptions& options) {
  std::vector<std::string> command = options.launcher;
  command.push_back(options.train_binary);
  command.push_back("--experiment=" + folder.experiment_path());
  command.push_back("--run_dir=" + folder.path());
  command.push_back("--resume=latest");
  for (std::string& flag : ForwardedFlags(options, /*with_device=*/true)) {
    command.push_back(std::move(flag));
  }
  if (options.threads > 0) {
    command.push_back(absl::StrCat("--set=train.num_threads=", options.threads));
  }
  return command;
}

absl::StatusOr<RunRecord> ExecuteRun(const SweepRun& run, const RunFolder& folder,
                                     const RunExecutorOptions& options) {
  absl::StatusOr<std::unique_ptr<FolderLock>> lock = folder.Lock();
  if (!lock.ok()) return lock.status();
  absl::StatusOr<RunRecord> record = folder.Read();
  if (!record.ok()) return record.status();
  if (record->state == RunState::kDone) return record;

  const std::string experiment = config::ExperimentToText(run.experiment);
  if (std::filesystem::exists(folder.experiment_path())) {
    absl::StatusOr<std::string> existing = ReadFileToString(folder.experiment_path());
    if (!existing.ok()) return existing.status();
    if (*existing != experiment) {
      return absl::FailedPreconditionError(absl::StrCat(
          "run ", run.name, ": ", folder.experiment_path(),
          " differs from the experiment the sweep spec gives now (was the spec or the base "
          "experiment edited?); use another --sweep_dir, or delete the run folder to start it "
          "again"));
    }
  } else if (absl::Status s = WriteFileAtomically(folder.experiment_path(), experiment); !s.ok()) {
    return s;
  }

  record->state = RunState::kRunning;
  record->attempts += 1;
  record->host = HostName();
  record->executor = options.executor;
  record->started = Now();
  record->finished = 0;
  record->error.clear();
  if (absl::Status s = folder.Write(*record); !s.ok()) return s;

  {
    std::ofstream log(folder.log_path(), std::ios::app);
    log << "==== sweep: attempt " << record->attempts << " of run " << run.name << " on "
        << record->host << " (" << options.executor << ")\n";
  }
  SpawnOptions spawn;
  spawn.log = folder.log_path();
  spawn.stop_with_parent = options.stop_with_parent;
  absl::StatusOr<pid_t> child = SpawnProcess(TrainCommand(run, folder, options), spawn);
  if (!child.ok()) return child.status();
  // The lock's descriptor now lives in the child too: it stays held while the run executes.
  g_forwarded = false;
  g_child = *child;
  struct sigaction forward = {}, old_term = {}, old_int = {}, old_usr1 = {};
  forward.sa_handler = ForwardSignal;
  sigemptyset(&forward.sa_mask);
  sigaction(SIGTERM, &forward, &old_term);
  sigaction(SIGINT, &forward, &old_int);
  sigaction(SIGUSR1, &forward, &old_usr1);
  const int exit_code = WaitForExit(*child);
  g_child = 0;
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGUSR1, &old_usr1, nullptr);

  record->exit_code = exit_code;
  record->finished = Now();
  record->wall_seconds += record->finished - record->started;
  if (record->exit_code == 0) {
    record->state = RunState::kDone;
  } else if (record->exit_code == kStoppedExitCode) {
    record->state = RunState::kStopped;
  } else {
    record->state = RunState::kFailed;
    // Exit codes above 128 are deaths by signal (WaitForExit), not the tools' own errors.
    record->error = exit_code > 128
                        ? absl::StrCat("killed by signal ", exit_code - 128, " (",
                                       strsignal(exit_code - 128), ")")
                        : LastError(folder.log_path());
  }
  if (absl::Status s = folder.Write(*record); !s.ok()) return s;
  return record;
}

}  // namespace trm::sweep
