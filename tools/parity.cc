// Replays a parity case folder against our models: the reference's golden fixtures
// (fixtures/README §3, §4) or a self-consistency case written by //tools:make_parity_case.
//
//   bazel run //tools:parity -- --fixture=../shared/fixtures/trm_att [--weights=FILE]
//       [--device=cuda]
//
// Prints one line per compared tensor (name, max abs error, tolerance, PASS/FAIL) and a summary;
// exits 0 iff every tensor is within the case's tolerances.
#include "tools/replay/parity.h"

#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"

ABSL_FLAG(std::string, fixture, "",
          "Case folder: case.json, inputs/expected.safetensors, weights.");
ABSL_FLAG(std::string, weights, "", "Weights file instead of FIXTURE/weights.safetensors.");
ABSL_FLAG(std::string, device, "cpu", "Device the model runs on: cpu, cuda, cuda:N.");

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Compares our models with a parity case.\n"
                "  parity --fixture=DIR [--weights=FILE] [--device=cpu|cuda] [--threads=N]");
  const std::string fixture = absl::GetFlag(FLAGS_fixture);
  if (fixture.empty()) trm::Die(absl::InvalidArgumentError("--fixture is required (see --help)"));
  trm::parity::ParityOptions options;
  options.device = absl::GetFlag(FLAGS_device);
  if (!absl::GetFlag(FLAGS_weights).empty()) {
    options.weights_path = trm::ResolveUserPath(absl::GetFlag(FLAGS_weights));
  }
  const absl::StatusOr<trm::parity::ParityReport> report =
      trm::parity::RunParityCase(trm::ResolveUserPath(fixture), options);
  if (!report.ok()) trm::Die(report.status());
  std::cout << report->ToString();
  return report->passed() ? 0 : 1;
}
