#include "plugins/maze/maze_builder.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/common/grid.h"
#include "plugins/maze/maze.pb.h"
#include "trm/base/file_util.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/npy.h"
#include "trm/data/numpy_random.h"
#include "trm/data/sha256.h"

namespace trm::maze {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const char* const kDatasetFiles[] = {
    "identifiers.json",
    "train/dataset.json",
    "train/all__inputs.npy",
    "train/all__labels.npy",
    "train/all__puzzle_identifiers.npy",
    "train/all__puzzle_indices.npy",
    "train/all__group_indices.npy",
    "test/dataset.json",
    "test/all__inputs.npy",
    "test/all__labels.npy",
    "test/all__puzzle_identifiers.npy",
    "test/all__puzzle_indices.npy",
    "test/all__group_indices.npy",
};

std::string TinyDir() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/trm/plugins/maze/testdata/tiny";
}

std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& path, const std::string& contents) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

std::string ReadFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

absl::StatusOr<DatasetBuildSummary> Build(const config::DataConfig& data,
                                          const std::string& task_dir, const std::string& out,
                                          bool overwrite = false,
                                          const std::atomic<bool>* cancelled = nullptr) {
  DatasetBuildOptions options;
  options.task_dir = task_dir;
  options.output_dir = out;
  options.overwrite = overwrite;
  options.cancelled = cancelled;
  return MazeDatasetBuilder(data).Build(options);
}

config::DataConfig MazeConfig() {
  config::DataConfig data;
  data.set_builder("maze");
  return data;
}

// np.save's header (NumPy 1.24): magic, version 1.0, header length 118, the dict, spaces up to
// 127 bytes, a newline.
std::string NpyHeader118(const std::string& dict) {
  return std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict + std::string(117 - dict.size(), ' ') +
         "\n";
}

std::string Bytes(const std::vector<uint8_t>& values) {
  return std::string(values.begin(), values.end());
}

std::string Int32s(const std::vector<int32_t>& values) {
  std::string out;
  for (int32_t v : values) {
    for (int b = 0; b < 4; ++b)
      out.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * b)) & 0xff));
  }
  return out;
}

// Tokens of the mazes in testdata/tiny, by hand: '#' 1, ' ' 2, 'S' 3, 'G' 4, 'o' 5.
const std::vector<uint8_t> kInputA = {3, 2, 2, 1, 1, 2, 4, 2, 2};  // "S  ## G  "
const std::vector<uint8_t> kLabelA = {3, 5, 5, 1, 1, 5, 4, 5, 5};  // "Soo##oGoo"
const std::vector<uint8_t> kInputB = {1, 3, 1, 1, 2, 1, 1, 4, 1};  // "#S## ##G#"
const std::vector<uint8_t> kLabelB = {1, 3, 1, 1, 5, 1, 1, 4, 1};  // "#S##o##G#"
const std::vector<uint8_t> kInputC = {3, 4, 2, 1, 1, 1, 2, 2, 2};  // "SG ###   " (no path cell)
const std::vector<uint8_t> kInputD = {3, 1, 2, 2, 1, 2, 2, 2, 4};  // "S#  #   G"
const std::vector<uint8_t> kLabelD = {3, 1, 2, 5, 1, 2, 5, 5, 4};  // "S# o# ooG"

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

