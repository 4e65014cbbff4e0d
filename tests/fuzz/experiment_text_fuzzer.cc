// Experiment text protos (ParseTextProto, ValidateExperiment, ExperimentToText), with a
// plugin-style extension ([trm.config.testing.test_data]) linked in.
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "trm/config/experiment_loader.h"
#include "trm/config/testdata/test_extension.pb.h"

TRM_FUZZ_TARGET(experiment_text) {
  using namespace trm::config;
  Experiment experiment;
  absl::Status parsed = ParseTextProto(std::string(input), "fuzz.textproto", &experiment);
  if (!parsed.ok()) {
    TRM_FUZZ_CHECK(!parsed.message().empty(), "error without a message");
    return;
  }
  (void)ValidateExperiment(experiment);
  // The printed form (defaults filled in) parses back.
  const std::string text = ExperimentToText(experiment);
  Experiment back;
  absl::Status reparsed = ParseTextProto(text, "printed", &back);
  TRM_FUZZ_CHECK(reparsed.ok(), std::string(reparsed.message()));
}
