#include "plugins/arc/arc_builder.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/test_util.h"
#include "plugins/augmentations/dihedral_color.h"
#include "plugins/augmentations/translate.h"
#include "trm/base/file_util.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::FreshDir;
using testing::WriteFile;

constexpr char kTiny[] = "tests/golden/arc_tiny/";
const char* const kDatasetFiles[] = {
    "identifiers.json",          "test_puzzles.json",
    "train/dataset.json",        "train/all__inputs.npy",
    "train/all__labels.npy",     "train/all__puzzle_identifiers.npy",
    "train/all__puzzle_indices.npy", "train/all__group_indices.npy",
    "test/dataset.json",         "test/all__inputs.npy",
    "test/all__labels.npy",      "test/all__puzzle_identifiers.npy",
    "test/all__puzzle_indices.npy",  "test/all__group_indices.npy",
};

AugmentationPipeline ReferenceAugmentations() {
  std::vector<std::unique_ptr<VariantAugmentation>> variants;
  variants.push_back(std::make_unique<plugins::DihedralColor>(config::AugmentationConfig()));
  return AugmentationPipeline(std::move(variants),
                              std::make_unique<plugins::Translate>(config::AugmentationConfig()));
}

config::DataConfig TinyConfig(std::vector<std::string> subsets, uint32_t seed, int num_aug, int start) {
  config::DataConfig data;
  data.set_input_file_prefix("tiny");
  for (const std::string& subset : subsets) data.add_subsets(subset);
  data.set_test_set_name("synth_b");
  data.set_test_set_name2("synth_c");
  data.set_allow_missing_solutions(true);
  data.set_seed(seed);
  data.set_num_aug(num_aug);
  data.set_puzzle_identifiers_start(start);
  return data;
}

config::DataConfig Arc2Config(int num_aug) {
  config::DataConfig data;
  for (const char* subset : {"training2", "evaluation2", "concept"}) data.add_subsets(subset);
  data.set_test_set_name("evaluation2");
  data.set_num_aug(num_aug);
  return data;
}

absl::StatusOr<DatasetBuildSummary> Build(const config::DataConfig& data, const std::string& task_dir,
                                          const std::string& out, int threads, bool overwrite = false,
                                          const std::atomic<bool>* cancelled = nullptr) {
  DatasetBuildOptions options;
  options.task_dir = task_dir;
  options.output_dir = out;
  options.num_threads = threads;
  options.overwrite = overwrite;
  options.cancelled = cancelled;
  return ArcDatasetBuilder(data, ReferenceAugmentations()).Build(options);
}

void ExpectSameFiles(const std::string& ours, const std::string& reference) {
  for (const char* file : kDatasetFiles) {
    auto a = ReadFileToString(ours + "/" + file);
    auto b = ReadFileToString(reference + "/" + file);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    if (*a == *b) continue;
    size_t at = 0;
    while (at < a->size() && at < b->size() && (*a)[at] == (*b)[at]) ++at;
    ADD_FAILURE() << file << " differs from the reference's at byte " << at << " (sizes " << a->size()
                  << " and " << b->size() << ")";
  }
}

TEST(ArcBuilderTest, ReproducesTheReferenceBuilderByteForByte) {
  const std::string out = FreshDir("tiny42") + "/dataset";
  auto summary = Build(TinyConfig({"synth_a", "synth_b", "synth_c"}, 42, 8, 1),
                       std::string(kTiny) + "inputs", out, 1);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ExpectSameFiles(out, std::string(kTiny) + "reference_seed42_aug8");
  // zz_black is all background on a square grid: every candidate repeats it.
  ASSERT_EQ(summary->notices.size(), 1u);
  EXPECT_THAT(summary->notices[0], HasSubstr("1 of 7 groups have fewer than 9 distinct members"));
  EXPECT_EQ(summary->num_puzzle_identifiers, 56);
}

TEST(ArcBuilderTest, ReproducesTheReferenceWithAnotherSeedStartAndThreadCount) {
  const std::string out = FreshDir("tiny7") + "/dataset";
  auto summary = Build(TinyConfig({"synth_a", "synth_c", "synth_b"}, 7, 2, 5),
                       std::string(kTiny) + "inputs", out, 3);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ExpectSameFiles(out, std::string(kTiny) + "reference_seed7_aug2_start5");
}

// Every malformed input of arc_tasks_test fails the whole build with its one-line error, and
// nothing is left in the output's folder.
TEST(ArcBuilderTest, BadInputWritesNothing) {
  config::DataConfig data;
  data.set_input_file_prefix("p");
  data.add_subsets("x");
  data.set_test_set_name("x");
  data.set_num_aug(2);
  for (const testing::MalformedInput& input : testing::MalformedInputs()) {
    const std::string root = FreshDir("bad_input_" + input.name);
    testing::WriteMalformedInput(input, root + "/tasks");
    auto summary = Build(data, root + "/tasks", root + "/out", 2);
    ASSERT_FALSE(summary.ok()) << input.name;
    EXPECT_THAT(std::string(summary.status().message()), HasSubstr(input.expected)) << input.name;
    EXPECT_FALSE(fs::exists(root + "/out")) << input.name;
    EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1) << input.name;
  }
}

