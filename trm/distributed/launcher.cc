#include "trm/distributed/launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace trm {
namespace {

std::atomic<int> g_forward_signal{0};

void RecordSignal(int signal) { g_forward_signal.store(signal); }

int ExitStatusOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

}  // namespace

std::string SelfExecutable() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : self.string();
}

std::vector<std::string> ArgsWithoutFlag(int argc, char** argv, const std::string& name) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--" + name || arg == "-" + name) {
      ++i;  // the value is the next argument
      continue;
    }
    if (absl::StartsWith(arg, "--" + name + "=") || absl::StartsWith(arg, "-" + name + "=")) {
      continue;
    }
    args.push_back(arg);
  }
  return args;
}

absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket(): ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("cannot find a free port: ", error));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

absl::StatusOr<int> LaunchLocalWorkers(const std::string& executable,
                                       const std::vector<std::string>& args, int nproc) {
  if (nproc < 1) {
    return absl::InvalidArgumentError(absl::StrCat("--nproc_per_node=", nproc, " must be >= 1"));
  }
  std::string port;
  if (const char* env_port = std::getenv("MASTER_PORT"); env_port != nullptr && *env_port) {
    port = env_port;
  } else {
    absl::StatusOr<int> free_port = PickFreePort();
    if (!free_port.ok()) return free_port.status();
    port = std::to_string(*free_port);
  }
  const char* env_addr = std::getenv("MASTER_ADDR");
  const std::string addr = (env_addr != nullptr && *env_addr) ? env_addr : "127.0.0.1";

  constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGUSR1};
  struct sigaction forward {};
  struct sigaction old[3];
  forward.sa_handler = RecordSignal;
  sigemptyset(&forward.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kForwarded[i], &forward, &old[i]);

  std::map<pid_t, int> workers;  // pid -> rank
  for (int rank = 0; rank < nproc; ++rank) {
    const pid_t pid = fork();
    if (pid < 0) {
      for (const auto& [other, r] : workers) kill(other, SIGTERM);
      return absl::InternalError(absl::StrCat("fork(): ", std::strerror(errno)));
    }
    if (pid == 0) {
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", addr.c_str(), 1);
      setenv("MASTER_PORT", port.c_str(), 1);
      unsetenv("TORCHELASTIC_USE_AGENT_STORE");
      // Workers share the cores: OpenMP threads that spin while waiting would burn the time
      // slices of the other workers (a 5x slowdown measured on 2 cores).
      setenv("OMP_WAIT_POLICY", "passive", /*overwrite=*/0);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(executable.c_str()));
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      execve(executable.c_str(), argv.data(), environ);
      std::fprintf(stderr, "error: cannot execute %s: %s\n", executable.c_str(),
                   std::strerror(errno));
      _exit(127);
    }
    workers[pid] = rank;
  }

  int result = 0;
  bool stopping = false;
  while (!workers.empty()) {
    if (const int signal = g_forward_signal.exchange(0); signal != 0) {
      // The workers decide what the signal means (the trainer stops with a checkpoint and exits
      // 75): their exit statuses make the launch's.
      for (const auto& [worker, rank] : workers) kill(worker, signal);
      stopping = true;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) break;
      continue;
    }
    const auto it = workers.find(pid);
    if (it == workers.end()) continue;
    const int exit_status = ExitStatusOf(status);
    if (exit_status != 0 && !stopping) {
      std::fprintf(stderr, "launcher: rank %d exited with status %d; stopping the others\n",
                   it->second, exit_status);
      stopping = true;
      for (const auto& [worker, rank] : workers) {
        if (worker != pid) kill(worker, SIGTERM);
      }
    }
    if (result == 0) result = exit_status;
    workers.erase(it);
  }
  for (int i = 0; i < 3; ++i) sigaction(kForwarded[i], &old[i], nullptr);
  return result;
}

}  // namespace trm
