// Every shipped experiment loads as the tools load it (all plugins, so that plugins' config
// extensions parse) and names plugins that exist.
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/runfiles.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/dataset_builder.h"
#include "trm/eval/evaluator.h"
#include "trm/model/architecture.h"

namespace trm {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ShippedExperiments() {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(testing::RunfilePath("experiments"))) {
    if (entry.path().extension() == ".textproto") paths.push_back(entry.path().string());
  }
  return paths;
}

TEST(ExperimentsTest, EveryShippedExperimentLoadsAndNamesRegisteredPlugins) {
  ASSERT_TRUE(testing::LoadPluginsForTest().ok());
  const std::vector<std::string> paths = ShippedExperiments();
  ASSERT_GE(paths.size(), 3u);
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(path, {});
    ASSERT_TRUE(experiment.ok()) << experiment.status();
    EXPECT_TRUE(DatasetBuilderRegistry().Has(experiment->data().builder()))
        << experiment->data().builder();
    EXPECT_TRUE(ArchitectureRegistry().Has(experiment->arch().name()))
        << experiment->arch().name();
    for (const config::EvaluatorConfig& evaluator : experiment->evaluators()) {
      EXPECT_TRUE(EvaluatorRegistry().Has(evaluator.name())) << evaluator.name();
    }
    // The printed config (what a run folder keeps) parses back to the same experiment.
    config::Experiment reparsed;
    ASSERT_TRUE(config::ParseTextProto(config::ExperimentToText(*experiment), path, &reparsed).ok());
    EXPECT_EQ(config::ExperimentToText(reparsed), config::ExperimentToText(*experiment));
  }
}

TEST(ExperimentsTest, PaperRecipeHasThePapersShapes) {
  ASSERT_TRUE(testing::LoadPluginsForTest().ok());
  auto experiment = config::LoadExperiment("arc2_trm", {});
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->arch().name(), "trm");
  EXPECT_EQ(experiment->arch().h_cycles(), 3);
  EXPECT_EQ(experiment->arch().l_cycles(), 4);
  EXPECT_EQ(experiment->arch().l_layers(), 2);
  EXPECT_EQ(experiment->arch().hidden_size(), 512);
  EXPECT_EQ(experiment->train().global_batch_size(), 768);
  EXPECT_EQ(experiment->train().epochs(), 100000);
  EXPECT_EQ(experiment->train().eval_interval(), 10000);
  EXPECT_DOUBLE_EQ(experiment->optimizer().lr(), 1e-4);
  EXPECT_DOUBLE_EQ(experiment->puzzle_emb_optimizer().lr(), 1e-2);
  EXPECT_TRUE(experiment->ema().enabled());
  EXPECT_EQ(experiment->data().builder(), "arc");
}

}  // namespace
}  // namespace trm
