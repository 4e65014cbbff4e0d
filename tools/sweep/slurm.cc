#include "tools/sweep/slurm.h"

#include <sys/wait.h>

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "trm/base/file_util.h"

namespace trm::sweep {
namespace {

// Single-quoted for bash.
std::string Quote(const std::string& word) {
  return absl::StrCat("'", absl::StrReplaceAll(word, {{"'", "'\\''"}}), "'");
}

}  // namespace

std::string ArraySpec(const std::vector<int>& indices, int max_concurrent) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(indices[i])
                           : absl::StrCat(indices[i], "-", indices[j]));
    i = j + 1;
  }
  std::string spec = absl::StrJoin(parts, ",");
  if (max_concurrent > 0) absl::StrAppend(&spec, "%", max_concurrent);
  return spec;
}

std::string ArrayJobScript(const ArrayJob& job) {
  const SlurmOptions& slurm = job.slurm;
  std::string script = "#!/bin/bash\n# Written by //tools:sweep: one array task per run.\n";
  auto directive = [&](const std::string& option) {
    absl::StrAppend(&script, "#SBATCH ", option, "\n");
  };
  directive("--job-name=" + job.job_name);
  directive("--array=" + ArraySpec(job.indices, slurm.max_concurrent()));
  directive("--output=" + job.output_dir + "/%A_%a.out");
  directive("--open-mode=append");
  directive("--requeue");
  directive(absl::StrCat("--ntasks=", slurm.tasks_per_run()));
  if (slurm.signal_grace_seconds() > 0) {
    directive(absl::StrCat("--signal=B:USR1@", slurm.signal_grace_seconds()));
  }
  if (!slurm.partition().empty()) directive("--partition=" + slurm.partition());
  if (!slurm.time().empty()) directive("--time=" + slurm.time());
  if (slurm.cpus_per_task() > 0) directive(absl::StrCat("--cpus-per-task=", slurm.cpus_per_task()));
  if (slurm.gpus_per_task() > 0) directive(absl::StrCat("--gpus-per-task=", slurm.gpus_per_task()));
  for (const std::string& arg : slurm.sbatch_args()) directive(arg);
  absl::StrAppend(&script, "set -u\n");
  for (const auto& [name, value] : job.env) absl::StrAppend(&script, "export ", name, "=", Quote(value), "\n");
  std::vector<std::string> words;
  for (const std::string& word : job.command) words.push_back(Quote(word));
  absl::StrAppend(&script, R"(
# A stop request (B:USR1 before the time limit; TERM on preemption or scancel; INT) goes once to
# the run's process as USR1; the trainer checkpoints and exits 75, and the task is requeued. Slurm
# may also signal the processes directly (TERM): each stop signal kind reaches them only once.
stopping=""
stop() { [ -n "$stopping" ] || { stopping=1; kill -USR1 "$child" 2>/dev/null; }; }
trap stop USR1 TERM INT
)",
                  absl::StrJoin(words, " "),
                  R"( --run_index="$SLURM_ARRAY_TASK_ID" --threads_per_run="${SLURM_CPUS_PER_TASK:-1}" &
child=$!
status=0
while true; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$status" -eq 75 ]; then
  echo "sweep: run $SLURM_ARRAY_TASK_ID stopped at a checkpoint; requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
fi
exit "$status"
)");
  return script;
}

absl::StatusOr<std::string> SubmitArrayJob(const ArrayJob& job, const std::string& script_path,
                                           bool wait) {
  if (absl::Status s = WriteFileAtomically(script_path, ArrayJobScript(job)); !s.ok()) return s;
  const std::string command = absl::StrCat("sbatch --parsable ", wait ? "--wait " : "",
                                           Quote(script_path), " 2>&1");
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::UnavailableError("cannot run sbatch");
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  std::string first_line(absl::StripAsciiWhitespace(output.substr(0, output.find('\n'))));
  if (status != 0) {
    // With --wait, sbatch exits with the array's highest task exit status after a good submit.
    if (wait && !first_line.empty() && absl::ascii_isdigit(first_line[0])) return first_line;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      return absl::FailedPreconditionError(
          "sbatch not found: --executor=slurm needs Slurm's client tools (tools/setup.sh "
          "installs them)");
    }
    return absl::UnavailableError(absl::StrCat("sbatch ", script_path, ": ", first_line));
  }
  // --parsable prints "jobid" or "jobid;cluster".
  return first_line.substr(0, first_line.find(';'));
}

}  // namespace trm::sweep
