#include "trm/checkpoint/torch_save.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/checkpoint/testing/torch_save_writer.h"

namespace trm {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::trm::testing::PickleBuilder;
using ::trm::testing::TensorBytes;
using ::trm::testing::WriteTorchSaveStateDict;
using ::trm::testing::WriteZip;
using ::trm::testing::ZipRecord;

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

std::string Golden(const std::string& file) {
  std::string error;
  std::unique_ptr<bazel::tools::cpp::runfiles::Runfiles> runfiles(
      bazel::tools::cpp::runfiles::Runfiles::CreateForTest(&error));
  EXPECT_NE(runfiles, nullptr) << error;
  return runfiles->Rlocation("trm/tests/golden/" + file);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// A pickle of {name: tensor over storage "0"} for hand-made archives.
std::string OneTensorPickle(at::ScalarType dtype, int64_t numel) {
  PickleBuilder p;
  p.Proto().EmptyDict().String("w").Tensor("0", dtype, numel, 0, {numel}, {1}).SetItem().Stop();
  return p.bytes();
}

void ExpectSameTensors(const std::vector<std::pair<std::string, at::Tensor>>& a,
                       const std::vector<std::pair<std::string, at::Tensor>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second.scalar_type(), b[i].second.scalar_type()) << a[i].first;
    EXPECT_EQ(a[i].second.sizes(), b[i].second.sizes()) << a[i].first;
    EXPECT_EQ(TensorBytes(a[i].second.contiguous()), TensorBytes(b[i].second.contiguous()))
        << a[i].first;
  }
}

TEST(TorchSaveTest, ReadsTheReferenceCheckpointOrderedDict) {
  for (const std::string fixture : {"trm_att", "hrm"}) {
    absl::StatusOr<PickleValuePtr> root = ReadTorchSave(Golden(fixture + "/reference_checkpoint.pt"));
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_TRUE((*root)->ordered_dict);
    ASSERT_EQ((*root)->dict.size(), 15u);

    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> reference =
        ReadTorchSaveTensors(Golden(fixture + "/reference_checkpoint.pt"));
    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> plain =
        ReadTorchSaveTensors(Golden(fixture + "/weights.pt"));
    ASSERT_TRUE(reference.ok()) << reference.status();
    ASSERT_TRUE(plain.ok()) << plain.status();
    std::vector<std::pair<std::string, at::Tensor>> renamed;
    for (const auto& [name, tensor] : *reference) {
      EXPECT_THAT(name, StartsWith("_orig_mod.model.inner."));
      renamed.emplace_back(name.substr(std::string("_orig_mod.").size()), tensor);
    }
    ExpectSameTensors(renamed, *plain);
  }
}

TEST(TorchSaveTest, StateDictOfEveryDtypeRoundTrips) {
  const std::vector<std::pair<std::string, at::Tensor>> tensors = {
      {"f32", at::randn({3, 5})},
      {"bf16", at::randn({7}).to(at::kBFloat16)},
      {"i32", at::arange(-4, 4, at::kInt).view({2, 4})},
      {"i64", at::tensor({int64_t{1} << 40, int64_t{-3}})},
      {"f64", at::randn({2, 2}, at::kDouble)},
      {"bool", at::arange(5).remainder(2).to(at::kBool)},
      {"f16", at::randn({4}).to(at::kHalf)},
      {"scalar", at::scalar_tensor(2.5)},
      {"empty", at::zeros({0, 3})},
  };
  for (bool ordered : {true, false}) {
    const std::string path = TempPath(ordered ? "ordered.pt" : "plain.pt");
    WriteTorchSaveStateDict(path, tensors, ordered);
    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
    ASSERT_TRUE(read.ok()) << read.status();
    ExpectSameTensors(*read, tensors);
  }
}

TEST(TorchSaveTest, SingleKeyDict) {
  const std::string path = TempPath("single.pt");
  WriteTorchSaveStateDict(path, {{"only", at::ones({2})}}, /*ordered_dict_with_metadata=*/false);
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_TRUE(at::equal((*read)[0].second, at::ones({2})));
}