TEST(MazeBuilderTest, TinyCsvGivesTheReferenceFiles) {
  const std::string out = FreshDir("tiny") + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(MazeConfig(), TinyDir(), out);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_THAT(summary->splits, SizeIs(2));
  EXPECT_EQ(summary->splits[0].rows, 3);
  EXPECT_EQ(summary->splits[0].groups, 3);
  EXPECT_EQ(summary->splits[1].rows, 1);
  EXPECT_THAT(summary->notices, IsEmpty());

  const std::string u1_3 = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 9), }";
  const std::string u1_1 = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 9), }";
  auto i4 = [](int n) {
    return "{'descr': '<i4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  };
  EXPECT_EQ(ReadFile(out + "/train/all__inputs.npy"),
            NpyHeader118(u1_3) + Bytes(Concat({kInputA, kInputB, kInputC})));
  EXPECT_EQ(ReadFile(out + "/train/all__labels.npy"),
            NpyHeader118(u1_3) + Bytes(Concat({kLabelA, kLabelB, kInputC})));
  EXPECT_EQ(ReadFile(out + "/train/all__puzzle_identifiers.npy"),
            NpyHeader118(i4(3)) + Int32s({0, 0, 0}));
  EXPECT_EQ(ReadFile(out + "/train/all__puzzle_indices.npy"),
            NpyHeader118(i4(4)) + Int32s({0, 1, 2, 3}));
  EXPECT_EQ(ReadFile(out + "/train/all__group_indices.npy"),
            NpyHeader118(i4(4)) + Int32s({0, 1, 2, 3}));
  EXPECT_EQ(ReadFile(out + "/test/all__inputs.npy"), NpyHeader118(u1_1) + Bytes(kInputD));
  EXPECT_EQ(ReadFile(out + "/test/all__labels.npy"), NpyHeader118(u1_1) + Bytes(kLabelD));
  EXPECT_EQ(ReadFile(out + "/test/all__puzzle_identifiers.npy"), NpyHeader118(i4(1)) + Int32s({0}));
  EXPECT_EQ(ReadFile(out + "/test/all__puzzle_indices.npy"), NpyHeader118(i4(2)) + Int32s({0, 1}));
  EXPECT_EQ(ReadFile(out + "/test/all__group_indices.npy"), NpyHeader118(i4(2)) + Int32s({0, 1}));
  // Python's json.dump of the reference's metadata, its key order.
  EXPECT_EQ(
      ReadFile(out + "/train/dataset.json"),
      "{\"pad_id\": 0, \"ignore_label_id\": 0, \"blank_identifier_id\": 0, \"vocab_size\": 6, "
      "\"seq_len\": 9, \"num_puzzle_identifiers\": 1, \"total_groups\": 3, "
      "\"mean_puzzle_examples\": 1.0, \"total_puzzles\": 3, \"sets\": [\"all\"]}");
  EXPECT_EQ(
      ReadFile(out + "/test/dataset.json"),
      "{\"pad_id\": 0, \"ignore_label_id\": 0, \"blank_identifier_id\": 0, \"vocab_size\": 6, "
      "\"seq_len\": 9, \"num_puzzle_identifiers\": 1, \"total_groups\": 1, "
      "\"mean_puzzle_examples\": 1.0, \"total_puzzles\": 1, \"sets\": [\"all\"]}");
  EXPECT_EQ(ReadFile(out + "/identifiers.json"), "[\"<blank>\"]");

  // Pinned, so that any change of the bytes is noticed.
  const std::vector<std::pair<std::string, std::string>> pinned = {
      {"identifiers.json", "55b844f3f061906c654510cc0c4a5834e4d336540c74a68576211b20fa5f0bea"},
      {"train/dataset.json", "cac44c1da6da12e750ab1e39c697816a6cdbca95909dd9bfac09aa80c5f12b8e"},
      {"train/all__inputs.npy", "a0e300f6eae1a1068fd1388a03b08c5be2c73b890c2be648fa2385fa6831f609"},
      {"train/all__labels.npy", "240fc9251d2c54a3dd166870a59d3a854de366c705d691d4e13f34cbc9806be0"},
      {"train/all__puzzle_identifiers.npy",
       "1eeec9786e6f14468051d05b8e77f97b6319fc4d6e23fa4c7100381e725ad4a4"},
      {"train/all__puzzle_indices.npy",
       "3f7c5f11c6d38f164cb3cef1ac88a2a119a8556e3c9a14c32e2f24d8cba2521c"},
      {"train/all__group_indices.npy",
       "3f7c5f11c6d38f164cb3cef1ac88a2a119a8556e3c9a14c32e2f24d8cba2521c"},
      {"test/dataset.json", "35fe2a23b4e4ef8bc2a32778a960704b59e3d39de59dc50883dbe02cbbb67101"},
      {"test/all__inputs.npy", "30c5f4174e1b429a8321863f9a7b492d12524cbd4c223d5b25ded718f3fb7ca1"},
      {"test/all__labels.npy", "854cb706daf533a9740f63288ac430fc7573d7e84c10766dba59ae487d05b874"},
      {"test/all__puzzle_identifiers.npy",
       "35318c812bd4423adc3798b53f9828b913a0b773146d65facc0e54f74004159f"},
      {"test/all__puzzle_indices.npy",
       "28d4b63fdadd72ed19f8fad1638746569959d59ee50d3e10d67810fced9dc78f"},
      {"test/all__group_indices.npy",
       "28d4b63fdadd72ed19f8fad1638746569959d59ee50d3e10d67810fced9dc78f"},
  };
  for (const auto& [file, sha] : pinned)
    EXPECT_EQ(Sha256Hex(ReadFile(out + "/" + file)), sha) << file;
  EXPECT_THAT(pinned, SizeIs(std::size(kDatasetFiles)));
  std::set<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.is_regular_file()) found.insert(fs::relative(entry.path(), out).string());
  }
  EXPECT_EQ(found, std::set<std::string>(std::begin(kDatasetFiles), std::end(kDatasetFiles)));
}

