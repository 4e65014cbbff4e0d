#include "plugins/sudoku/sudoku_builder.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/sudoku/sudoku.pb.h"
#include "plugins/sudoku/sudoku_board.h"
#include "trm/base/file_util.h"
#include "trm/data/sha256.h"

namespace trm::sudoku {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kTrainRows = 10;  // testdata/train.csv
constexpr int kTestRows = 3;    // testdata/test.csv

const char* const kFiles[] = {
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

std::string TestDataDir() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/trm/plugins/sudoku/testdata";
}

std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

// The CSV's question and answer strings, read without the plugin's parser.
std::vector<std::pair<std::string, std::string>> CsvBoards(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> boards;
  const std::vector<std::string> lines = absl::StrSplit(Read(path), '\n', absl::SkipEmpty());
  for (size_t n = 1; n < lines.size(); ++n) {
    const std::vector<std::string> fields = absl::StrSplit(lines[n], ',');
    boards.emplace_back(fields[1], fields[2]);
  }
  return boards;
}

// Tokens of a CSV board: '.' -> 1, digit d -> d + 1.
std::string Tokens(const std::string& board) {
  std::string tokens;
  for (char c : board) tokens.push_back(static_cast<char>(c == '.' ? 1 : c - '0' + 1));
  return tokens;
}

Board BoardOfTokens(const std::string& bytes, size_t offset) {
  Board board{};
  for (int cell = 0; cell < kCells; ++cell)
    board[cell] = static_cast<uint8_t>(bytes[offset + cell] - 1);
  return board;
}

// np.save's header (NumPy 1.24, format 1.0): magic, version, header length 118 (little endian),
// the dict, spaces up to a 128-byte header, newline.
std::string NpyHeader(const std::string& dict, int spaces) {
  return std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict + std::string(spaces, ' ') + "\n";
}

std::string Int32s(const std::vector<int32_t>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

std::vector<int32_t> Iota(int n) {
  std::vector<int32_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

config::DataConfig Config(int num_aug, std::optional<uint32_t> seed) {
  config::DataConfig data;
  data.set_builder("sudoku");
  data.set_num_aug(num_aug);
  if (seed.has_value()) data.set_seed(*seed);
  return data;
}

absl::StatusOr<DatasetBuildSummary> Build(const config::DataConfig& data, const std::string& out,
                                          const std::string& task_dir = TestDataDir()) {
  DatasetBuildOptions options;
  options.task_dir = task_dir;
  options.output_dir = out;
  return SudokuDatasetBuilder(data).Build(options);
}

TEST(SudokuBuilderTest, UnaugmentedFilesAreTheReferenceFormat) {
  const std::string out = FreshDir("plain") + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(Config(0, 42), out);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->splits.size(), 2u);
  EXPECT_EQ(summary->splits[0].rows, kTrainRows);
  EXPECT_EQ(summary->splits[1].groups, kTestRows);
  EXPECT_EQ(summary->num_puzzle_identifiers, 1);
  EXPECT_TRUE(summary->notices.empty());

  EXPECT_EQ(Read(out + "/identifiers.json"), R"(["<blank>"])");
  for (auto [split, n, dir_rows] :
       {std::tuple{"train", kTrainRows, 56}, std::tuple{"test", kTestRows, 57}}) {
    SCOPED_TRACE(split);
    const std::string dir = out + "/" + split + "/";
    const std::string count = std::to_string(n);
    EXPECT_EQ(Read(dir + "dataset.json"),
              "{\"pad_id\": 0, \"ignore_label_id\": 0, \"blank_identifier_id\": 0, \"vocab_size\": "
              "11, \"seq_len\": 81, \"num_puzzle_identifiers\": 1, \"total_groups\": " +
                  count + ", \"mean_puzzle_examples\": 1.0, \"total_puzzles\": " + count +
                  ", \"sets\": [\"all\"]}");
    std::string inputs, labels;
    for (const auto& [question, answer] : CsvBoards(TestDataDir() + "/" + split + ".csv")) {
      inputs += Tokens(question);
      labels += Tokens(answer);
    }
    const std::string shape = "(" + count + ", 81)";
    EXPECT_EQ(
        Read(dir + "all__inputs.npy"),
        NpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }", dir_rows) +
            inputs);
    EXPECT_EQ(
        Read(dir + "all__labels.npy"),
        NpyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': " + shape + ", }", dir_rows) +
            labels);
    const int spaces = n >= 10 ? 59 : 60;  // one digit less in the shape, one space more
    EXPECT_EQ(
        Read(dir + "all__puzzle_identifiers.npy"),
        NpyHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (" + count + ",), }", spaces) +
            Int32s(std::vector<int32_t>(n, 0)));
    const std::string next = std::to_string(n + 1);
    for (const char* field : {"all__puzzle_indices.npy", "all__group_indices.npy"}) {
      EXPECT_EQ(Read(dir + field),
                NpyHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (" + next + ",), }",
                          n + 1 >= 10 ? 59 : 60) +
                    Int32s(Iota(n + 1)))
          << field;
    }
  }
  // The first question by hand: "8..69." -> 8 blank blank 6 9 blank -> 9 1 1 7 10 1.
  const std::string inputs = Read(out + "/train/all__inputs.npy");
  EXPECT_EQ(inputs.substr(128, 6), std::string("\x09\x01\x01\x07\x0a\x01", 6));
  EXPECT_EQ(fs::exists(out + "/test_puzzles.json"), false);
  EXPECT_EQ(fs::exists(out + "/source"), false);

  // Pinned bytes (the checks above say why they are right).
  const std::map<std::string, std::string> pinned = {
      {"identifiers.json", "55b844f3f061906c654510cc0c4a5834e4d336540c74a68576211b20fa5f0bea"},
      {"train/dataset.json", "dc63f0eac92b219543c62d58528194a0b63155b2830915a647dc3b3f0b6cd3d3"},
      {"train/all__inputs.npy", "94b7d492fb22da539fcc7fe11326f4c789ef3cf6a77b8c08e00ec6b4b2683add"},
      {"train/all__labels.npy", "bb27d1bdd1e813568e527dad2e791871dd6e2df279ad00993b48f0f7296b2bac"},
      {"train/all__puzzle_identifiers.npy",
       "e07a47a44230c09b98073a72bf21216e9da90ebb738bf35e5fae68b3bbe599f2"},
      {"train/all__puzzle_indices.npy",
       "d403c47a54cea8d4b345da24023b046b31617bf05653ee270ec8f3107625179e"},
      {"train/all__group_indices.npy",
       "d403c47a54cea8d4b345da24023b046b31617bf05653ee270ec8f3107625179e"},
      {"test/dataset.json", "1411507d92954bece1685fb88684741d01fa076ff727522b2cc13f1ad5facf76"},
      {"test/all__inputs.npy", "39ef9cc4d90fcbdc0c898a84ad6cbf86fbb4539aa432b86908f9027cbd331757"},
      {"test/all__labels.npy", "3b71a64383926141268384927e9444434e52698f004cf61b3f878116b7d317e7"},
      {"test/all__puzzle_identifiers.npy",
       "1eeec9786e6f14468051d05b8e77f97b6319fc4d6e23fa4c7100381e725ad4a4"},
      {"test/all__puzzle_indices.npy",
       "3f7c5f11c6d38f164cb3cef1ac88a2a119a8556e3c9a14c32e2f24d8cba2521c"},
      {"test/all__group_indices.npy",
       "3f7c5f11c6d38f164cb3cef1ac88a2a119a8556e3c9a14c32e2f24d8cba2521c"},
  };
  for (const char* file : kFiles) {
    EXPECT_EQ(Sha256Hex(Read(out + "/" + file)), pinned.at(file)) << file;
  }
}

