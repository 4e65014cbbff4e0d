#include "trm/checkpoint/safetensors.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/base/file_util.h"

namespace trm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

// A file with `header` as its JSON and `data_bytes` zero bytes of data.
std::string WriteRaw(const std::string& name, const std::string& header, size_t data_bytes,
                     int64_t declared_header_size = -1) {
  std::string bytes(8, '\0');
  const uint64_t n = declared_header_size >= 0 ? declared_header_size : header.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  bytes += header;
  bytes += std::string(data_bytes, '\0');
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(SafetensorsTest, RoundTripsEveryDtypeShapesAndMetadata) {
  std::vector<std::pair<std::string, at::Tensor>> tensors = {
      {"f64", at::randn({3}, at::kDouble)},
      {"f32", at::randn({2, 3})},
      {"bf16", at::randn({4, 1}).to(at::kBFloat16)},
      {"f16", at::randn({5}).to(at::kHalf)},
      {"i64", at::arange(6, at::kLong).reshape({2, 3})},
      {"i32", at::arange(4, at::kInt)},
      {"u8", at::arange(3, at::kByte)},
      {"bool", at::tensor({1, 0, 1}).to(at::kBool)},
      {"scalar", at::scalar_tensor(2.5)},
      {"empty", at::empty({0, 4})},
      {"strided", at::randn({4, 6}).t()},  // non-contiguous input is stored contiguously
  };
  const std::string path = TempPath("round_trip.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, tensors, {{"format", "pt"}}).ok());
  auto reader = SafetensorsReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->metadata().at("format"), "pt");
  ASSERT_EQ((*reader)->entries().size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    auto view = (*reader)->View(name);
    ASSERT_TRUE(view.ok()) << view.status();
    EXPECT_EQ(view->scalar_type(), tensor.scalar_type()) << name;
    EXPECT_EQ(view->sizes(), tensor.sizes()) << name;
    EXPECT_TRUE(at::equal(*view, tensor)) << name;
  }
  EXPECT_EQ((*reader)->Find("scalar")->shape.size(), 0u);
  // Writing into a view never changes the file.
  (*(*reader)->View("f32")).fill_(7);
  EXPECT_TRUE(at::equal((*ReadSafetensors(path))["f32"], tensors[1].second));
}

TEST(SafetensorsTest, ReadsFilesWrittenByPython) {
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error));
  ASSERT_NE(runfiles, nullptr) << error;
  auto tensors = ReadSafetensors(
      runfiles->Rlocation("trm/trm/checkpoint/testdata/python_written.safetensors"));
  ASSERT_TRUE(tensors.ok()) << tensors.status();
  const at::Tensor ids = tensors->at("local_ids");
  EXPECT_EQ(ids.scalar_type(), at::kInt);
  EXPECT_EQ(ids.sizes(), (std::vector<int64_t>{5}));
  EXPECT_EQ(ids[0].item<int>(), 3);
  EXPECT_EQ(ids.sum().item<int64_t>(), 22);
  const at::Tensor weights = tensors->at("weights");
  EXPECT_EQ(weights.sizes(), (std::vector<int64_t>{10, 8}));
  EXPECT_FLOAT_EQ(weights[0][0].item<float>(), 2.0314931869506836f);
  EXPECT_NEAR(weights.to(at::kDouble).sum().item<double>(), -21.330309338867664, 1e-9);
  EXPECT_FLOAT_EQ(tensors->at("local_weights_grad")[0][1].item<float>(), 1.592239260673523f);
}

void ExpectCorrupt(const std::string& path, const std::string& why) {
  auto reader = SafetensorsReader::Open(path);
  ASSERT_FALSE(reader.ok()) << path;
  EXPECT_THAT(reader.status().message(), HasSubstr(path));
  EXPECT_THAT(reader.status().message(), HasSubstr(why));
  EXPECT_THAT(reader.status().message(), Not(HasSubstr("\n")));
}

TEST(SafetensorsTest, RejectsMalformedFiles) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  ASSERT_TRUE(SafetensorsReader::Open(WriteRaw("ok.safetensors", ok, 8)).ok());

  ExpectCorrupt(TempPath("missing.safetensors"), "cannot open");
  {
    const std::string path = TempPath("tiny.safetensors");
    std::ofstream(path) << "abc";
    ExpectCorrupt(path, "shorter than the 8-byte header length");
  }
  ExpectCorrupt(WriteRaw("long_header.safetensors", ok, 8, 1 << 20), "exceeds the file");
  ExpectCorrupt(WriteRaw("truncated.safetensors", ok, 4), "outside the data section");
  ExpectCorrupt(WriteRaw("trailing.safetensors", ok, 12), "tensors cover 8");
  ExpectCorrupt(WriteRaw("not_json.safetensors", "{\"a\": [", 0), "header is not JSON");
  ExpectCorrupt(WriteRaw("array.safetensors", "[1, 2]", 0), "not a JSON object");
  ExpectCorrupt(WriteRaw("dtype.safetensors", R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8),
                "unsupported dtype 'Q7'");
  ExpectCorrupt(WriteRaw("shape.safetensors", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
                "shape x dtype is 12 bytes but data_offsets span 8");
  ExpectCorrupt(WriteRaw("negative.safetensors", R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8),
                "negative or non-integer");
  ExpectCorrupt(WriteRaw("overlap.safetensors",
                         R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
                "overlaps");
  ExpectCorrupt(WriteRaw("hole.safetensors",
                         R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
                "bytes 0..4 belong to no tensor");
  ExpectCorrupt(WriteRaw("reversed.safetensors", R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8),
                "outside the data section");
  ExpectCorrupt(WriteRaw("duplicate.safetensors",
                         R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
                "'a' appears twice");
  ExpectCorrupt(WriteRaw("metadata.safetensors", R"({"__metadata__":{"k":1}})", 0), "is not a string");
  ExpectCorrupt(WriteRaw("fields.safetensors", R"({"a":{"dtype":"F32"}})", 0), "needs dtype, shape and data_offsets");
}

TEST(SafetensorsTest, WriterRejectsBadInputAndKeepsExistingFile) {
  const std::string path = TempPath("keep.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, {{"x", at::ones({2})}}).ok());
  EXPECT_FALSE(WriteSafetensors(path, {{"x", at::ones({1})}, {"x", at::ones({1})}}).ok());
  EXPECT_FALSE(WriteSafetensors(path, {{"__metadata__", at::ones({1})}}).ok());
  EXPECT_FALSE(WriteSafetensors(path, {{"c", at::ones({1}, at::kComplexFloat)}}).ok());
  EXPECT_TRUE(at::equal((*ReadSafetensors(path))["x"], at::ones({2})));
}

}  // namespace
}  // namespace trm
