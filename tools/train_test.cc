// End-to-end tests of the train tool with the real plugins on the tiny experiment: exact resume
// after kill -9 (also in the middle of writing a checkpoint) and after a stop signal, the
// non-finite guard, data parallel over Gloo against one process, and the logs it leaves.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "trm/base/file_util.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/logging/tensorboard_event.pb.h"
#include "trm/logging/tfrecord.h"
#include "trm/train/checkpoint_dir.h"
#include "tools/testing/tool_process.h"
#include "trm/testing/test_device.h"
#include "trm/train/trainer.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kSteps = 24;  // train.max_steps of arc2_trm_tiny

std::string TestTmp() { return std::getenv("TEST_TMPDIR"); }

using Result = testing::ToolResult;
using testing::Finish;
using testing::Spawn;

// The tool's command line for a run of the tiny experiment in `run_dir`.
std::vector<std::string> TrainArgs(const std::string& run_dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"tools/train",
                                   "--experiment=arc2_trm_tiny",
                                   "--run_dir=" + run_dir,
                                   "--data_root=" + TestTmp() + "/data",
                                   "--task_dir=third_party/arc_sample",
                                   "--set=checkpoint.every_steps=4",
                                   "--set=checkpoint.keep_last=0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

Result RunTrain(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  return testing::RunTool(args, env);
}

// step -> every train/* metric, from metrics.jsonl.
std::map<int64_t, std::map<std::string, double>> TrainMetrics(const std::string& run_dir) {
  std::map<int64_t, std::map<std::string, double>> metrics;
  std::ifstream in(run_dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json record = nlohmann::json::parse(line);
    for (const auto& [key, value] : record.items()) {
      if (key.rfind("train/", 0) == 0) metrics[record["step"].get<int64_t>()][key] = value.get<double>();
    }
  }
  return metrics;
}

std::map<std::string, at::Tensor> ReadOrDie(const std::string& path) {
  auto tensors = ReadSafetensors(path);
  TORCH_CHECK(tensors.ok(), std::string(tensors.status().message()));
  return *tensors;
}

class TrainToolTest : public ::testing::Test {
 protected:
  // One uninterrupted run, the reference for the others.
  static void SetUpTestSuite() {
    baseline_dir_ = new std::string(TestTmp() + "/baseline");
    baseline_ = new Result(RunTrain(TrainArgs(*baseline_dir_)));
  }
  static void TearDownTestSuite() {
    delete baseline_;
    delete baseline_dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(baseline_->exited_ok()) << baseline_->output;
  }

  static std::string* baseline_dir_;
  static Result* baseline_;
};

std::string* TrainToolTest::baseline_dir_ = nullptr;
Result* TrainToolTest::baseline_ = nullptr;

TEST_F(TrainToolTest, RunLeavesCheckpointsConfigAndLogs) {
  const auto metrics = TrainMetrics(*baseline_dir_);
  ASSERT_EQ(metrics.size(), static_cast<size_t>(kSteps));
  for (const char* key : {"train/lm_loss", "train/accuracy", "train/exact_accuracy",
                          "train/q_halt_accuracy", "train/steps", "train/lr", "train/count"}) {
    EXPECT_TRUE(metrics.at(1).count(key)) << key;
  }
  for (int64_t step = 4; step <= kSteps; step += 4) {
    EXPECT_TRUE(fs::exists(*baseline_dir_ + "/checkpoints/step_" + std::to_string(step) +
                           "/model.safetensors"));
  }
  EXPECT_TRUE(fs::exists(*baseline_dir_ + "/config.textproto"));
  auto config = ReadFileToString(*baseline_dir_ + "/config.textproto");
  EXPECT_THAT(*config, HasSubstr("seq_len: 36"));  // filled in from the dataset

  // The weights file holds reference keys.
  auto weights = ReadOrDie(*baseline_dir_ + "/checkpoints/step_24/model.safetensors");
  EXPECT_TRUE(weights.count("model.inner.puzzle_emb.weights"));

  // TensorBoard: every frame's CRCs check out and the scalars are there.
  std::vector<fs::path> event_files;
  for (const auto& entry : fs::directory_iterator(*baseline_dir_ + "/tensorboard")) {
    event_files.push_back(entry.path());
  }
  ASSERT_EQ(event_files.size(), 1u);
  auto reader = TfRecordReader::Open(event_files[0].string());
  ASSERT_TRUE(reader.ok());
  std::map<std::string, int> scalars;
  while (true) {
    auto record = (*reader)->Next();
    ASSERT_TRUE(record.ok()) << record.status();
    if (!record->has_value()) break;
    tensorboard::Event event;
    ASSERT_TRUE(event.ParseFromString(**record));
    for (const auto& value : event.summary().value()) ++scalars[value.tag()];
  }
  EXPECT_EQ(scalars["train/lm_loss"], kSteps);
  EXPECT_GE(scalars["all/lm_loss"], 1);  // the evaluation at the end
}

// Damaged checkpoints (a truncated training state in the newest, a flipped byte in the weights of
// the one before) are caught by their checksums: --resume=latest falls back to the newest intact
// one, saying so, and the run ends exactly as the uninterrupted one; an explicit --resume of a
// damaged folder is a one-line error naming the file.
TEST_F(TrainToolTest, DamagedCheckpointsFallBackToTheNewestIntactOne) {
  const std::string run_dir = TestTmp() + "/damaged";
  fs::copy(*baseline_dir_, run_dir, fs::copy_options::recursive);
  for (int step : {16, 20, 24}) {
    fs::remove_all(run_dir + "/checkpoints/step_" + std::to_string(step));
  }
  const std::string state = run_dir + "/checkpoints/step_12/train_state.rank0.safetensors";
  fs::resize_file(state, fs::file_size(state) / 2);
  const std::string weights = run_dir + "/checkpoints/step_8/model.safetensors";
  {
    std::fstream file(weights, std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff at = static_cast<std::streamoff>(fs::file_size(weights)) - 7;
    file.seekg(at);
    const char byte = static_cast<char>(file.get() ^ 0x10);
    file.seekp(at);
    file.put(byte);
  }

  const Result explicit_resume =
      RunTrain(TrainArgs(run_dir, {"--resume=" + run_dir + "/checkpoints/step_12"}));
  EXPECT_FALSE(explicit_resume.exited_ok());
  EXPECT_THAT(explicit_resume.output, HasSubstr("error: " + state + ": "));
  EXPECT_THAT(explicit_resume.output, HasSubstr("(truncated?)"));

  const Result resumed = RunTrain(TrainArgs(run_dir, {"--resume=latest"}));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  EXPECT_THAT(resumed.output,
              HasSubstr("checkpoint " + run_dir + "/checkpoints/step_12 is damaged"));
  EXPECT_THAT(resumed.output, HasSubstr("checkpoint " + run_dir + "/checkpoints/step_8 is damaged"));
  EXPECT_THAT(resumed.output, HasSubstr("(corrupted)"));
  EXPECT_THAT(resumed.output,
              HasSubstr("resumed from " + run_dir + "/checkpoints/step_4 at step 4"));
  EXPECT_EQ(TrainMetrics(run_dir), TrainMetrics(*baseline_dir_));  // every metric, bit for bit
}

// A write error while saving a checkpoint (a file-size limit stands in for a full disk: the same
// failing write(2)) ends the run with one line naming the file; the previous checkpoint stays
// intact, and the next --resume=latest continues from it exactly.
TEST_F(TrainToolTest, AFailedCheckpointWriteLeavesThePreviousOneToResumeFrom) {
  const std::string run_dir = TestTmp() + "/disk_full";
  fs::copy(*baseline_dir_, run_dir, fs::copy_options::recursive);
  for (int step : {12, 16, 20, 24}) {
    fs::remove_all(run_dir + "/checkpoints/step_" + std::to_string(step));
  }
  // Beyond the limit write() fails with EFBIG instead of raising SIGXFSZ (ignored across exec).
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> limited = {"/usr/bin/prlimit", "--fsize=100000"};
  for (const std::string& arg : TrainArgs(run_dir, {"--resume=latest"})) {
    limited.push_back(arg == "tools/train" ? fs::absolute(arg).string() : arg);
  }
  const Result failed = RunTrain(limited);
  std::signal(SIGXFSZ, SIG_DFL);
  EXPECT_TRUE(WIFEXITED(failed.wait_status) && WEXITSTATUS(failed.wait_status) == 1)
      << failed.output;
  EXPECT_THAT(failed.output, HasSubstr("error: " + run_dir + "/checkpoints/step_12.tmp/"));
  EXPECT_THAT(failed.output, HasSubstr("File too large"));
  EXPECT_FALSE(fs::exists(run_dir + "/checkpoints/step_12"));
  for (const char* file : {"model.safetensors", "train_state.rank0.safetensors"}) {
    const absl::Status intact =
        VerifyChecksumFile(run_dir + "/checkpoints/step_8/" + std::string(file));
    EXPECT_TRUE(intact.ok()) << intact;
  }

  const Result resumed = RunTrain(TrainArgs(run_dir, {"--resume=latest"}));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  EXPECT_THAT(resumed.output,
              HasSubstr("resumed from " + run_dir + "/checkpoints/step_8 at step 8"));
  EXPECT_EQ(TrainMetrics(run_dir), TrainMetrics(*baseline_dir_));  // every metric, bit for bit
}

// Kills a run in `run_dir` with SIGKILL once its step-8 checkpoint exists, resumes it with
// --resume=latest and expects every metric and the final weights to equal `baseline_dir`'s.
void ExpectKillNineAndResumeMatch(const std::string& run_dir, const std::string& baseline_dir,
                                  const std::vector<std::string>& extra = {}) {
  const std::string log = run_dir + "_log.txt";
  const pid_t pid = Spawn(TrainArgs(run_dir, extra), log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(run_dir + "/checkpoints/step_8") && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, WNOHANG), 0) << "the run ended before it could be killed: "
                                                 << ReadFileToString(log).value_or("");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  const Result killed = Finish(pid, log);
  ASSERT_TRUE(WIFSIGNALED(killed.wait_status)) << "not killed: " << killed.output;
  ASSERT_LT(TrainMetrics(run_dir).rbegin()->first, kSteps) << "killed too late to test anything";

  std::vector<std::string> resume = extra;
  resume.push_back("--resume=latest");
  const Result resumed = RunTrain(TrainArgs(run_dir, resume));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resumed from " + run_dir + "/checkpoints/step_"));
  EXPECT_EQ(TrainMetrics(run_dir), TrainMetrics(baseline_dir));  // every metric, bit for bit
  const auto a = ReadOrDie(run_dir + "/checkpoints/step_24/model.safetensors");
  const auto b = ReadOrDie(baseline_dir + "/checkpoints/step_24/model.safetensors");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) EXPECT_TRUE(at::equal(tensor, b.at(name))) << name;
}