// The board `s` was applied to, from the definition (spec §11.1) backwards.
Board Unshuffle(const SudokuShuffle& s, const Board& shuffled) {
  std::array<uint8_t, 10> inverse_digit{};
  for (int d = 0; d <= 9; ++d) inverse_digit[s.digit_map[d]] = static_cast<uint8_t>(d);
  Board moved{};
  for (int i = 0; i < kSide; ++i) {
    for (int j = 0; j < kSide; ++j) {
      moved[s.row_perm[i] * kSide + s.col_perm[j]] = inverse_digit[shuffled[i * kSide + j]];
    }
  }
  Board original{};
  for (int r = 0; r < kSide; ++r) {
    for (int c = 0; c < kSide; ++c) {
      original[r * kSide + c] = s.transpose ? moved[c * kSide + r] : moved[r * kSide + c];
    }
  }
  return original;
}

TEST(SudokuBuilderTest, AugmentedGroupsAreValidShufflesInTheSeedsOrder) {
  constexpr int kAug = 3;
  const std::string out = FreshDir("augmented") + "/ds";
  ASSERT_TRUE(Build(Config(kAug, 7), out).ok());
  const std::string inputs = Read(out + "/train/all__inputs.npy");
  const std::string labels = Read(out + "/train/all__labels.npy");
  ASSERT_EQ(inputs.size(), 128u + kTrainRows * (1 + kAug) * 81);
  EXPECT_EQ(Read(out + "/train/all__group_indices.npy").substr(128),
            Int32s({0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40}));
  EXPECT_EQ(Read(out + "/train/all__puzzle_indices.npy").substr(128), Int32s(Iota(41)));
  EXPECT_THAT(Read(out + "/train/dataset.json"), HasSubstr("\"total_puzzles\": 10,"));
  // The test split is never augmented.
  EXPECT_EQ(Read(out + "/test/all__inputs.npy").size(), 128u + kTestRows * 81);

  NumpyRandomState replay(7);
  int row = 0;
  for (const auto& [question, answer] : CsvBoards(TestDataDir() + "/train.csv")) {
    const Board q0 = BoardOfTokens(inputs, 128 + row * 81),
                a0 = BoardOfTokens(labels, 128 + row * 81);
    EXPECT_EQ(inputs.substr(128 + row * 81, 81), Tokens(question));
    ++row;
    for (int m = 1; m <= kAug; ++m, ++row) {
      const Board q = BoardOfTokens(inputs, 128 + row * 81),
                  a = BoardOfTokens(labels, 128 + row * 81);
      EXPECT_EQ(SolutionError(a), "") << "row " << row;
      EXPECT_EQ(GivensError(q, a), "") << "row " << row;
      EXPECT_EQ(CountGivens(q), CountGivens(q0)) << "row " << row;
      const SudokuShuffle shuffle = SudokuShuffle::Draw(replay);
      EXPECT_EQ(Unshuffle(shuffle, q), q0) << "row " << row;
      EXPECT_EQ(Unshuffle(shuffle, a), a0) << "row " << row;
    }
  }
}