TEST(TorchSaveTest, ViewsOfOneStorageStayShared) {
  const at::Tensor storage = at::arange(12, at::kFloat);
  PickleBuilder p;
  p.Proto().EmptyDict().Mark();
  p.String("weight").Tensor("0", at::kFloat, 12, 0, {3, 4}, {4, 1});
  p.String("weight_t_tail").Tensor("0", at::kFloat, 12, 4, {4, 2}, {1, 4});
  p.SetItems().Stop();
  const std::string path = TempPath("shared.pt");
  WriteZip(path, {{"data.pkl", p.bytes()}, {"data/0", TensorBytes(storage)}});
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE((*read)[0].second.is_alias_of((*read)[1].second));
  EXPECT_TRUE(at::equal((*read)[1].second, storage.slice(0, 4).view({2, 4}).t()));
}

TEST(TorchSaveTest, WritingToLoadedTensorsLeavesTheFileAlone) {
  const std::string path = TempPath("private.pt");
  WriteTorchSaveStateDict(path, {{"w", at::zeros({256})}});
  const std::string before = ReadAll(path);
  {
    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
    ASSERT_TRUE(read.ok()) << read.status();
    (*read)[0].second.fill_(7);
  }
  EXPECT_EQ(ReadAll(path), before);
}

TEST(TorchSaveTest, ExtractsCompressedRecords) {
  const at::Tensor weight = at::arange(4096, at::kFloat).remainder(5);
  const std::string path = TempPath("compressed.pt");
  WriteZip(path, {{"data.pkl", OneTensorPickle(at::kFloat, 4096)},
                  {"data/0", TensorBytes(weight), /*compress=*/true}});
  ASSERT_LT(ReadAll(path).size(), static_cast<size_t>(weight.numel() * 4));  // really compressed
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(at::equal((*read)[0].second, weight));
}

TEST(TorchSaveTest, RejectsACorruptStorage) {
  const at::Tensor weight = at::full({64}, 1.5f);
  const std::string path = TempPath("corrupt.pt");
  WriteTorchSaveStateDict(path, {{"w", weight}});
  std::string bytes = ReadAll(path);
  const size_t data = bytes.find(TensorBytes(weight));
  ASSERT_NE(data, std::string::npos);
  bytes[data + 100] ^= 0x40;
  WriteAll(path, bytes);
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(Message(read.status()), HasSubstr(path + ": data.pkl: byte "));
  EXPECT_THAT(Message(read.status()),
              HasSubstr("record data/0 fails its CRC-32 check (the file is corrupt)"));
}