TEST_F(TrainToolTest, KillNineThenResumeLatestGivesBitIdenticalLosses) {
  ExpectKillNineAndResumeMatch(TestTmp() + "/killed", *baseline_dir_);
}

// The device run of tools/gpu/device_check.sh sets TRM_TEST_DEVICE=cuda: the same on the GPU,
// where the checkpoint carries device tensors and the CUDA generator state. (Skipped elsewhere.)
TEST(TrainDeviceTest, KillNineThenResumeOnTheDeviceGivesBitIdenticalLosses) {
  const std::string device = trm::testing::TestDevice();
  if (device == "cpu") GTEST_SKIP() << "device case: runs with TRM_TEST_DEVICE=cuda";
  const std::vector<std::string> on_device = {"--device=" + device};
  const std::string baseline = TestTmp() + "/device_baseline";
  const Result run = RunTrain(TrainArgs(baseline, on_device));
  ASSERT_TRUE(run.exited_ok()) << run.output;
  EXPECT_THAT(run.output, HasSubstr("device cuda"));
  ExpectKillNineAndResumeMatch(TestTmp() + "/device_killed", baseline, on_device);
}

TEST_F(TrainToolTest, KillWhileWritingACheckpointLeavesThePreviousOneLoadable) {
  const std::string run_dir = TestTmp() + "/torn";
  const Result killed =
      RunTrain(TrainArgs(run_dir), {{"TRM_TEST_KILL_DURING_CHECKPOINT_AT_STEP", "8"}});
  ASSERT_TRUE(WIFSIGNALED(killed.wait_status) && WTERMSIG(killed.wait_status) == SIGKILL)
      << killed.output;
  EXPECT_TRUE(fs::exists(run_dir + "/checkpoints/step_8.tmp/model.safetensors"));  // half written
  EXPECT_FALSE(fs::exists(run_dir + "/checkpoints/step_8"));

  const Result resumed = RunTrain(TrainArgs(run_dir, {"--resume=latest"}));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resumed from " + run_dir + "/checkpoints/step_4 at step 4"));
  EXPECT_FALSE(fs::exists(run_dir + "/checkpoints/step_8.tmp"));
  EXPECT_EQ(TrainMetrics(run_dir), TrainMetrics(*baseline_dir_));
}

