// The reference's ARC grid operations, checked bit-exactly against the `arc_aug` golden fixture
// (tests/golden/arc_aug, produced by the Python reference): dihedral transforms and inverses,
// the 900-token encoding with and without translation, grid hashes, and the augmentation name drawn
// from NumPy's legacy generator.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "trm/checkpoint/safetensors.h"
#include "plugins/arc/common/arc_encoding.h"
#include "plugins/arc/common/grid.h"
#include "trm/data/numpy_random.h"
#include "trm/data/python_json.h"

namespace trm {
namespace {

constexpr char kFixture[] = "tests/golden/arc_aug/";

class ArcAugFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reader = SafetensorsReader::Open(std::string(kFixture) + "expected.safetensors");
    ASSERT_TRUE(reader.ok()) << reader.status();
    reader_ = *std::move(reader);
    auto json = ReadJsonFile(std::string(kFixture) + "case.json");
    ASSERT_TRUE(json.ok()) << json.status();
    case_ = *std::move(json);
    ASSERT_EQ(case_["tasks"].size(), 2u);
  }

  Grid ReadGrid(const std::string& name) {
    auto tensor = reader_->Read(name);
    EXPECT_TRUE(tensor.ok()) << tensor.status();
    const at::Tensor t = tensor->to(at::kInt).contiguous();
    Grid grid(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)));
    for (size_t i = 0; i < grid.cells.size(); ++i)
      grid.cells[i] = static_cast<uint8_t>(t.data_ptr<int32_t>()[i]);
    return grid;
  }

  std::vector<uint8_t> ReadTokens(const std::string& name) {
    auto tensor = reader_->Read(name);
    EXPECT_TRUE(tensor.ok()) << tensor.status();
    const at::Tensor t = tensor->to(at::kInt).contiguous();
    std::vector<uint8_t> tokens(static_cast<size_t>(t.numel()));
    for (size_t i = 0; i < tokens.size(); ++i)
      tokens[i] = static_cast<uint8_t>(t.data_ptr<int32_t>()[i]);
    return tokens;
  }

  std::unique_ptr<SafetensorsReader> reader_;
  nlohmann::ordered_json case_;
};

TEST_F(ArcAugFixtureTest, DihedralTransformsAndInverses) {
  for (int task = 0; task < 2; ++task) {
    const std::string prefix = "task" + std::to_string(task);
    const Grid input = ReadGrid(prefix + ".input");
    for (int id = 0; id < kNumDihedral; ++id) {
      const std::string name = prefix + ".dihedral" + std::to_string(id);
      const Grid transformed = Dihedral(input, id);
      EXPECT_EQ(transformed, ReadGrid(name)) << name;
      const Grid back = Dihedral(transformed, InverseDihedralId(id));
      EXPECT_EQ(back, ReadGrid(name + ".inverse")) << name;
      EXPECT_EQ(back, input) << name;
      EXPECT_EQ(GridHash(transformed),
                case_["tasks"][task]["grid_hash_dihedral" + std::to_string(id)].get<std::string>())
          << name;
    }
    EXPECT_EQ(GridHash(input), case_["tasks"][task]["grid_hash_input"].get<std::string>());
    EXPECT_EQ(GridHash(ReadGrid(prefix + ".output")),
              case_["tasks"][task]["grid_hash_output"].get<std::string>());
  }
}

TEST_F(ArcAugFixtureTest, SequenceEncodingWithAndWithoutTranslation) {
  for (int task = 0; task < 2; ++task) {
    const std::string prefix = "task" + std::to_string(task);
    const auto& info = case_["tasks"][task];
    const Grid input = ReadGrid(prefix + ".input"), output = ReadGrid(prefix + ".output");
    std::vector<uint8_t> tokens(900);
    EncodeGrid(input, {0, 0}, 30, tokens.data());
    EXPECT_EQ(tokens, ReadTokens(prefix + ".seq_input")) << prefix;
    EncodeGrid(output, {0, 0}, 30, tokens.data());
    EXPECT_EQ(tokens, ReadTokens(prefix + ".seq_output")) << prefix;

    // The offsets come from np.random.seed(s); randint(0, 30 - max rows + 1), then columns.
    NumpyRandomState rng(info["translated_np_random_seed"].get<uint32_t>());
    const Placement at{
        static_cast<int>(rng.RandInt(0, 30 - std::max(input.rows, output.rows) + 1)),
        static_cast<int>(rng.RandInt(0, 30 - std::max(input.cols, output.cols) + 1))};
    EXPECT_EQ(at.row, info["translated_pad_r"].get<int>());
    EXPECT_EQ(at.col, info["translated_pad_c"].get<int>());
    EncodeGrid(input, at, 30, tokens.data());
    EXPECT_EQ(tokens, ReadTokens(prefix + ".seq_input_translated")) << prefix;
    EncodeGrid(output, at, 30, tokens.data());
    EXPECT_EQ(tokens, ReadTokens(prefix + ".seq_output_translated")) << prefix;
  }
}

TEST_F(ArcAugFixtureTest, ColourAugmentationNameAndInverse) {
  for (int task = 0; task < 2; ++task) {
    const std::string prefix = "task" + std::to_string(task);
    const auto& info = case_["tasks"][task];
    // The reference's aug(): randint(0, 8), then a permutation of colours 1..9 (0 stays).
    NumpyRandomState rng(info["aug_np_random_seed"].get<uint32_t>());
    DihedralColorAugmentation aug;
    aug.transform = static_cast<int>(rng.RandInt(0, 8));
    rng.Shuffle(aug.colors.data() + 1, kNumColors - 1);
    const std::string name = AugmentedName(info["task_id"].get<std::string>(), aug);
    EXPECT_EQ(name, info["aug_name"].get<std::string>());

    const Grid input = ReadGrid(prefix + ".input");
    const Grid augmented = aug.Apply(input);
    EXPECT_EQ(augmented, ReadGrid(prefix + ".aug.input"));
    auto parsed = ParseAugmentedName(name);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->id, info["inverse_aug_name"].get<std::string>());
    const Grid inverted = parsed->augmentation.Invert(augmented);
    EXPECT_EQ(inverted, ReadGrid(prefix + ".aug.input.inverse"));
    EXPECT_EQ(inverted, input);

    // The fused encoder gives the tokens of the materialised augmented grid.
    std::vector<uint8_t> fused(900), plain(900);
    EncodeAugmentedGrid(input, aug, {1, 2}, 30, fused.data());
    EncodeGrid(augmented, {1, 2}, 30, plain.data());
    EXPECT_EQ(fused, plain);
  }
}

}  // namespace
}  // namespace trm