TEST(TorchSaveTest, RejectsACorruptPickle) {
  const std::string path = TempPath("corrupt_pickle.pt");
  WriteTorchSaveStateDict(path, {{"model.inner.q_head.weight", at::ones({2})}});
  std::string bytes = ReadAll(path);
  const size_t key = bytes.find("q_head");
  ASSERT_NE(key, std::string::npos);
  bytes[key] = 'Q';  // still a valid pickle, with another key: only the CRC can tell
  WriteAll(path, bytes);
  absl::StatusOr<PickleValuePtr> read = ReadTorchSave(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(Message(read.status()),
            path + ": record data.pkl fails its CRC-32 check (the file is corrupt)");
}

TEST(TorchSaveTest, RejectsATruncatedZip) {
  const std::string bytes = ReadAll(Golden("trm_att/weights.pt"));
  for (size_t keep : {bytes.size() / 2, bytes.size() - 10, size_t{3}}) {
    const std::string path = TempPath("truncated.pt");
    WriteAll(path, bytes.substr(0, keep));
    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
    ASSERT_FALSE(read.ok());
    EXPECT_THAT(Message(read.status()),
                StartsWith(path + ": not a readable torch.save zip archive: "));
    EXPECT_EQ(Message(read.status()).find('\n'), std::string::npos);
  }
}

TEST(TorchSaveTest, RejectsATruncatedPickle) {
  const std::string pickle = testing::StateDictPickle({{"w", at::ones({4})}}, true);
  const std::string path = TempPath("truncated_pickle.pt");
  WriteZip(path, {{"data.pkl", pickle.substr(0, pickle.size() / 2)},
                  {"data/0", TensorBytes(at::ones({4}))}});
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(Message(read.status()), HasSubstr(path + ": data.pkl: byte "));
  EXPECT_THAT(Message(read.status()), HasSubstr("truncated"));
}

TEST(TorchSaveTest, RejectsAnUnknownOpcode) {
  PickleBuilder p;
  p.Proto().EmptyDict().Byte('i').Bytes("os\nsystem\n");
  const std::string path = TempPath("opcode.pt");
  WriteZip(path, {{"data.pkl", p.bytes()}});
  absl::StatusOr<PickleValuePtr> read = ReadTorchSave(path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(Message(read.status()),
            path + ": data.pkl: byte 3: unsupported pickle opcode 0x69 ('i')");
}

TEST(TorchSaveTest, RejectsMissingAndMissizedStorages) {
  const std::string missing = TempPath("missing.pt");
  WriteZip(missing, {{"data.pkl", OneTensorPickle(at::kFloat, 4)}});
  absl::StatusOr<PickleValuePtr> read = ReadTorchSave(missing);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(Message(read.status()), HasSubstr("storage record data/0 is missing"));

  const std::string short_record = TempPath("short.pt");
  WriteZip(short_record, {{"data.pkl", OneTensorPickle(at::kFloat, 4)},
                          {"data/0", std::string(12, '\0')}});
  read = ReadTorchSave(short_record);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(Message(read.status()),
              HasSubstr("storage record data/0 has 12 bytes, expected 4 x Float = 16"));
}

TEST(TorchSaveTest, RejectsTheLegacyFormat) {
  const std::string path = TempPath("legacy.pt");
  WriteAll(path, std::string("\x80\x02\x8a\x0a", 4) + std::string(60, '\0'));
  absl::StatusOr<PickleValuePtr> read = ReadTorchSave(path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(Message(read.status()), HasSubstr("legacy (non-zip) torch.save format"));
}

// Any corrupted byte of an archive gives tensors or a one-line error, never a crash.
TEST(TorchSaveTest, SurvivesEverySingleByteCorruption) {
  const std::string path = TempPath("source.pt");
  WriteTorchSaveStateDict(path, {{"a", at::ones({3})}, {"b", at::arange(4, at::kInt)}});
  const std::string archive = ReadAll(path);
  const std::string corrupt_path = TempPath("corrupt_byte.pt");
  int errors = 0;
  for (size_t i = 0; i < archive.size(); ++i) {
    std::string corrupt = archive;
    corrupt[i] ^= 0xff;
    WriteAll(corrupt_path, corrupt);
    absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read =
        ReadTorchSaveTensors(corrupt_path);
    if (!read.ok()) {
      ++errors;
      EXPECT_EQ(Message(read.status()).find('\n'), std::string::npos);
      EXPECT_THAT(Message(read.status()), StartsWith(corrupt_path + ": "));
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(TorchSaveTest, TensorsNeedADictOfTensors) {
  PickleBuilder list;
  list.Proto().Byte(']').Stop();
  const std::string list_path = TempPath("list.pt");
  WriteZip(list_path, {{"data.pkl", list.bytes()}});
  absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> read = ReadTorchSaveTensors(list_path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(Message(read.status()), list_path + ": the saved object is a list, not a dict of name -> tensor");

  PickleBuilder step;
  step.Proto().EmptyDict().String("step").Int(3).SetItem().Stop();
  const std::string step_path = TempPath("step.pt");
  WriteZip(step_path, {{"data.pkl", step.bytes()}});
  read = ReadTorchSaveTensors(step_path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(Message(read.status()), step_path + ": 'step' is of type int, not a tensor");
}

}  // namespace
}  // namespace trm