TEST_F(TrainToolTest, NonFiniteLossStopsBeforeTheUpdateAndKeepsTheLastCheckpoint) {
  const std::string run_dir = TestTmp() + "/diverged";
  // A learning rate of 1e30 throws the weights to ~1e29 after the first update.
  const Result diverged = RunTrain(TrainArgs(run_dir, {"--set=optimizer.lr=1e30",
                                                  "--set=checkpoint.every_steps=1"}));
  ASSERT_TRUE(WIFEXITED(diverged.wait_status) && WEXITSTATUS(diverged.wait_status) == 1)
      << diverged.output;
  EXPECT_THAT(diverged.output, ::testing::ContainsRegex("error: step [0-9]+: non-finite "));
  const int64_t bad_step = std::stoll(
      diverged.output.substr(diverged.output.find("error: step ") + std::string("error: step ").size()));
  const int64_t last_good = bad_step - 1;
  ASSERT_GE(last_good, 1);
  const std::string last = run_dir + "/checkpoints/step_" + std::to_string(last_good);
  EXPECT_TRUE(fs::exists(last + "/train_state.rank0.safetensors"));
  EXPECT_FALSE(fs::exists(run_dir + "/checkpoints/step_" + std::to_string(bad_step)));
  EXPECT_TRUE(ReadSafetensors(last + "/model.safetensors").ok());
}