// out[i][j] of dihedral `id` (spec §7.4's table), for a square side x side grid.
uint8_t SpecDihedralCell(const std::vector<uint8_t>& a, int side, int id, int i, int j) {
  const int n = side - 1;
  switch (id) {
    case 0:
      return a[i * side + j];
    case 1:
      return a[j * side + (n - i)];
    case 2:
      return a[(n - i) * side + (n - j)];
    case 3:
      return a[(n - j) * side + i];
    case 4:
      return a[i * side + (n - j)];
    case 5:
      return a[(n - i) * side + j];
    case 6:
      return a[j * side + i];
    default:
      return a[(n - j) * side + (n - i)];
  }
}

TEST(MazeBuilderTest, AugmentationMakesGroupsOfTheEightDihedralTransforms) {
  config::DataConfig data = MazeConfig();
  data.MutableExtension(maze)->set_aug(true);
  const std::string out = FreshDir("aug") + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, TinyDir(), out);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->splits[0].rows, 24);
  EXPECT_EQ(summary->splits[0].groups, 3);

  absl::StatusOr<NpyArray> inputs = NpyArray::Map(out + "/train/all__inputs.npy");
  absl::StatusOr<NpyArray> labels = NpyArray::Map(out + "/train/all__labels.npy");
  ASSERT_TRUE(inputs.ok() && labels.ok());
  ASSERT_THAT(inputs->shape(), ElementsAre(24, 9));
  const uint8_t* in = *inputs->TypedData<uint8_t>();
  const uint8_t* lab = *labels->TypedData<uint8_t>();
  const std::vector<std::vector<uint8_t>> originals_in = {kInputA, kInputB, kInputC};
  const std::vector<std::vector<uint8_t>> originals_label = {kLabelA, kLabelB, kInputC};
  for (int g = 0; g < 3; ++g) {
    for (int k = 0; k < 8; ++k) {
      const int row = g * 8 + k;
      std::vector<uint8_t> member_in(in + row * 9, in + row * 9 + 9);
      std::vector<uint8_t> member_label(lab + row * 9, lab + row * 9 + 9);
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
          EXPECT_EQ(member_in[i * 3 + j], SpecDihedralCell(originals_in[g], 3, k, i, j))
              << "group " << g << " member " << k;
          EXPECT_EQ(member_label[i * 3 + j], SpecDihedralCell(originals_label[g], 3, k, i, j));
        }
      }
      // The inverse transform maps the member back to the maze.
      EXPECT_EQ(Dihedral(Grid(3, 3, member_in), InverseDihedralId(k)).cells, originals_in[g]);
    }
  }
  EXPECT_EQ(ReadFile(out + "/train/all__group_indices.npy").substr(128), Int32s({0, 8, 16, 24}));
  std::vector<int32_t> puzzle_indices(25);
  for (int p = 0; p <= 24; ++p) puzzle_indices[p] = p;
  EXPECT_EQ(ReadFile(out + "/train/all__puzzle_indices.npy").substr(128), Int32s(puzzle_indices));
  EXPECT_EQ(ReadFile(out + "/train/all__puzzle_identifiers.npy").substr(128),
            Int32s(std::vector<int32_t>(24, 0)));
  // The reference counts groups as puzzles (spec §11).
  EXPECT_THAT(
      ReadFile(out + "/train/dataset.json"),
      HasSubstr("\"total_groups\": 3, \"mean_puzzle_examples\": 1.0, \"total_puzzles\": 3"));
  // The test split is never augmented.
  EXPECT_EQ(ReadFile(out + "/test/all__inputs.npy").substr(128), Bytes(kInputD));
}

