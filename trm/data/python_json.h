// JSON in and out: parsing with one-line errors that name the file, and writing byte-identical to
// Python's `json.dump` with default arguments (", " and ": " separators, ASCII-only output, floats
// as `repr`), which is how the reference writes dataset.json, identifiers.json and
// test_puzzles.json.
#ifndef TRM_DATA_PYTHON_JSON_H_
#define TRM_DATA_PYTHON_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace trm {

// Deepest nesting of lists and objects that ParseJson accepts.
inline constexpr int kMaxJsonDepth = 512;

// Parses `text`; errors read "<source>: not valid JSON: ... at line L, column C ...". Objects keep
// their key order. A key repeated inside one object is an error naming the key (Python would keep
// the last value silently); so is nesting deeper than kMaxJsonDepth.
absl::StatusOr<nlohmann::ordered_json> ParseJson(const std::string& text,
                                                 const std::string& source);
absl::StatusOr<nlohmann::ordered_json> ReadJsonFile(const std::string& path);

// Python's float.__repr__: the shortest string that round-trips, fixed notation for exponents in
// [-4, 16), e.g. 4.332593232186176, 1.0, 1e-05, 1e+16, nan, inf.
std::string PythonFloatRepr(double value);

// json.dumps(string) with ensure_ascii=True: "\"a\\u00e9\"".
void AppendPythonJsonString(std::string_view utf8, std::string* out);

// json.dumps(value) with default arguments.
void AppendPythonJson(const nlohmann::ordered_json& value, std::string* out);
std::string PythonJsonDumps(const nlohmann::ordered_json& value);

}  // namespace trm

#endif  // TRM_DATA_PYTHON_JSON_H_