TEST(SudokuBuilderTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const std::string dir = FreshDir("seeds");
  ASSERT_TRUE(Build(Config(2, 5), dir + "/a").ok());
  ASSERT_TRUE(Build(Config(2, 5), dir + "/b").ok());
  ASSERT_TRUE(Build(Config(2, 6), dir + "/c").ok());
  for (const char* file : kFiles) {
    EXPECT_EQ(Read(dir + "/a/" + file), Read(dir + "/b/" + file)) << file;
  }
  EXPECT_NE(Read(dir + "/a/train/all__inputs.npy"), Read(dir + "/c/train/all__inputs.npy"));
}

TEST(SudokuBuilderTest, UnsetSeedIsDrawnAndReported) {
  const std::string dir = FreshDir("unseeded");
  absl::StatusOr<DatasetBuildSummary> summary = Build(Config(2, std::nullopt), dir + "/a");
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->notices.size(), 1u);
  const std::string& notice = summary->notices[0];
  EXPECT_THAT(notice, HasSubstr("data.seed is unset: drew seed "));
  const std::string seed = notice.substr(
      notice.rfind('=') + 1, notice.find(' ', notice.rfind('=')) - notice.rfind('=') - 1);
  ASSERT_TRUE(Build(Config(2, static_cast<uint32_t>(std::stoul(seed))), dir + "/b").ok());
  EXPECT_EQ(Read(dir + "/a/train/all__inputs.npy"), Read(dir + "/b/train/all__inputs.npy"));
}

