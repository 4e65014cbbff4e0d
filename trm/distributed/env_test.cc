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
}

TEST(DistributedEnvTest, ReadsTorchrunVariables) {
  auto env = Parse({{"RANK", "3"},
                    {"WORLD_SIZE", "8"},
                    {"LOCAL_RANK", "1"},
                    {"MASTER_ADDR", "node0"},
                    {"MASTER_PORT", "29400"},
                    {"TORCHELASTIC_USE_AGENT_STORE", "True"}});
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->rank, 3);
  EXPECT_EQ(env->world_size, 8);
  EXPECT_EQ(env->local_rank, 1);
  EXPECT_EQ(env->master_addr, "node0");
  EXPECT_EQ(env->master_port, 29400);
  EXPECT_TRUE(env->agent_hosts_store);
}

TEST(DistributedEnvTest, ErrorsNameTheVariable) {
  EXPECT_THAT(std::string(Parse({{"RANK", "x"}, {"WORLD_SIZE", "2"}}).status().message()),
              testing::HasSubstr("RANK='x'"));
  EXPECT_THAT(std::string(Parse({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}})
                              .status()
                              .message()),
              testing::HasSubstr("not below WORLD_SIZE"));
  EXPECT_THAT(std::string(Parse({{"RANK", "0"}}).status().message()),
              testing::HasSubstr("RANK and WORLD_SIZE"));
  EXPECT_THAT(std::string(Parse({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}})
                              .status()
                              .message()),
              testing::HasSubstr("MASTER_PORT"));
  EXPECT_FALSE(Parse({{"RANK", "0"}, {"WORLD_SIZE", "2"}}).ok());  // no rendezvous address
}

}  // namespace
}  // namespace trm
