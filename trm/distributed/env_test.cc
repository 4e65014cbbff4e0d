#include "trm/distributed/env.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

absl::StatusOr<DistributedEnv> Parse(const std::map<std::string, std::string>& vars) {
  return DistributedEnvFrom([&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(DistributedEnvTest, NothingSetIsOneProcess) {
  auto env = Parse({});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->rank, 0);
  EXPECT_EQ(env->world_size, 1);
  EXPECT_EQ(env->local_world_size, 1);
}

TEST(DistributedEnvTest, ReadsTorchrunVariables) {
  auto env = Parse({{"RANK", "3"},
                    {"WORLD_SIZE", "8"},
                    {"LOCAL_RANK", "1"},
                    {"LOCAL_WORLD_SIZE", "4"},
                    {"MASTER_ADDR", "node0"},
                    {"MASTER_PORT", "29400"},
                    {"TORCHELASTIC_USE_AGENT_STORE", "True"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->world_size, 8);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->local_world_size, 4);
  EXPECT_EQ(env->master_addr, "node0");
  EXPECT_EQ(env->master_port, 29400);
  EXPECT_TRUE(env->agent_hosts_store);
}

TEST(DistributedEnvTest, ErrorsNameTheVariable) {
  EXPECT_THAT(std::string(Parse({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).status().message()),
              testing::HasSubstr("RANK='x'"));
  EXPECT_THAT(
      std::string(
          Parse({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}).status().message()),
      testing::HasSubstr("not below WORLD_SIZE"));
  EXPECT_THAT(std::string(Parse({{"RANK", "0"}}).status().message()),
              testing::HasSubstr("RANK and WORLD_SIZE"));
  EXPECT_THAT(
      std::string(
          Parse({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}).status().message()),
      testing::HasSubstr("MASTER_PORT"));
  EXPECT_FALSE(Parse({{"RANK", "0"}, {"WORLD_SIZE", "2"}}).ok());  // no rendezvous address
  EXPECT_THAT(std::string(Parse({{"RANK", "1"},
                                 {"WORLD_SIZE", "4"},
                                 {"LOCAL_RANK", "2"},
                                 {"LOCAL_WORLD_SIZE", "2"},
                                 {"MASTER_PORT", "1"}})
                              .status()
                              .message()),
              testing::HasSubstr("LOCAL_RANK=2 is not below LOCAL_WORLD_SIZE=2"));
}

TEST(DistributedEnvTest, OneProcessIgnoresAStrayLocalWorldSize) {
  auto env = Parse({{"LOCAL_WORLD_SIZE", "8"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->local_world_size, 1);
}

TEST(DistributedEnvTest, TorchrunWithoutLocalWorldSizeSharesTheMachineWithAllRanks) {
  auto env = Parse({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "29400"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->local_world_size, 2);
}

// What srun sets for task 3 of `srun --nodes=2 --ntasks=5` (3 tasks on the first node), job 123.
std::map<std::string, std::string> SrunStep() {
  return {{"SLURM_JOB_ID", "123"},
          {"SLURM_STEP_ID", "2"},
          {"SLURM_PROCID", "3"},
          {"SLURM_LOCALID", "0"},
          {"SLURM_NODEID", "1"},
          {"SLURM_NTASKS", "5"},
          {"SLURM_STEP_NUM_TASKS", "5"},
          {"SLURM_STEP_TASKS_PER_NODE", "3,2"},
          {"SLURM_TASKS_PER_NODE", "3,2"},
          {"SLURM_STEP_NODELIST", "gpu[07-08]"},
          {"SLURM_JOB_NODELIST", "gpu[07-08]"}};
}

std::map<std::string, std::string> With(std::map<std::string, std::string> vars,
                                        const std::map<std::string, std::string>& changes) {
  for (const auto& [name, value] : changes) {
    if (value.empty()) {
      vars.erase(name);
    } else {
      vars[name] = value;
    }
  }
  return vars;
}

std::string Error(const std::map<std::string, std::string>& vars) {
  auto env = Parse(vars);
  return env.ok() ? "ok" : std::string(env.status().message());
}

TEST(DistributedEnvTest, ReadsAnSrunStep) {
  auto env = Parse(SrunStep());
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->world_size, 5);
  EXPECT_EQ(env->local_rank, 0);
  EXPECT_EQ(env->local_world_size, 2);
  EXPECT_EQ(env->master_addr, "gpu07");
  EXPECT_EQ(env->master_port, 15000 + 1232);
  EXPECT_FALSE(env->agent_hosts_store);
}

TEST(DistributedEnvTest, SrunStepPortsDifferBetweenJobsAndSteps) {
  auto a = Parse(With(SrunStep(), {{"SLURM_JOB_ID", "1000000"}, {"SLURM_STEP_ID", "0"}}));
  auto b = Parse(With(SrunStep(), {{"SLURM_JOB_ID", "1000001"}, {"SLURM_STEP_ID", "0"}}));
  auto c = Parse(With(SrunStep(), {{"SLURM_JOB_ID", "1000000"}, {"SLURM_STEP_ID", "1"}}));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->master_port, b->master_port);
  EXPECT_NE(a->master_port, c->master_port);
  for (const auto* env : {&*a, &*b, &*c}) {
    EXPECT_GE(env->master_port, 15000);
    EXPECT_LT(env->master_port, 32000);  // below the ephemeral ports
  }
}

TEST(DistributedEnvTest, SrunStepTakesMasterAddressAndPortFromTheEnvironmentWhenSet) {
  auto env = Parse(With(SrunStep(), {{"MASTER_ADDR", "head"}, {"MASTER_PORT", "29400"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->master_addr, "head");
  EXPECT_EQ(env->master_port, 29400);
}

TEST(DistributedEnvTest, SrunStepFallsBackToJobLevelVariables) {
  auto env = Parse(With(SrunStep(), {{"SLURM_STEP_NUM_TASKS", ""},
                                     {"SLURM_STEP_TASKS_PER_NODE", ""},
                                     {"SLURM_STEP_NODELIST", ""},
                                     {"SLURM_NTASKS", "6"},
                                     {"SLURM_TASKS_PER_NODE", "3(x2)"},
                                     {"SLURM_JOB_NODELIST", "cpu1,gpu[07-08]"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->world_size, 6);
  EXPECT_EQ(env->local_world_size, 3);
  EXPECT_EQ(env->master_addr, "cpu1");
}

TEST(DistributedEnvTest, TorchrunVariablesWinOverSlurm) {
  auto env = Parse(With(SrunStep(), {{"RANK", "0"}, {"WORLD_SIZE", "1"}}));
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->rank, 0);
  EXPECT_EQ(env->world_size, 1);
  EXPECT_EQ(env->master_port, 29500);
}

// A batch script that runs the tool without srun: one process, however many tasks the job has.
TEST(DistributedEnvTest, BatchStepWithoutSrunIsOneProcess) {
  auto env = Parse({{"SLURM_JOB_ID", "7"},
                    {"SLURM_PROCID", "0"},
                    {"SLURM_LOCALID", "0"},
                    {"SLURM_NTASKS", "2"},
                    {"SLURM_TASKS_PER_NODE", "2"},
                    {"SLURM_JOB_NODELIST", "vm"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->world_size, 1);
  EXPECT_EQ(env->local_world_size, 1);
}

TEST(DistributedEnvTest, OneTaskSrunStepNeedsNoRendezvous) {
  auto env = Parse({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "1"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->world_size, 1);
  EXPECT_EQ(env->local_world_size, 1);
}

TEST(DistributedEnvTest, SrunStepErrorsNameTheVariable) {
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_PROCID", ""}})),
              testing::HasSubstr("SLURM_PROCID is not set in an srun step"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_PROCID", "5"}})),
              testing::HasSubstr("SLURM_PROCID=5 is not below SLURM_STEP_NUM_TASKS=5"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_STEP_NUM_TASKS", "many"}})),
              testing::HasSubstr("SLURM_STEP_NUM_TASKS='many'"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_STEP_TASKS_PER_NODE", "3(x"}})),
              testing::HasSubstr("SLURM_STEP_TASKS_PER_NODE='3(x': bad entry"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_STEP_TASKS_PER_NODE", "5"}})),
              testing::HasSubstr("SLURM_STEP_TASKS_PER_NODE='5': no entry for node 1"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_LOCALID", "2"}})),
              testing::HasSubstr("SLURM_LOCALID=2 is not below SLURM_STEP_TASKS_PER_NODE[1]=2"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_STEP_NODELIST", "gpu[07-"}})),
              testing::HasSubstr("SLURM_STEP_NODELIST='gpu[07-'"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_STEP_NODELIST", ""}, {"SLURM_JOB_NODELIST", ""}})),
              testing::HasSubstr("SLURM_JOB_NODELIST is not set"));
  EXPECT_THAT(Error(With(SrunStep(), {{"SLURM_JOB_ID", ""}})),
              testing::HasSubstr("SLURM_JOB_ID is not set"));
  EXPECT_THAT(Error(With(SrunStep(), {{"MASTER_PORT", "70000"}})),
              testing::HasSubstr("MASTER_PORT=70000 is not a port"));
  for (const auto& name : {"SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID",
                           "SLURM_STEP_NODELIST", "SLURM_STEP_TASKS_PER_NODE"}) {
    EXPECT_EQ(Error(With(SrunStep(), {{name, "x[y"}})).find('\n'), std::string::npos) << name;
  }
}

TEST(HostlistTest, FirstHost) {
  EXPECT_EQ(FirstHostOfHostlist("node[01-04,07],gpu5").value(), "node01");
  EXPECT_EQ(FirstHostOfHostlist("gpu5,node[01-04,07]").value(), "gpu5");
  EXPECT_EQ(FirstHostOfHostlist("vm").value(), "vm");
  EXPECT_EQ(FirstHostOfHostlist("n[7,3-4]").value(), "n7");
  EXPECT_EQ(FirstHostOfHostlist("rack[2-3]-n[8-9]").value(), "rack2-n8");
  EXPECT_EQ(FirstHostOfHostlist("a[001-100].cluster").value(), "a001.cluster");
}

TEST(HostlistTest, RejectsMalformedLists) {
  for (const char* bad : {"", ",node1", "node[01", "node]01", "node[]", "node[a-b]", "node[1-2-3]",
                          "node[1,]", "[1-2"}) {
    EXPECT_FALSE(FirstHostOfHostlist(bad).ok()) << bad;
  }
  EXPECT_EQ(FirstHostOfHostlist("[1-2]").value(), "1");  // numeric host names exist
}

TEST(TasksPerNodeTest, ExpandsRepeats) {
  const std::vector<int> expected = {2, 2, 2, 1};
  for (int node = 0; node < 4; ++node)
    EXPECT_EQ(TasksOnNode("2(x3),1", node).value(), expected[node]);
  EXPECT_EQ(TasksOnNode("4", 0).value(), 4);
  EXPECT_FALSE(TasksOnNode("2(x3),1", 4).ok());
  for (const char* bad : {"", "x", "0", "2(x0)", "2(3)", "2(x3", "2,,1", "-1"}) {
    EXPECT_FALSE(TasksOnNode(bad, 0).ok()) << bad;
  }
}

}  // namespace
}  // namespace trm