TEST(SudokuBuilderTest, SubsamplePicksDistinctRowsInNumpysOrder) {
  config::DataConfig data = Config(0, 42);
  data.MutableExtension(sudoku)->set_subsample_size(3);
  const std::string out = FreshDir("subsample") + "/ds";
  ASSERT_TRUE(Build(data, out).ok());
  // np.random.seed(42); np.random.choice(10, 3, replace=False) = permutation(10)[:3] = [8, 1, 5].
  const auto boards = CsvBoards(TestDataDir() + "/train.csv");
  EXPECT_EQ(Read(out + "/train/all__inputs.npy").substr(128),
            Tokens(boards[8].first) + Tokens(boards[1].first) + Tokens(boards[5].first));
  EXPECT_THAT(Read(out + "/train/dataset.json"), HasSubstr("\"total_groups\": 3,"));
  // Never the test split; a size >= the rows keeps every row in order, drawing nothing.
  EXPECT_EQ(Read(out + "/test/all__inputs.npy").size(), 128u + kTestRows * 81);
  data.MutableExtension(sudoku)->set_subsample_size(kTrainRows);
  ASSERT_TRUE(Build(data, out + "_all").ok());
  ASSERT_TRUE(Build(Config(0, 42), out + "_plain").ok());
  EXPECT_EQ(Read(out + "_all/train/all__inputs.npy"), Read(out + "_plain/train/all__inputs.npy"));
}

TEST(SudokuBuilderTest, MinDifficultyFiltersBothSplits) {
  config::DataConfig data = Config(0, 42);
  data.MutableExtension(sudoku)->set_min_difficulty(100);  // train ratings 245 359 121 224 ...
  const std::string out = FreshDir("difficulty") + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, out);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->splits[0].groups, 4);
  EXPECT_EQ(summary->splits[1].groups, 2);  // test ratings 2330 654 19
  data.MutableExtension(sudoku)->set_min_difficulty(100000);
  absl::StatusOr<DatasetBuildSummary> empty = Build(data, out + "_none");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("the train split would be empty"));
  EXPECT_FALSE(fs::exists(out + "_none"));
}

TEST(SudokuBuilderTest, GeneratesItsSourceFiles) {
  config::DataConfig data = Config(1, 3);
  SudokuGenerateOptions* generate = data.MutableExtension(sudoku)->mutable_generate();
  generate->set_train_puzzles(6);
  generate->set_test_puzzles(2);
  generate->set_givens(35);
  const std::string out = FreshDir("generate") + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, out, "/nonexistent");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->splits[0].rows, 12);
  EXPECT_EQ(summary->splits[1].rows, 2);
  const auto train = CsvBoards(out + "/source/train.csv");
  ASSERT_EQ(train.size(), 6u);
  EXPECT_EQ(CsvBoards(out + "/source/test.csv").size(), 2u);
  EXPECT_THAT(Read(out + "/source/train.csv"), HasSubstr("\ngenerated,"));
  const std::string inputs = Read(out + "/train/all__inputs.npy");
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(81 - std::count(train[k].first.begin(), train[k].first.end(), '.'), 35);
    EXPECT_EQ(inputs.substr(128 + 2 * k * 81, 81), Tokens(train[k].first));
  }
  // The same options generate the same puzzles.
  ASSERT_TRUE(Build(data, out + "_again", "/nonexistent").ok());
  EXPECT_EQ(Read(out + "/source/train.csv"), Read(out + "_again/source/train.csv"));
}

struct BadConfig {
  std::string name;
  std::function<void(config::DataConfig*)> change;
  std::string expected;
};

void PrintTo(const BadConfig& bad, std::ostream* os) { *os << bad.name; }

class SudokuBuilderConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(SudokuBuilderConfigTest, NamesTheField) {
  config::DataConfig data = Config(1, 1);
  GetParam().change(&data);
  const std::string out = FreshDir("config_" + GetParam().name) + "/ds";
  absl::StatusOr<DatasetBuildSummary> summary = Build(data, out);
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.status().message(), HasSubstr(GetParam().expected));
  EXPECT_FALSE(fs::exists(out));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SudokuBuilderConfigTest,
    ::testing::Values(
        BadConfig{"augmentations",
                  [](config::DataConfig* d) { d->add_augmentations()->set_name("dihedral_color"); },
                  "data.augmentations must be empty for the sudoku builder"},
        BadConfig{"num_aug", [](config::DataConfig* d) { d->set_num_aug(-1); },
                  "data.num_aug is -1"},
        BadConfig{"subsample",
                  [](config::DataConfig* d) { d->MutableExtension(sudoku)->set_subsample_size(0); },
                  "data.[trm.sudoku.sudoku].subsample_size is 0, must be >= 1"},
        BadConfig{"both_sources",
                  [](config::DataConfig* d) {
                    d->set_task_dir("data/sudoku-extreme");
                    d->MutableExtension(sudoku)->mutable_generate();
                  },
                  "data.[trm.sudoku.sudoku].generate and data.task_dir ('data/sudoku-extreme') "
                  "are both set"},
        BadConfig{"givens",
                  [](config::DataConfig* d) {
                    d->MutableExtension(sudoku)->mutable_generate()->set_givens(10);
                  },
                  "data.[trm.sudoku.sudoku].generate: givens is 10, must be in [17, 81]"},
        BadConfig{"test_puzzles",
                  [](config::DataConfig* d) {
                    d->MutableExtension(sudoku)->mutable_generate()->set_test_puzzles(0);
                  },
                  "data.[trm.sudoku.sudoku].generate.test_puzzles is 0, must be >= 1"}));

TEST(SudokuBuilderTest, BadOrMissingCsvFailsNamingFileAndLineAndWritesNothing) {
  const std::string dir = FreshDir("bad_csv");
  const std::string train = Read(TestDataDir() + "/train.csv");
  std::ofstream(dir + "/train.csv") << train;
  absl::StatusOr<DatasetBuildSummary> missing = Build(Config(1, 1), dir + "/out", dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr(dir + "/test.csv"));

  std::string bad = train;
  bad[bad.find('\n') + 1 + bad.substr(bad.find('\n') + 1).find(',') + 1] =
      'x';  // line 2's question
  std::ofstream(dir + "/test.csv") << bad;
  absl::StatusOr<DatasetBuildSummary> broken = Build(Config(1, 1), dir + "/out", dir);
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(),
              HasSubstr(dir + "/test.csv:2: question has 'x' at position 1"));
  EXPECT_FALSE(fs::exists(dir + "/out"));
}

TEST(SudokuBuilderTest, KeepsAnExistingDatasetUnlessOverwriting) {
  const std::string out = FreshDir("overwrite") + "/ds";
  ASSERT_TRUE(Build(Config(0, 1), out).ok());
  const std::string before = Read(out + "/train/all__inputs.npy");
  absl::StatusOr<DatasetBuildSummary> again = Build(Config(2, 1), out);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("already exists"));
  EXPECT_EQ(Read(out + "/train/all__inputs.npy"), before);

  DatasetBuildOptions options;
  options.task_dir = TestDataDir();
  options.output_dir = out;
  options.overwrite = true;
  std::vector<std::tuple<std::string, int64_t, int64_t>> progress;
  options.progress = [&](const std::string& stage, int64_t done, int64_t total) {
    progress.emplace_back(stage, done, total);
  };
  ASSERT_TRUE(SudokuDatasetBuilder(Config(2, 1)).Build(options).ok());
  EXPECT_EQ(Read(out + "/train/all__inputs.npy").size(), 128u + kTrainRows * 3 * 81);
  EXPECT_EQ(progress.back(), std::make_tuple(std::string("test"), int64_t{3}, int64_t{3}));

  std::atomic<bool> cancelled{true};
  options.cancelled = &cancelled;
  absl::StatusOr<DatasetBuildSummary> stopped = SudokuDatasetBuilder(Config(0, 1)).Build(options);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Read(out + "/train/all__inputs.npy").size(), 128u + kTrainRows * 3 * 81);
}

}  // namespace
}  // namespace trm::sudoku
