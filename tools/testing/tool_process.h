// Running a tool binary from an end-to-end test: its output to a log file, its exit status.
#ifndef TOOLS_TESTING_TOOL_PROCESS_H_
#define TOOLS_TESTING_TOOL_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace trm::testing {

struct ToolResult {
  int wait_status = 0;
  std::string output;  // stdout and stderr together
  bool exited_ok() const { return exited_with(0); }
  bool exited_with(int code) const;
};

// Starts args[0] (a path) with `args`, stdout and stderr to `log`, `env` added to the environment.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log,
            const std::map<std::string, std::string>& env = {});

// Waits for `pid` and reads its log.
ToolResult Finish(pid_t pid, const std::string& log);

// Spawn + Finish, the log in $TEST_TMPDIR.
ToolResult RunTool(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {});

}  // namespace trm::testing

#endif  // TOOLS_TESTING_TOOL_PROCESS_H_
