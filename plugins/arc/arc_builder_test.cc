#include "plugins/arc/arc_builder.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/arc.pb.h"
#include "plugins/arc/test_util.h"
#include "plugins/augmentations/dihedral_color.h"
#include "plugins/augmentations/translate.h"
#include "trm/base/file_util.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;
using testing::FreshDir;
using ::testing::HasSubstr;
using testing::WriteFile;

constexpr char kTiny[] = "tests/golden/arc_tiny/";
const char* const kDatasetFiles[] = {
    "identifiers.json",
    "test_puzzles.json",
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

AugmentationPipeline ReferenceAugmentations() {
  std::vector<std::unique_ptr<VariantAugmentation>> variants;
  variants.push_back(std::make_unique<plugins::DihedralColor>(config::AugmentationConfig()));
  return AugmentationPipeline(std::move(variants),
                              std::make_unique<plugins::Translate>(config::AugmentationConfig()));
}

config::DataConfig TinyConfig(std::vector<std::string> subsets, uint32_t seed, int num_aug,
                              int start) {
  config::DataConfig data;
  ArcDataOptions& options = *data.MutableExtension(arc);
  options.set_input_file_prefix("tiny");
  for (const std::string& subset : subsets) options.add_subsets(subset);
  options.set_test_set_name("synth_b");
  options.set_test_set_name2("synth_c");
  options.set_allow_missing_solutions(true);
  data.set_seed(seed);
  data.set_num_aug(num_aug);
  options.set_puzzle_identifiers_start(start);
  return data;
}

[[maybe_unused]] config::DataConfig ArcConfig(const std::vector<std::string>& subsets,
                                              const std::string& test_set, int num_aug) {
  config::DataConfig data;
  for (const std::string& subset : subsets) data.MutableExtension(arc)->add_subsets(subset);
  data.MutableExtension(arc)->set_test_set_name(test_set);
  data.set_num_aug(num_aug);
  return data;
}

absl::StatusOr<DatasetBuildSummary> Build(const config::DataConfig& data,
                                          const std::string& task_dir, const std::string& out,
                                          int threads, bool overwrite = false,
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
    ADD_FAILURE() << file << " differs from the reference's at byte " << at << " (sizes "
                  << a->size() << " and " << b->size() << ")";
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
  data.MutableExtension(arc)->set_input_file_prefix("p");
  data.MutableExtension(arc)->add_subsets("x");
  data.MutableExtension(arc)->set_test_set_name("x");
  data.set_num_aug(2);
  for (const testing::MalformedInput& input : testing::MalformedInputs()) {
    const std::string root = FreshDir("bad_input_" + input.name);
    testing::WriteMalformedInput(input, root + "/tasks");
    auto summary = Build(data, root + "/tasks", root + "/out", 2);
    ASSERT_FALSE(summary.ok()) << input.name;
    EXPECT_THAT(std::string(summary.status().message()), HasSubstr(input.expected)) << input.name;
    EXPECT_FALSE(fs::exists(root + "/out")) << input.name;
    EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1)
        << input.name;
  }
}

TEST(ArcBuilderTest, BadConfigIsRejectedBeforeAnyWork) {
  const std::string root = FreshDir("bad_config");
  config::DataConfig no_test = TinyConfig({"synth_a"}, 42, 2, 1);
  auto summary = Build(no_test, std::string(kTiny) + "inputs", root + "/out", 1);
  EXPECT_THAT(std::string(summary.status().message()),
              HasSubstr("data.[trm.arc.arc].test_set_name 'synth_b' is not one of"));
  config::DataConfig negative = TinyConfig({"synth_a", "synth_b"}, 42, -1, 1);
  EXPECT_THAT(
      std::string(
          Build(negative, std::string(kTiny) + "inputs", root + "/out", 1).status().message()),
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
  auto interrupted =
      Build(data, std::string(kTiny) + "inputs", out, 2, /*overwrite=*/true, &cancelled);
  EXPECT_EQ(interrupted.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(fs::exists(out + "/mine.txt"));
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1);

  auto replaced = Build(data, std::string(kTiny) + "inputs", out, 2, /*overwrite=*/true);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_FALSE(fs::exists(out + "/mine.txt"));
  EXPECT_TRUE(fs::exists(out + "/train/all__inputs.npy"));
}

#ifdef TRM_FULL_ARC_DATA
// The full-data suite (//tests/full_data) compiles these; they need the whole ARC files.

// The reference builder on the real ARC-AGI-2 subsets with num_aug 10 (perf_reference.md: 61,295
// train rows): sha256 of every file it wrote.
TEST(ArcBuilderTest, RealArcAgi2WithTenAugmentationsMatchesTheReference) {
  const std::string tasks = testing::ArcDataDir();
  ASSERT_FALSE(tasks.empty()) << testing::kMissingArcData;
  const std::string out = FreshDir("arc2_aug10") + "/dataset";
  auto summary =
      Build(ArcConfig({"training2", "evaluation2", "concept"}, "evaluation2", 10), tasks, out, 2);
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
      {"train/all__group_indices.npy",
       "6102b75069cbfe510c183dcd020ce5ff3b74b5b0b814b6ce5ec0ad1b34d527d2"},
      {"train/all__inputs.npy", "5b52d997396e7636254750b7d22fa291494463aef30915483356653e725fb0c5"},
      {"train/all__labels.npy", "034ac55cceaa65bf667ecc95ecbfe048d5bb9cb67b7ef97c3bc095e053567349"},
      {"train/all__puzzle_identifiers.npy",
       "e06eb96446c4528880bdffaf5ff892da56d57be849ad9e645beefb09b1412532"},
      {"train/all__puzzle_indices.npy",
       "d0216f8ea92d133341794901091fff5a14ebaca1fb01e67534242ac0377ed48f"},
      {"train/dataset.json", "7eb43708f083672095bb6147f8328c19b8d50c1fd422c7248088255a3fc4db59"},
      {"test/all__group_indices.npy",
       "0247cc08ded6b662a0533b639f9d042a34e5eda3d395896008a212487da3ba3d"},
      {"test/all__inputs.npy", "5b777a583959accb7a4cc8c379458e9206fdeb9776edae74da4608f429b265cd"},
      {"test/all__labels.npy", "a85f01c46f78fd701cce423ce9fba266b63c12471f6785b04053b33bc6bfe3df"},
      {"test/all__puzzle_identifiers.npy",
       "cf1a66c3c3cb9396d7f8c06d07ba242d9cd5e09cbedfceaa78d823bc79a4d5ae"},
      {"test/all__puzzle_indices.npy",
       "a825773aa47967ddff0344712eb9fba2596e5a0e2f2dc981c1359a418558552c"},
      {"test/dataset.json", "effcfe7d7cd08cce8e469b0d421d1cfa42132e548c3c2875e86830a387fe1863"},
  };
  for (const auto& [file, sha] : reference)
    EXPECT_EQ(testing::FileSha256(out + "/" + file), sha) << file;
  ASSERT_EQ(reference.size(), std::size(kDatasetFiles));
  auto identifiers = ReadFileToString(out + "/identifiers.json");
  ASSERT_TRUE(identifiers.ok());
  // Spec §7.9: identifier 1 is 8b28cd80, identifier 2 its first augmentation.
  const std::string head = R"(["<blank>", "8b28cd80", "8b28cd80|||t3|||0768314952", )";
  EXPECT_EQ(identifiers->substr(0, head.size()), head);
}

