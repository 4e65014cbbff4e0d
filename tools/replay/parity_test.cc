#include "tools/replay/parity.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/runfiles.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/testing/test_device.h"

namespace trm::parity {
namespace {

using ::testing::HasSubstr;

std::string CaseDir(const std::string& name) {
  return trm::testing::RunfilePath("tests/golden/" + name);
}

void LoadPlugins() {
  const absl::Status status = trm::testing::LoadPluginsForTest();
  ASSERT_TRUE(status.ok()) << status;
}

class ParityTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { LoadPlugins(); }
};

TEST_P(ParityTest, EveryStoredTensorIsWithinTheCaseTolerances) {
  ParityOptions options;
  // On the test device (the GPU in tools/gpu/device_check.sh), within the same tolerances.
  if (GetParam() != "ops") options.device = trm::testing::TestDevice();
  const absl::StatusOr<ParityReport> report = RunParityCase(CaseDir(GetParam()), options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << report->ToString();
  // Every stored tensor is compared (unmatched ones would be failures), and there are many.
  EXPECT_GE(report->comparisons.size(), 15u);
}

INSTANTIATE_TEST_SUITE_P(ReferenceFixtures, ParityTest,
                         ::testing::Values("trm_att", "trm_mlp", "hrm", "trm_singlez", "trm_hier6",
                                           "transformer_baseline", "ops"),
                         [](const auto& info) { return info.param; });

// The same cases with the weights in the reference's own formats: the fixtures' torch.save of a
// plain dict, and a checkpoint as the reference's training writes it (an OrderedDict with
// "_orig_mod.model." keys).
class ParityWeightsFormatTest
    : public ::testing::TestWithParam<std::pair<std::string, std::string>> {
 protected:
  static void SetUpTestSuite() { LoadPlugins(); }
};

TEST_P(ParityWeightsFormatTest, PassesWithWeightsFromThisFile) {
  ParityOptions options;
  options.weights_path = CaseDir(GetParam().first) + "/" + GetParam().second;
  const absl::StatusOr<ParityReport> report = RunParityCase(CaseDir(GetParam().first), options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->passed()) << report->ToString();
}

INSTANTIATE_TEST_SUITE_P(
    ReferenceFormats, ParityWeightsFormatTest,
    ::testing::Values(std::pair<std::string, std::string>{"trm_att", "weights.pt"},
                      std::pair<std::string, std::string>{"trm_att", "reference_checkpoint.pt"},
                      std::pair<std::string, std::string>{"trm_mlp", "weights.pt"},
                      std::pair<std::string, std::string>{"hrm", "weights.pt"},
                      std::pair<std::string, std::string>{"hrm", "reference_checkpoint.pt"}),
    [](const auto& info) {
      std::string name = info.param.first + "_" + info.param.second;
      std::replace(name.begin(), name.end(), '.', '_');
      return name;
    });

// Configurations the fixtures do not cover, against our own float64 oracle (see
// tests/golden/self/regenerate.sh): consistency and regression checks, not reference parity.
INSTANTIATE_TEST_SUITE_P(
    SelfConsistencyCases, ParityTest,
    ::testing::Values("self/hrm_learned_h2_l1", "self/transformer_baseline_uneven_heads",
                      "self/trm_act_continue", "self/trm_hier6", "self/trm_learned_derived_prefix",
                      "self/trm_mlp_t_learned", "self/trm_no_puzzle_embedding", "self/trm_singlez",
                      "self/trm_wide_heads8"),
    [](const auto& info) { return info.param.substr(info.param.find('/') + 1); });

class ParityNegativeTest : public ParityTest {};

// Writes the case's weights with `name` scaled by `factor` and returns the file.
std::string PerturbedWeights(const std::string& name, double factor) {
  absl::StatusOr<std::map<std::string, at::Tensor>> weights =
      ReadSafetensors(CaseDir("trm_att") + "/weights.safetensors");
  EXPECT_TRUE(weights.ok()) << weights.status();
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [key, tensor] : *weights) {
    tensors.emplace_back(key, key == name ? tensor * factor : tensor);
  }
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/perturbed.safetensors";
  const absl::Status status = WriteSafetensors(path, tensors);
  EXPECT_TRUE(status.ok()) << status;
  return path;
}

TEST_F(ParityNegativeTest, SlightlyWrongWeightsFail) {
  ParityOptions options;
  options.weights_path =
      PerturbedWeights("model.inner.L_level.layers.1.mlp.down_proj.weight", 1.001);
  const absl::StatusOr<ParityReport> report = RunParityCase(CaseDir("trm_att"), options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->passed());
  EXPECT_THAT(report->ToString(), HasSubstr("eval.step1.logits"));
  EXPECT_THAT(report->ToString(), HasSubstr("FAIL"));
}

TEST_F(ParityNegativeTest, UnknownDeviceIsAnErrorNamingIt) {
  ParityOptions options;
  options.device = "gpu7";
  const absl::StatusOr<ParityReport> report = RunParityCase(CaseDir("trm_att"), options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("device 'gpu7'"));
}

TEST_F(ParityNegativeTest, WeightsOfAnotherShapeAreAnErrorNamingTheKey) {
  ParityOptions options;
  options.weights_path = CaseDir("trm_mlp") + "/weights.safetensors";
  const absl::StatusOr<ParityReport> report = RunParityCase(CaseDir("trm_att"), options);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("inner.L_level.layers.0.mlp_t"));
}

}  // namespace
}  // namespace trm::parity
