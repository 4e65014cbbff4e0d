// Experiments: text protos under experiments/, `--set` overrides, validation.
#ifndef TRM_CONFIG_EXPERIMENT_LOADER_H_
#define TRM_CONFIG_EXPERIMENT_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "trm/config/experiment.pb.h"

namespace trm::config {

// Finds an experiment file: `name_or_path` itself if it is a file (relative to the user's
// directory), else `<dir>/<name>.textproto` for dir in: <workspace>/experiments, the runfiles'
// experiments folder, ./experiments. NotFound lists the experiments that exist.
absl::StatusOr<std::string> FindExperimentFile(const std::string& name_or_path,
                                               const std::string& argv0 = "");

// The same search for other text protos kept under experiments/<subfolder>/ (sweeps/, ...);
// `kind` names them in the NotFound message ("unknown sweep 'x'; known sweeps: ...").
absl::StatusOr<std::string> FindConfigFile(const std::string& name_or_path,
                                           const std::string& subfolder, const std::string& kind,
                                           const std::string& argv0 = "");

// Parses a text proto; errors are one line: "<filename>:<line>:<col>: <message>".
absl::Status ParseTextProto(const std::string& text, const std::string& filename,
                            google::protobuf::Message* message);

// Applies one override "path=value" to `message`. The path is a dotted list of field names, each
// optionally indexed (`evaluators[0].name`) or an extension in brackets (`arch.[pkg.ext].field`).
// Values: scalars in their usual spelling; repeated scalars as "a,b,c" (replacing the list);
// messages as a text proto in braces (`arch={hidden_size: 64}`, replacing the field). Unknown
// fields are errors that suggest the closest names.
absl::Status ApplyOverride(const std::string& assignment, google::protobuf::Message* message);

// The value at `path` (ApplyOverride's path syntax, extensions included; repeated fields indexed)
// as text: a scalar in its usual spelling, a string unquoted, a message as a one-line text proto.
// An unset field gives its default. E.g. ReadField(experiment, "data.[trm.arc.arc].canvas_size").
absl::StatusOr<std::string> ReadField(const google::protobuf::Message& message,
                                      const std::string& path);

// Semantic checks that the schema cannot express (positive sizes, divisibility, known choices).
absl::Status ValidateExperiment(const Experiment& experiment);

// Reads, overrides and validates an experiment. `name` defaults to the file's stem.
absl::StatusOr<Experiment> LoadExperiment(const std::string& name_or_path,
                                          const std::vector<std::string>& overrides,
                                          const std::string& argv0 = "");

// Makes every default explicit (sub-messages included), so that printing shows the whole recipe.
void FillDefaults(google::protobuf::Message* message);

// The canonical text form with defaults filled in (what --print_config shows and what is saved
// beside checkpoints); parsing it back gives an equivalent experiment.
std::string ExperimentToText(const google::protobuf::Message& experiment);

}  // namespace trm::config

#endif  // TRM_CONFIG_EXPERIMENT_LOADER_H_