TEST_F(TrainToolTest, TwoGlooProcessesMatchOneProcessWithTheSameGlobalBatch) {
  const std::string run_dir = TestTmp() + "/two_processes";
  const Result two = RunTrain(TrainArgs(run_dir, {"--nproc_per_node=2"}));
  ASSERT_TRUE(two.exited_ok()) << two.output;
  EXPECT_TRUE(fs::exists(run_dir + "/checkpoints/step_24/train_state.rank1.safetensors"));
  const auto one_metrics = TrainMetrics(*baseline_dir_);
  const auto two_metrics = TrainMetrics(run_dir);
  ASSERT_EQ(two_metrics.size(), one_metrics.size());
  for (const auto& [step, values] : one_metrics) {
    EXPECT_NEAR(two_metrics.at(step).at("train/lm_loss"), values.at("train/lm_loss"),
                1e-4 * std::abs(values.at("train/lm_loss")))
        << "step " << step;
  }
  const auto one = ReadOrDie(*baseline_dir_ + "/checkpoints/step_24/train_state.rank0.safetensors");
  const auto both = ReadOrDie(run_dir + "/checkpoints/step_24/train_state.rank0.safetensors");
  int compared = 0;
  for (const auto& [name, tensor] : one) {
    if (name.rfind("shared.live.", 0) != 0) continue;
    ++compared;
    const double scale = std::max(1.0, tensor.abs().max().item<double>());
    EXPECT_LE((tensor - both.at(name)).abs().max().item<double>(), 1e-4 * scale) << name;
  }
  EXPECT_GT(compared, 0);
  const auto table_one = ReadOrDie(*baseline_dir_ + "/checkpoints/step_24/model.safetensors");
  const auto table_two = ReadOrDie(run_dir + "/checkpoints/step_24/model.safetensors");
  EXPECT_TRUE(at::allclose(table_one.at("model.inner.puzzle_emb.weights"),
                           table_two.at("model.inner.puzzle_emb.weights"), 1e-4, 1e-5));
}

TEST_F(TrainToolTest, ResumingWithAnotherProcessCountIsRefused) {
  const Result result = RunTrain(TrainArgs(TestTmp() + "/refused", {
      "--resume=" + *baseline_dir_ + "/checkpoints/step_8", "--nproc_per_node=2"}));
  EXPECT_FALSE(result.exited_ok());
  EXPECT_THAT(result.output, HasSubstr("was written by 1 processes"));
}

// Stop signals. The runs are longer than the tiny experiment's 24 steps, so that a signal sent when
// the first checkpoint appears (step 4) arrives long before the end.
constexpr int kLongSteps = 100;

