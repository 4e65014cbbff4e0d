// Describes a built dataset: metadata and the counts found in the arrays for every split, then one
// example (input and label) drawn as a grid in the ARC colours.
//
//   bazel run //tools:dataset_info -- --data=runs/data/arc2concept-aug-1000 [--split=train]
//       [--index=ROW] [--color=auto|always|never]
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "trm/app/app.h"
#include "trm/base/paths.h"
#include "plugins/arc/common/arc_encoding.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/npy.h"
#include "trm/data/python_json.h"
#include "plugins/arc/common/token_drawing.h"

ABSL_FLAG(std::string, data, "", "Dataset root (with train/ and test/).");
ABSL_FLAG(std::string, split, "train", "Split of the example to draw.");
ABSL_FLAG(int64_t, index, 0, "Row of the example to draw.");
ABSL_FLAG(std::string, color, "auto", "Colours: auto (on a terminal), always, never.");

namespace {

namespace fs = std::filesystem;

struct SplitArrays {
  trm::NpyArray inputs, labels;
  std::vector<int64_t> identifiers, puzzle_indices, group_indices;
};

using trm::OrDie;

std::string Range(const std::vector<int64_t>& cumulative) {
  if (cumulative.size() < 2) return "none";
  int64_t lo = INT64_MAX, hi = 0;
  for (size_t i = 1; i < cumulative.size(); ++i) {
    lo = std::min(lo, cumulative[i] - cumulative[i - 1]);
    hi = std::max(hi, cumulative[i] - cumulative[i - 1]);
  }
  const double mean =
      static_cast<double>(cumulative.back()) / static_cast<double>(cumulative.size() - 1);
  return absl::StrFormat("min %d, mean %.3f, max %d", lo, mean, hi);
}

std::vector<int64_t> Row(const trm::NpyArray& array, int64_t row) {
  const int64_t width = array.shape()[1];
  std::vector<int64_t> tokens(width);
  auto copy = [&](auto tag) {
    using T = decltype(tag);
    const T* data = static_cast<const T*>(array.data()) + row * width;
    for (int64_t j = 0; j < width; ++j) tokens[j] = static_cast<int64_t>(data[j]);
  };
  switch (array.dtype()) {
    case trm::NpyDtype::kUint8:
      copy(uint8_t{});
      break;
    case trm::NpyDtype::kInt32:
      copy(int32_t{});
      break;
    case trm::NpyDtype::kInt64:
      copy(int64_t{});
      break;
    default:
      trm::Die(absl::InvalidArgumentError(
          absl::StrCat(array.path(), ": cannot draw dtype ", trm::NpyDtypeName(array.dtype()))));
  }
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  trm::InitTool(
      argc, argv,
      "Describes a dataset: dataset_info --data=DIR [--split=train] [--index=ROW] [--color=auto]");
  if (absl::GetFlag(FLAGS_data).empty()) trm::Die(absl::InvalidArgumentError("--data is required"));
  const std::string root = trm::ResolveUserPath(absl::GetFlag(FLAGS_data));
  const std::string color_flag = absl::GetFlag(FLAGS_color);
  if (color_flag != "auto" && color_flag != "always" && color_flag != "never") {
    trm::Die(absl::InvalidArgumentError("--color must be auto, always or never"));
  }
  const bool color = color_flag == "always" || (color_flag == "auto" && isatty(STDOUT_FILENO) != 0);

  std::cout << "dataset " << root << "\n";
  bool any = false;
  for (const char* split : {"train", "test"}) {
    const fs::path dir = fs::path(root) / split;
    if (!fs::exists(dir / "dataset.json")) continue;
    any = true;
    const trm::DatasetMetadata m = OrDie(trm::ReadDatasetMetadata(dir.string()));
    std::cout << "\n[" << split << "] " << trm::DatasetMetadataToJson(m) << "\n";
    for (const std::string& set : m.sets) {
      auto file = [&](const char* field) {
        return (dir / absl::StrCat(set, "__", field, ".npy")).string();
      };
      SplitArrays a;
      a.inputs = OrDie(trm::NpyArray::Map(file("inputs")));
      a.labels = OrDie(trm::NpyArray::Map(file("labels")));
      a.identifiers = OrDie(OrDie(trm::NpyArray::Map(file("puzzle_identifiers"))).ToInt64());
      a.puzzle_indices = OrDie(OrDie(trm::NpyArray::Map(file("puzzle_indices"))).ToInt64());
      a.group_indices = OrDie(OrDie(trm::NpyArray::Map(file("group_indices"))).ToInt64());
      std::cout << absl::StrFormat("  set %-5s rows %d [%s x %s, %s]   puzzles %d   groups %d\n",
                                   set, a.inputs.shape()[0], absl::StrCat(a.inputs.shape()[0]),
                                   absl::StrCat(a.inputs.ndim() > 1 ? a.inputs.shape()[1] : 0),
                                   trm::NpyDtypeName(a.inputs.dtype()), a.identifiers.size(),
                                   a.group_indices.size() - 1);
      std::cout << "    examples per puzzle: " << Range(a.puzzle_indices) << "\n";
      std::cout << "    puzzles per group:   " << Range(a.group_indices) << "\n";
      const int64_t on_disk =
          static_cast<int64_t>(fs::file_size(a.inputs.path()) + fs::file_size(a.labels.path()));
      std::cout << absl::StrFormat("    inputs + labels on disk: %.3f GB\n", on_disk / 1e9);
      if (m.sets.size() == 1 &&
          (static_cast<int64_t>(a.identifiers.size()) != m.total_puzzles ||
           static_cast<int64_t>(a.group_indices.size()) - 1 != m.total_groups)) {
        std::cout
            << "    warning: the arrays disagree with dataset.json's total_puzzles/total_groups\n";
      }
    }
  }
  if (!any)
    trm::Die(
        absl::NotFoundError(absl::StrCat(root, ": no train/ or test/ split with a dataset.json")));

  // One example of --split.
  const std::string split = absl::GetFlag(FLAGS_split);
  const fs::path dir = fs::path(root) / split;
  const trm::DatasetMetadata m = OrDie(trm::ReadDatasetMetadata(dir.string()));
  auto file = [&](const char* field) {
    return (dir / absl::StrCat(m.sets[0], "__", field, ".npy")).string();
  };
  const trm::NpyArray inputs = OrDie(trm::NpyArray::Map(file("inputs")));
  const trm::NpyArray labels = OrDie(trm::NpyArray::Map(file("labels")));
  const std::vector<int64_t> identifiers =
      OrDie(OrDie(trm::NpyArray::Map(file("puzzle_identifiers"))).ToInt64());
  const std::vector<int64_t> puzzle_indices =
      OrDie(OrDie(trm::NpyArray::Map(file("puzzle_indices"))).ToInt64());
  const int64_t row = absl::GetFlag(FLAGS_index);
  if (row < 0 || row >= inputs.shape()[0]) {
    trm::Die(absl::OutOfRangeError(absl::StrCat("--index ", row, " is not a row of ", inputs.path(),
                                                " (0..", inputs.shape()[0] - 1, ")")));
  }
  const int64_t puzzle = std::upper_bound(puzzle_indices.begin(), puzzle_indices.end(), row) -
                         puzzle_indices.begin() - 1;
  std::string name = "?";
  if (fs::exists(fs::path(root) / "identifiers.json")) {
    const auto names = OrDie(trm::ReadJsonFile((fs::path(root) / "identifiers.json").string()));
    if (names.is_array() && identifiers[puzzle] < static_cast<int64_t>(names.size())) {
      name = names[identifiers[puzzle]].get<std::string>();
    }
  }
  std::cout << "\n"
            << split << " row " << row << ": puzzle " << puzzle << ", identifier "
            << identifiers[puzzle] << " (" << name << "), example "
            << row - puzzle_indices[puzzle] + 1 << " of "
            << puzzle_indices[puzzle + 1] - puzzle_indices[puzzle] << "\n";
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(m.seq_len))));
  const std::vector<int64_t> input = Row(inputs, row), label = Row(labels, row);
  if (int64_t{side} * side != m.seq_len) {
    std::cout << "input: " << absl::StrJoin(input, " ") << "\nlabel: " << absl::StrJoin(label, " ")
              << "\n";
    return 0;
  }
  std::cout << trm::DrawTokenCanvases({"input", "label"}, {input, label}, side, color)
            << trm::DrawingLegend(color);
  return 0;
}