// The ARC-AGI-1 recipe (subsets training evaluation concept, test set evaluation): its files list
// "test" before "train", which decides the order of every training puzzle's examples and of
// test_puzzles.json.
TEST(ArcBuilderTest, RealArcAgi1WithTenAugmentationsMatchesTheReference) {
  const std::string tasks = testing::ArcDataDir();
  ASSERT_FALSE(tasks.empty()) << testing::kMissingArcData;
  const std::string out = FreshDir("arc1_aug10") + "/dataset";
  auto summary =
      Build(ArcConfig({"training", "evaluation", "concept"}, "evaluation", 10), tasks, out, 2);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const std::map<std::string, std::string> reference = {
      {"identifiers.json", "fa00b3642499315784d537452dba88a641c8d4db8762df50f86891c8b9f42919"},
      {"test_puzzles.json", "1f9c42f5d947a1cc927bc78fad1a4df7d5ca54cb98aa3ee79eb6334ea9992fb7"},
      {"train/all__group_indices.npy",
       "8fabff3cc59af03adb9ff6eb17d37db552fedce780d65fdf6600ec3a4f642a6b"},
      {"train/all__inputs.npy", "df214d6dc9a5ae70d76ea24014c2852d5487edcc688dd4522831891a131c4b23"},
      {"train/all__labels.npy", "5cef1fffbac6106ef53f5816f574267d37c1c73f2137c80fecd3484456145181"},
      {"train/all__puzzle_identifiers.npy",
       "f151e7b9811521badf0dc72134f9eab068a8e6d43566d060dd841cfd64c3c329"},
      {"train/all__puzzle_indices.npy",
       "31bc97a14f831e00fee50004e9f95a605ad522ca2fec48c6622fc3190d86ae52"},
      {"train/dataset.json", "a6fa01b3fe2a804e8cfd7076484a00fad04ee733a2ef70d36c3ca7964f3520f1"},
      {"test/all__group_indices.npy",
       "ecfc917598cececf6d4bb7feed6e14607a02dbdf486c55f0efb7c747776b7e2d"},
      {"test/all__inputs.npy", "ffd89550113a8934b4365fe07989efff9c812579b68e30be604fa645368ae727"},
      {"test/all__labels.npy", "7aa5af60b1c1b68f48a6669e9952d5367a49e64b379ed837cc482029774d111c"},
      {"test/all__puzzle_identifiers.npy",
       "062ce3be92b923b9951a4140fbe5f1b542556857e0638d4cd97c34c0de7d4479"},
      {"test/all__puzzle_indices.npy",
       "7cc219a3b5b5793a7062b96caf6fd245431ed0effab999e4cf1f1b8a974b2ea8"},
      {"test/dataset.json", "c2351a813006b106567ab53d6092d65b229c367a7b295a701340b5ee627e41f3"},
  };
  for (const auto& [file, sha] : reference)
    EXPECT_EQ(testing::FileSha256(out + "/" + file), sha) << file;
}

#endif  // TRM_FULL_ARC_DATA

}  // namespace
}  // namespace trm::arc
