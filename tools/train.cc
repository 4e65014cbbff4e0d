// bazel run //tools:train -- --experiment=arc2_trm_cpu
#include <iostream>

#include "absl/status/status.h"
#include "trm/app/app.h"

int main(int argc, char** argv) {
  trm::InitTool(argc, argv,
                "Trains a model: train --experiment=NAME [--set path=value ...] "
                "[--print_config] [--list_plugins]");
  const trm::config::Experiment experiment = trm::ExperimentFromFlagsOrDie();
  trm::Die(absl::UnimplementedError("training loop not yet available (experiment '" +
                                    experiment.name() + "' loaded)"));
}
