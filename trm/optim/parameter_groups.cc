#include "trm/optim/parameter_groups.h"

#include <regex>

#include "absl/strings/str_cat.h"

namespace trm {

absl::StatusOr<std::vector<ParameterSettings>> ResolveParameterGroups(
    const config::OptimizerConfig& config,
    const std::vector<std::pair<std::string, at::Tensor>>& parameters) {
  struct Group {
    std::regex regex;
    ParameterSettings settings;
  };
  if (config.weight_decay() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("optimizer '", config.name(), "': weight_decay must be >= 0"));
  }
  std::vector<Group> groups;
  for (int i = 0; i < config.param_groups_size(); ++i) {
    const config::ParameterGroupConfig& group = config.param_groups(i);
    const std::string field = absl::StrCat("optimizer '", config.name(), "' param_groups[", i, "]");
    Group resolved;
    try {
      resolved.regex = std::regex(group.name_regex(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".name_regex '", group.name_regex(), "': ", e.what()));
    }
    if (group.has_lr()) {
      if (group.lr() < 0)
        return absl::InvalidArgumentError(absl::StrCat(field, ".lr must be >= 0"));
      if (config.lr() == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".lr needs a non-zero optimizer lr to scale from"));
      }
      resolved.settings.lr_scale = group.lr() / config.lr();
    }
    resolved.settings.weight_decay =
        group.has_weight_decay() ? group.weight_decay() : config.weight_decay();
    if (resolved.settings.weight_decay < 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".weight_decay must be >= 0"));
    }
    groups.push_back(std::move(resolved));
  }
  std::vector<ParameterSettings> settings;
  settings.reserve(parameters.size());
  for (const auto& [name, tensor] : parameters) {
    ParameterSettings chosen{1.0, config.weight_decay()};
    for (const Group& group : groups) {
      if (std::regex_search(name, group.regex)) {
        chosen = group.settings;
        break;
      }
    }
    settings.push_back(chosen);
  }
  return settings;
}

}  // namespace trm
