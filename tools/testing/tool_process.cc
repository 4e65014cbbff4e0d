#include "tools/testing/tool_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "trm/base/file_util.h"

namespace trm::testing {

bool ToolResult::exited_with(int code) const {
  return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == code;
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log,
            const std::map<std::string, std::string>& env) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

ToolResult Finish(pid_t pid, const std::string& log) {
  ToolResult result;
  waitpid(pid, &result.wait_status, 0);
  result.output = ReadFileToString(log).value_or("");
  return result;
}

ToolResult RunTool(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env) {
  static int counter = 0;
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string log = std::string(tmp != nullptr ? tmp : "/tmp") + "/tool_log" +
                          std::to_string(getpid()) + "_" + std::to_string(counter++) + ".txt";
  return Finish(Spawn(args, log, env), log);
}

}  // namespace trm::testing