TEST(MazeBuilderTest, OptionsComeFromTheExtensionInTextAndOverrides) {
  config::Experiment experiment;
  ASSERT_TRUE(
      config::ParseTextProto("data { builder: 'maze' [trm.maze.maze] { subsample_size: 2 } }",
                             "inline", &experiment)
          .ok());
  ASSERT_TRUE(config::ApplyOverride("data.[trm.maze.maze].aug=true", &experiment).ok());
  const MazeDataOptions& options = experiment.data().GetExtension(maze);
  EXPECT_TRUE(options.aug());
  EXPECT_EQ(options.subsample_size(), 2);
  absl::Status unknown = config::ApplyOverride("data.[trm.maze.maze].augment=true", &experiment);
  EXPECT_THAT(unknown.message(), HasSubstr("augment"));
}

// Train mazes generated into `dir` (20 mazes of side 7) for the subsampling tests.
std::string GeneratedTaskDir(const std::string& name) {
  config::DataConfig data = MazeConfig();
  MazeGenerateOptions* generate = data.MutableExtension(maze)->mutable_generate();
  generate->set_train_mazes(20);
  generate->set_test_mazes(2);
  generate->set_side(7);
  generate->set_min_path_length(4);
  const std::string out = FreshDir(name) + "/generated";
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, "", out);
  EXPECT_TRUE(summary.ok()) << summary.status();
  return out + "/source";
}

std::vector<std::string> TrainRows(const std::string& root) {
  absl::StatusOr<NpyArray> inputs = NpyArray::Map(root + "/train/all__inputs.npy");
  EXPECT_TRUE(inputs.ok()) << inputs.status();
  if (!inputs.ok()) return {};
  const int64_t rows = inputs->shape()[0], cols = inputs->shape()[1];
  const char* data = static_cast<const char*>(inputs->data());
  std::vector<std::string> out;
  for (int64_t r = 0; r < rows; ++r) out.emplace_back(data + r * cols, cols);
  return out;
}

TEST(MazeBuilderTest, SeededSubsampleIsNumpysChoiceWithoutReplacement) {
  const std::string task_dir = GeneratedTaskDir("subsample");
  const std::string root = FreshDir("subsample_runs");
  const std::vector<std::string> all = TrainRows(fs::path(task_dir).parent_path().string());
  ASSERT_THAT(all, SizeIs(20));

  config::DataConfig data = MazeConfig();
  data.MutableExtension(maze)->set_subsample_size(5);
  data.set_seed(7);
  ASSERT_TRUE(Build(data, task_dir, root + "/a").ok());
  ASSERT_TRUE(Build(data, task_dir, root + "/b").ok());
  const std::vector<std::string> kept = TrainRows(root + "/a");
  ASSERT_THAT(kept, SizeIs(5));
  EXPECT_THAT(std::set<std::string>(kept.begin(), kept.end()), SizeIs(5));
  const std::vector<int64_t> order = NumpyRandomState(7).Permutation(20);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(kept[k], all[order[k]]) << k;
  for (const char* file : kDatasetFiles) {
    EXPECT_EQ(ReadFile(root + "/a/" + file), ReadFile(root + "/b/" + file)) << file;
  }
  // The test split is never subsampled.
  EXPECT_EQ(ReadFile(root + "/a/test/all__inputs.npy"),
            ReadFile(fs::path(task_dir).parent_path().string() + "/test/all__inputs.npy"));

  data.set_seed(8);
  ASSERT_TRUE(Build(data, task_dir, root + "/c").ok());
  EXPECT_NE(TrainRows(root + "/c"), kept);

  // A size >= the number of mazes keeps them all, in order, and draws nothing.
  data.MutableExtension(maze)->set_subsample_size(20);
  ASSERT_TRUE(Build(data, task_dir, root + "/d").ok());
  EXPECT_EQ(TrainRows(root + "/d"), all);
}

