#include "trm/checkpoint/weights_file.h"

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

std::string Golden(const std::string& file) {
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error));
  EXPECT_NE(runfiles, nullptr) << error;
  return runfiles->Rlocation("trm/tests/golden/" + file);
}

std::string TempFile(const std::string& name, const std::string& bytes) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(WeightsFileTest, DetectsFormatsByMagicBytes) {
  EXPECT_EQ(*DetectWeightsFormat(Golden("trm_att/weights.safetensors")), WeightsFormat::kSafetensors);
  EXPECT_EQ(*DetectWeightsFormat(Golden("trm_att/weights.pt")), WeightsFormat::kTorchSave);
  // Reference checkpoints have no extension; only the content counts.
  const std::string step = TempFile("step_1000", std::string(std::istreambuf_iterator<char>(
      std::ifstream(Golden("hrm/reference_checkpoint.pt"), std::ios::binary).rdbuf()), {}));
  EXPECT_EQ(*DetectWeightsFormat(step), WeightsFormat::kTorchSave);
  const std::string misnamed = TempFile("weights.pt", std::string("\x10\0\0\0\0\0\0\0{", 9));
  EXPECT_EQ(*DetectWeightsFormat(misnamed), WeightsFormat::kSafetensors);
}

TEST(WeightsFileTest, RejectsUnknownFormats) {
  for (const std::string& bytes : {std::string("hello world, not weights"), std::string("PK"),
                                   std::string()}) {
    const std::string path = TempFile("garbage", bytes);
    absl::StatusOr<WeightsFormat> format = DetectWeightsFormat(path);
    ASSERT_FALSE(format.ok());
    EXPECT_EQ(format.status().message(),
              path + ": unrecognised weights format (neither safetensors nor a torch.save zip "
                     "archive)");
  }
  absl::StatusOr<NamedTensors> missing = ReadWeights("/nonexistent/step_5");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/step_5"));
}

TEST(WeightsFileTest, ReadsBothFormatsToTheSameTensors) {
  for (const std::string fixture : {"trm_att", "trm_mlp", "hrm"}) {
    absl::StatusOr<NamedTensors> safetensors = ReadWeights(Golden(fixture + "/weights.safetensors"));
    absl::StatusOr<NamedTensors> pt = ReadWeights(Golden(fixture + "/weights.pt"));
    ASSERT_TRUE(safetensors.ok()) << safetensors.status();
    ASSERT_TRUE(pt.ok()) << pt.status();
    ASSERT_EQ(safetensors->size(), 15u);
    std::map<std::string, at::Tensor> by_name(pt->begin(), pt->end());
    ASSERT_EQ(by_name.size(), safetensors->size());
    for (const auto& [name, tensor] : *safetensors) {
      ASSERT_TRUE(by_name.count(name)) << fixture << " " << name;
      const at::Tensor& other = by_name[name];
      EXPECT_EQ(tensor.scalar_type(), other.scalar_type()) << name;
      EXPECT_EQ(tensor.sizes(), other.sizes()) << name;
      EXPECT_TRUE(at::equal(tensor, other)) << fixture << " " << name;
    }
  }
}

}  // namespace
}  // namespace trm
