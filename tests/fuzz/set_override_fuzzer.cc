// `--set path=value` overrides (ApplyOverride): every line of the input is one assignment, applied
// in order to an experiment that has a repeated message field and a plugin extension set.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/fuzz/fuzz_target.h"
#include "trm/config/experiment_loader.h"
#include "trm/config/testdata/test_extension.pb.h"

namespace {

constexpr char kBase[] = R"pb(
  name: "fuzz"
  arch { name: "trm" hidden_size: 64 num_heads: 2 }
  data { [trm.config.testing.test_data] { subsets: "a" subsets: "b" filter { max_side: 3 } } }
  evaluators { name: "exact_match" }
  evaluators { name: "arc" }
)pb";

}  // namespace

TRM_FUZZ_TARGET(set_override) {
  using namespace trm::config;
  Experiment experiment;
  absl::Status base = ParseTextProto(kBase, "base", &experiment);
  TRM_FUZZ_CHECK(base.ok(), std::string(base.message()));
  // Naming the extension also makes a static link keep its registration (the text names it only).
  TRM_FUZZ_CHECK(experiment.data().HasExtension(trm::config::testing::test_data),
                 "the base lost its extension");
  for (absl::string_view line : absl::StrSplit(absl::string_view(input.data(), input.size()), '\n')) {
    absl::Status applied = ApplyOverride(std::string(line), &experiment);
    if (!applied.ok()) TRM_FUZZ_CHECK(!applied.message().empty(), "error without a message");
    // ReadField takes the same paths: reading back what was set (or failing with a message).
    const std::string path(line.substr(0, line.find('=')));
    absl::StatusOr<std::string> read = ReadField(experiment, path);
    if (!read.ok()) TRM_FUZZ_CHECK(!read.status().message().empty(), "error without a message");
  }
  (void)ValidateExperiment(experiment);
  const std::string text = ExperimentToText(experiment);
  Experiment back;
  absl::Status reparsed = ParseTextProto(text, "printed", &back);
  TRM_FUZZ_CHECK(reparsed.ok(), std::string(reparsed.message()));
}