// The processes whose parent is `parent` (from /proc).
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream fields(line.substr(line.rfind(')') + 2));  // after "pid (comm) "
    std::string state;
    pid_t ppid = 0;
    if (fields >> state >> ppid && ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

// Starts a run in `run_dir` and sends SIGTERM to it (or to the first worker the launcher started,
// with `to_one_worker`) once its step-4 checkpoint exists; returns how it ended.
Result SigtermAfterFirstCheckpoint(const std::string& run_dir,
                                   const std::vector<std::string>& extra,
                                   bool to_one_worker = false) {
  const std::string log = run_dir + "_log.txt";
  const pid_t pid = Spawn(TrainArgs(run_dir, extra), log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(run_dir + "/checkpoints/step_4") &&
         std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) != 0) {
      ADD_FAILURE() << "the run ended before the signal";
      return Result{status, ReadFileToString(log).value_or("")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_t target = pid;
  if (to_one_worker) {
    const std::vector<pid_t> workers = ChildrenOf(pid);
    EXPECT_EQ(workers.size(), 2u);
    if (!workers.empty()) target = workers[0];
  }
  EXPECT_EQ(kill(target, SIGTERM), 0);
  return Finish(pid, log);
}

// Checks that `stopped` exited 75 naming the step it stopped at, that every rank's training state
// is in the checkpoint of that step (none later), and that the metrics end there. Returns the step.
int64_t ExpectStoppedWithCheckpoint(const Result& stopped, const std::string& run_dir,
                                    int world_size) {
  EXPECT_TRUE(stopped.exited_with(EX_TEMPFAIL)) << stopped.output;
  const std::string marker = "stopped by signal 15 (Terminated) at step ";
  const size_t at = stopped.output.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no stop message: " << stopped.output;
    return -1;
  }
  const int64_t step = std::stoll(stopped.output.substr(at + marker.size()));
  EXPECT_THAT(stopped.output, HasSubstr("run again with --resume=latest to continue"));
  EXPECT_GE(step, 4);
  EXPECT_LT(step, kLongSteps) << "stopped too late to test anything";
  const std::string checkpoint = run_dir + "/checkpoints/step_" + std::to_string(step);
  for (int rank = 0; rank < world_size; ++rank) {
    EXPECT_TRUE(
        fs::exists(checkpoint + "/train_state.rank" + std::to_string(rank) + ".safetensors"))
        << checkpoint << " rank " << rank;
  }
  EXPECT_FALSE(fs::exists(run_dir + "/checkpoints/step_" + std::to_string(step + 1)));
  const auto metrics = TrainMetrics(run_dir);
  EXPECT_FALSE(metrics.empty());
  if (!metrics.empty()) {
    EXPECT_EQ(metrics.rbegin()->first, step);
  }
  return step;
}

class StopSignalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    baseline_dir_ = new std::string(TestTmp() + "/long_baseline");
    baseline_ = new Result(RunTrain(TrainArgs(*baseline_dir_, Long())));
  }
  static void TearDownTestSuite() {
    delete baseline_;
    delete baseline_dir_;
  }
  void SetUp() override { ASSERT_TRUE(baseline_->exited_ok()) << baseline_->output; }

  static std::vector<std::string> Long(std::vector<std::string> extra = {}) {
    extra.push_back("--max_steps=" + std::to_string(kLongSteps));
    return extra;
  }

  static std::string* baseline_dir_;
  static Result* baseline_;
};

std::string* StopSignalTest::baseline_dir_ = nullptr;
Result* StopSignalTest::baseline_ = nullptr;

TEST_F(StopSignalTest, SigtermStopsWithACheckpointAndResumeLatestGivesBitIdenticalLosses) {
  const std::string run_dir = TestTmp() + "/sigterm";
  const Result stopped = SigtermAfterFirstCheckpoint(run_dir, Long());
  const int64_t step = ExpectStoppedWithCheckpoint(stopped, run_dir, 1);

  const Result resumed = RunTrain(TrainArgs(run_dir, Long({"--resume=latest"})));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("resumed from " + run_dir + "/checkpoints/step_" +
                                        std::to_string(step) + " at step "));
  EXPECT_EQ(TrainMetrics(run_dir), TrainMetrics(*baseline_dir_));  // every metric, bit for bit
  const std::string last = "/checkpoints/step_" + std::to_string(kLongSteps) + "/model.safetensors";
  const auto a = ReadOrDie(run_dir + last);
  const auto b = ReadOrDie(*baseline_dir_ + last);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) EXPECT_TRUE(at::equal(tensor, b.at(name))) << name;
}