TEST(MazeBuilderTest, UnsetSeedIsDrawnAndReported) {
  const std::string task_dir = GeneratedTaskDir("unseeded");
  const std::string root = FreshDir("unseeded_runs");
  config::DataConfig data = MazeConfig();
  data.MutableExtension(maze)->set_subsample_size(5);
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, task_dir, root + "/a");
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_THAT(summary->notices, SizeIs(1));
  const std::string& notice = summary->notices[0];
  EXPECT_THAT(notice, HasSubstr("data.seed is unset"));
  // Rebuilding with the reported seed gives the same bytes.
  const std::string marker = "with seed ";
  const size_t at = notice.find(marker);
  ASSERT_NE(at, std::string::npos);
  data.set_seed(static_cast<uint32_t>(std::stoul(notice.substr(at + marker.size()))));
  ASSERT_TRUE(Build(data, task_dir, root + "/b").ok());
  EXPECT_EQ(ReadFile(root + "/a/train/all__inputs.npy"),
            ReadFile(root + "/b/train/all__inputs.npy"));
}

TEST(MazeBuilderTest, GenerateWritesTheSourceCsvsIntoTheDataset) {
  config::DataConfig data = MazeConfig();
  MazeGenerateOptions* generate = data.MutableExtension(maze)->mutable_generate();
  generate->set_train_mazes(6);
  generate->set_test_mazes(3);
  generate->set_side(9);
  generate->set_seed(5);
  const std::string root = FreshDir("generate");
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, "/nonexistent", root + "/a");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->splits[0].rows, 6);
  EXPECT_EQ(summary->splits[1].rows, 3);
  EXPECT_TRUE(fs::exists(root + "/a/source/train.csv"));
  EXPECT_THAT(ReadFile(root + "/a/train/dataset.json"), HasSubstr("\"seq_len\": 81"));
  // Rebuilding from the written CSVs gives the same dataset; so does the same seed.
  ASSERT_TRUE(Build(MazeConfig(), root + "/a/source", root + "/b").ok());
  ASSERT_TRUE(Build(data, "", root + "/c").ok());
  for (const char* file : kDatasetFiles) {
    EXPECT_EQ(ReadFile(root + "/a/" + file), ReadFile(root + "/b/" + file)) << file;
    EXPECT_EQ(ReadFile(root + "/a/" + file), ReadFile(root + "/c/" + file)) << file;
  }
}

TEST(MazeBuilderTest, ConfigErrorsNameTheField) {
  config::DataConfig data = MazeConfig();
  data.add_augmentations()->set_name("dihedral_color");
  EXPECT_THAT(Build(data, TinyDir(), FreshDir("e1") + "/ds").status().message(),
              HasSubstr("data.augmentations"));

  data = MazeConfig();
  data.set_task_dir("data/maze");
  data.MutableExtension(maze)->mutable_generate();
  EXPECT_THAT(Build(data, TinyDir(), FreshDir("e2") + "/ds").status().message(),
              HasSubstr("data.task_dir 'data/maze' and data.[trm.maze.maze].generate"));

  data = MazeConfig();
  data.MutableExtension(maze)->set_subsample_size(0);
  EXPECT_THAT(Build(data, TinyDir(), FreshDir("e3") + "/ds").status().message(),
              HasSubstr("data.[trm.maze.maze].subsample_size is 0"));

  data = MazeConfig();
  data.MutableExtension(maze)->mutable_generate()->set_side(4);
  EXPECT_THAT(Build(data, "", FreshDir("e4") + "/ds").status().message(),
              HasSubstr("data.[trm.maze.maze].generate.side is 4"));
}

