#include "trm/optim/parameter_groups.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

std::vector<std::pair<std::string, at::Tensor>> Params(const std::vector<std::string>& names) {
  std::vector<std::pair<std::string, at::Tensor>> params;
  for (const std::string& name : names) params.emplace_back(name, at::zeros({1}));
  return params;
}

TEST(ParameterGroupsTest, UnmatchedParametersUseTheOptimizerSettings) {
  config::OptimizerConfig config;
  config.set_lr(1e-4);
  config.set_weight_decay(0.1);
  auto settings = ResolveParameterGroups(config, Params({"a", "b"}));
  ASSERT_TRUE(settings.ok()) << settings.status();
  ASSERT_EQ(settings->size(), 2u);
  EXPECT_DOUBLE_EQ((*settings)[0].lr_scale, 1.0);
  EXPECT_DOUBLE_EQ((*settings)[1].weight_decay, 0.1);
}

TEST(ParameterGroupsTest, FirstMatchingGroupWins) {
  config::OptimizerConfig config;
  config.set_lr(1e-4);
  config.set_weight_decay(0.1);
  auto* embeddings = config.add_param_groups();
  embeddings->set_name_regex("embed_tokens|lm_head");
  embeddings->set_lr(1e-3);
  auto* no_decay = config.add_param_groups();
  no_decay->set_name_regex("\\.bias$");
  no_decay->set_weight_decay(0.0);
  auto settings = ResolveParameterGroups(
      config, Params({"inner.embed_tokens.embedding_weight", "inner.q_head.bias",
                      "inner.q_head.weight", "inner.lm_head.bias"}));
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_DOUBLE_EQ((*settings)[0].lr_scale, 10.0);
  EXPECT_DOUBLE_EQ((*settings)[0].weight_decay, 0.1);
  EXPECT_DOUBLE_EQ((*settings)[1].lr_scale, 1.0);
  EXPECT_DOUBLE_EQ((*settings)[1].weight_decay, 0.0);
  EXPECT_DOUBLE_EQ((*settings)[2].weight_decay, 0.1);
  EXPECT_DOUBLE_EQ((*settings)[3].lr_scale, 10.0);  // the first group matched first
}

TEST(ParameterGroupsTest, BadRegexIsNamed) {
  config::OptimizerConfig config;
  config.set_name("adam_atan2");
  config.add_param_groups()->set_name_regex("(unclosed");
  auto settings = ResolveParameterGroups(config, Params({"a"}));
  ASSERT_FALSE(settings.ok());
  EXPECT_THAT(std::string(settings.status().message()),
              testing::HasSubstr("optimizer 'adam_atan2' param_groups[0].name_regex"));
}

TEST(ParameterGroupsTest, GroupLrNeedsANonZeroBase) {
  config::OptimizerConfig config;
  config.set_lr(0);
  auto* group = config.add_param_groups();
  group->set_name_regex("a");
  group->set_lr(1.0);
  EXPECT_FALSE(ResolveParameterGroups(config, Params({"a"})).ok());
}

}  // namespace
}  // namespace trm