// The launcher forwards the signal to its workers; the launch exits as they do.
TEST_F(StopSignalTest, LaunchedRunStopsOnSigtermAndResumes) {
  const std::string run_dir = TestTmp() + "/sigterm_launched";
  const Result stopped = SigtermAfterFirstCheckpoint(run_dir, Long({"--nproc_per_node=2"}));
  ExpectStoppedWithCheckpoint(stopped, run_dir, 2);

  const Result resumed =
      RunTrain(TrainArgs(run_dir, Long({"--nproc_per_node=2", "--resume=latest"})));
  ASSERT_TRUE(resumed.exited_ok()) << resumed.output;
  const auto one = TrainMetrics(*baseline_dir_);
  const auto two = TrainMetrics(run_dir);
  ASSERT_EQ(two.size(), one.size());
  for (const auto& [step, values] : one) {  // the tolerance of the two-process test above
    EXPECT_NEAR(two.at(step).at("train/lm_loss"), values.at("train/lm_loss"),
                1e-4 * std::abs(values.at("train/lm_loss")))
        << "step " << step;
  }
}

// Only one rank receives the signal: the other stops at the same step all the same.
TEST_F(StopSignalTest, RanksAgreeOnTheStopStep) {
  const std::string run_dir = TestTmp() + "/sigterm_one_rank";
  const Result stopped =
      SigtermAfterFirstCheckpoint(run_dir, Long({"--nproc_per_node=2"}), /*to_one_worker=*/true);
  ExpectStoppedWithCheckpoint(stopped, run_dir, 2);
}

// A second trainer on a run folder in use is refused with one line naming the holder, and the
// first goes on undisturbed. (A killed holder leaves no lock behind: the kill -9 tests resume in
// the same folder.)
TEST_F(StopSignalTest, ASecondTrainerOnTheSameRunFolderIsRefused) {
  const std::string run_dir = TestTmp() + "/locked";
  const std::string log = run_dir + "_log.txt";
  const pid_t first = Spawn(TrainArgs(run_dir, Long({})), log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(run_dir + "/checkpoints/step_4") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const Result second = RunTrain(TrainArgs(run_dir, Long({"--resume=latest"})));
  EXPECT_TRUE(WIFEXITED(second.wait_status) && WEXITSTATUS(second.wait_status) == 1)
      << second.output;
  EXPECT_THAT(second.output, HasSubstr("error: run folder " + run_dir + " is in use by pid " +
                                       std::to_string(first) + " on host "));
  EXPECT_EQ(kill(first, SIGTERM), 0);
  const Result stopped = Finish(first, log);
  EXPECT_TRUE(stopped.exited_with(EX_TEMPFAIL)) << stopped.output;
}

// A second signal of the same kind has its default action; one of another kind does not.
TEST(StopSignalHandlersTest, SecondSignalOfTheSameKindHasTheDefaultAction) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    InstallStopSignalHandlers();
    raise(SIGTERM);
    raise(SIGUSR1);
    if (write(pipe_fds[1], "x", 1) != 1) _exit(1);  // still alive
    raise(SIGTERM);
    _exit(0);
  }
  close(pipe_fds[1]);
  char alive = 0;
  EXPECT_EQ(read(pipe_fds[0], &alive, 1), 1);
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(alive, 'x');
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
}

// torchtitan-style numerics guard: the first steps of the README's CPU experiment must reproduce
// the recorded loss curve.
TEST(TrainLossCurveTest, CpuExperimentReproducesTheRecordedLossPrefix) {
  auto golden_text = ReadFileToString("tests/golden/arc2_trm_cpu_loss/loss_prefix.json");
  ASSERT_TRUE(golden_text.ok()) << golden_text.status();
  const nlohmann::json golden = nlohmann::json::parse(*golden_text);
  const auto steps = golden["steps"].get<std::vector<int64_t>>();
  const double rtol = golden["rtol"].get<double>();
  const std::string run_dir = TestTmp() + "/cpu_prefix";
  const Result run = RunTrain({"tools/train", "--experiment=arc2_trm_cpu", "--run_dir=" + run_dir,
                               "--data_root=" + TestTmp() + "/data",
                               "--max_steps=" + std::to_string(steps.back())});
  ASSERT_TRUE(run.exited_ok()) << run.output;
  const auto metrics = TrainMetrics(run_dir);
  for (const char* key : {"train/lm_loss", "train/q_halt_loss"}) {
    const auto expected = golden[key].get<std::vector<double>>();
    for (size_t i = 0; i < steps.size(); ++i) {
      const double got = metrics.at(steps[i]).at(key);
      EXPECT_NEAR(got, expected[i], rtol * std::abs(expected[i]))
          << key << " at step " << steps[i];
    }
  }
}

}  // namespace
}  // namespace trm