struct BadCsv {
  std::string name;
  std::string train;  // "" = no train.csv
  std::string expected;
};

void PrintTo(const BadCsv& bad, std::ostream* os) { *os << bad.name; }

class BadCsvTest : public ::testing::TestWithParam<BadCsv> {};

TEST_P(BadCsvTest, FailsWithOneLineNamingFileAndLineAndWritesNothing) {
  const std::string dir = FreshDir("bad_" + GetParam().name);
  if (!GetParam().train.empty()) WriteFile(dir + "/in/train.csv", GetParam().train);
  WriteFile(dir + "/in/test.csv", "source,question,answer,rating\nx,S   ,S  G,1\n");
  absl::StatusOr<DatasetBuildSummary> summary = Build(MazeConfig(), dir + "/in", dir + "/ds");
  ASSERT_FALSE(summary.ok());
  const std::string message(summary.status().message());
  EXPECT_THAT(message, HasSubstr(dir + "/in/train.csv" + GetParam().expected));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir + "/ds"));
}

const std::string kHeader = "source,question,answer,rating\n";

INSTANTIATE_TEST_SUITE_P(
    Csv, BadCsvTest,
    ::testing::Values(
        BadCsv{"missing_file", "", ": cannot read"}, BadCsv{"empty", " ", ":1: no 'source' column"},
        BadCsv{"missing_column", "source,question,rating\nx,S  G,1\n", ":1: no 'answer' column"},
        BadCsv{"not_square", kHeader + "x,S  G,S  G,1\nx,S G,S G,1\n",
               ":3: the question has 3 characters, not the square of a grid side"},
        BadCsv{"mixed_sizes",
               kHeader + "x,S  G,S  G,1\nx,S" + std::string(7, ' ') + "G,S" + std::string(6, ' ') +
                   "oG,1\n",
               ":3: a 3x3 maze; the first maze is 2x2"},
        BadCsv{"bad_character", kHeader + "x,S  G,S  G,1\nx,S xG,S xG,1\n",
               ":3: question character 2 is 'x', expected one of \"# SGo\""},
        BadCsv{"answer_length", kHeader + "x,S  G,S G,1\n", ":2: the answer has 3 characters"},
        BadCsv{"field_count", kHeader + "x,S  G,S  G\n", ":2: 3 fields, the header has 4"},
        BadCsv{"open_quote", kHeader + "\"x,S  G,S  G,1\n", ":2: a quoted field is never closed"},
        BadCsv{"no_mazes", kHeader, ": no mazes"}),
    [](const ::testing::TestParamInfo<BadCsv>& info) { return info.param.name; });

TEST(MazeBuilderTest, ExistingOutputIsKeptUnlessOverwriteAndCancelLeavesNothing) {
  const std::string root = FreshDir("existing");
  WriteFile(root + "/ds/keep.txt", "old");
  EXPECT_FALSE(Build(MazeConfig(), TinyDir(), root + "/ds").ok());
  EXPECT_EQ(ReadFile(root + "/ds/keep.txt"), "old");
  ASSERT_TRUE(Build(MazeConfig(), TinyDir(), root + "/ds", /*overwrite=*/true).ok());
  EXPECT_FALSE(fs::exists(root + "/ds/keep.txt"));
  EXPECT_TRUE(fs::exists(root + "/ds/train/dataset.json"));

  // Enough rows for a cancellation check (every 4096 rows).
  config::DataConfig data = MazeConfig();
  MazeGenerateOptions* generate = data.MutableExtension(maze)->mutable_generate();
  generate->set_train_mazes(600);
  generate->set_test_mazes(1);
  generate->set_side(9);
  generate->set_min_path_length(4);
  data.MutableExtension(maze)->set_aug(true);
  const std::atomic<bool> cancelled{true};
  absl::StatusOr<DatasetBuildSummary> summary =
      Build(data, "", root + "/cancelled", false, &cancelled);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(std::vector<fs::path>(fs::directory_iterator(root), fs::directory_iterator()),
              SizeIs(1));  // only ds/
}

}  // namespace
}  // namespace trm::maze
