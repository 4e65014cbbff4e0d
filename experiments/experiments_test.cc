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

}  // namespace
}  // namespace trm