TEST(ArcBuilderTest, BadConfigIsRejectedBeforeAnyWork) {
  const std::string root = FreshDir("bad_config");
  config::DataConfig no_test = TinyConfig({"synth_a"}, 42, 2, 1);
  auto summary = Build(no_test, std::string(kTiny) + "inputs", root + "/out", 1);
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("data.test_set_name 'synth_b' is not one of"));
  config::DataConfig negative = TinyConfig({"synth_a", "synth_b"}, 42, -1, 1);
  EXPECT_THAT(std::string(Build(negative, std::string(kTiny) + "inputs", root + "/out", 1).status().message()),
              HasSubstr("data.num_aug is -1"));
  EXPECT_TRUE(fs::is_empty(root));
}

TEST(ArcBuilderTest, ExistingOutputIsKeptUnlessOverwriteAndCancelledBuildsLeaveNothing) {
  const std::string root = FreshDir("existing");
  const std::string out = root + "/dataset";
  WriteFile(out + "/mine.txt", "precious");
  const config::DataConfig data = TinyConfig({"synth_a", "synth_b", "synth_c"}, 42, 1, 1);
  auto refused = Build(data, std::string(kTiny) + "inputs", out, 2);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(fs::exists(out + "/mine.txt"));

  std::atomic<bool> cancelled{true};
  auto interrupted = Build(data, std::string(kTiny) + "inputs", out, 2, /*overwrite=*/true, &cancelled);
  EXPECT_EQ(interrupted.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(fs::exists(out + "/mine.txt"));
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1);

  auto replaced = Build(data, std::string(kTiny) + "inputs", out, 2, /*overwrite=*/true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_FALSE(fs::exists(out + "/mine.txt"));
  EXPECT_TRUE(fs::exists(out + "/train/all__inputs.npy"));
}

// The reference builder on the real ARC-AGI-2 subsets with num_aug 10 (perf_reference.md: 61,295
// train rows): sha256 of every file it wrote.
TEST(ArcBuilderTest, RealArcAgi2WithTenAugmentationsMatchesTheReference) {
  const std::string tasks = testing::ArcDataDir();
  ASSERT_FALSE(tasks.empty()) << "ARC task files missing: set TRM_ARC_DIR or provide ../shared/data/arc";
  const std::string out = FreshDir("arc2_aug10") + "/dataset";
  auto summary = Build(Arc2Config(10), tasks, out, 2);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->splits.size(), 2u);
  EXPECT_EQ(summary->splits[0].rows, 61295);
  EXPECT_EQ(summary->splits[0].puzzles, 14078);
  EXPECT_EQ(summary->splits[0].groups, 1280);
  EXPECT_EQ(summary->splits[1].puzzles, 1320);
  EXPECT_EQ(summary->splits[1].groups, 120);
  EXPECT_EQ(summary->num_puzzle_identifiers, 14079);
  const std::map<std::string, std::string> reference = {
      {"identifiers.json", "23252488fb26895dfbd5be0bc17981a4a3176eb1027b0a17eacaefcb5760bd50"},
      {"test_puzzles.json", "95e54256847486892c0700aa6b548958d1e7d5bbb88c76b8d95b3730c181e561"},
      {"train/all__group_indices.npy", "6102b75069cbfe510c183dcd020ce5ff3b74b5b0b814b6ce5ec0ad1b34d527d2"},
      {"train/all__inputs.npy", "5b52d997396e7636254750b7d22fa291494463aef30915483356653e725fb0c5"},
      {"train/all__labels.npy", "034ac55cceaa65bf667ecc95ecbfe048d5bb9cb67b7ef97c3bc095e053567349"},
      {"train/all__puzzle_identifiers.npy", "e06eb96446c4528880bdffaf5ff892da56d57be849ad9e645beefb09b1412532"},
      {"train/all__puzzle_indices.npy", "d0216f8ea92d133341794901091fff5a14ebaca1fb01e67534242ac0377ed48f"},
      {"train/dataset.json", "7eb43708f083672095bb6147f8328c19b8d50c1fd422c7248088255a3fc4db59"},
      {"test/all__group_indices.npy", "0247cc08ded6b662a0533b639f9d042a34e5eda3d395896008a212487da3ba3d"},
      {"test/all__inputs.npy", "5b777a583959accb7a4cc8c379458e9206fdeb9776edae74da4608f429b265cd"},
      {"test/all__labels.npy", "a85f01c46f78fd701cce423ce9fba266b63c12471f6785b04053b33bc6bfe3df"},
      {"test/all__puzzle_identifiers.npy", "cf1a66c3c3cb9396d7f8c06d07ba242d9cd5e09cbedfceaa78d823bc79a4d5ae"},
      {"test/all__puzzle_indices.npy", "a825773aa47967ddff0344712eb9fba2596e5a0e2f2dc981c1359a418558552c"},
      {"test/dataset.json", "effcfe7d7cd08cce8e469b0d421d1cfa42132e548c3c2875e86830a387fe1863"},
  };
  for (const auto& [file, sha] : reference) EXPECT_EQ(testing::FileSha256(out + "/" + file), sha) << file;
  auto identifiers = ReadFileToString(out + "/identifiers.json");
  ASSERT_TRUE(identifiers.ok());
  // Spec §7.9: identifier 1 is 8b28cd80, identifier 2 its first augmentation.
  const std::string head = R"(["<blank>", "8b28cd80", "8b28cd80|||t3|||0768314952", )";
  EXPECT_EQ(identifiers->substr(0, head.size()), head);
}

}  // namespace
}  // namespace trm::arc
