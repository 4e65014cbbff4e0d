// JSON <-> Grid conversion with the ARC validation rules, for code that reads or writes ARC JSON
// (task files, submission.json). Include only from .cc files: it pulls in nlohmann/json.
#ifndef PLUGINS_ARC_COMMON_ARC_JSON_H_
#define PLUGINS_ARC_COMMON_ARC_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "plugins/arc/common/grid.h"

namespace trm {

// Ordered so that task files keep their key order (the reference iterates them in file order).
using OrderedJson = nlohmann::ordered_json;

// A non-empty rectangular list of integer rows, values 0..9, at most kMaxGridSide per side.
// Errors name `where` (e.g. "task 'abc' test[0].input") and the offending row / cell.
absl::StatusOr<Grid> GridFromJson(const OrderedJson& value, const std::string& where);

OrderedJson GridToJsonValue(const Grid& grid);

// Parses JSON text; a syntax error becomes one line naming `source` and the position, and so does
// a key repeated inside one object (see ParseJson in python_json.h).
absl::StatusOr<OrderedJson> ParseJsonText(const std::string& text, const std::string& source);

}  // namespace trm

#endif  // PLUGINS_ARC_COMMON_ARC_JSON_H_
