#include "trm/data/npy.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kGolden[] = "tests/golden/numpy_npy/";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(NpyTest, ReadsArraysWrittenByNumpy) {
  auto u8 = NpyArray::Map(std::string(kGolden) + "u8_2x3.npy");
  ASSERT_TRUE(u8.ok()) << u8.status();
  EXPECT_EQ(u8->dtype(), NpyDtype::kUint8);
  EXPECT_THAT(u8->shape(), ElementsAre(2, 3));
  auto u8_values = u8->TypedData<uint8_t>();
  ASSERT_TRUE(u8_values.ok());
  EXPECT_EQ((*u8_values)[4], 251);
  EXPECT_THAT(*u8->ToInt64(), ElementsAre(0, 1, 2, 250, 251, 255));

  auto i32 = NpyArray::Map(std::string(kGolden) + "i32_5.npy");
  ASSERT_TRUE(i32.ok()) << i32.status();
  EXPECT_THAT(*i32->ToInt64(), ElementsAre(-2, -1, 0, 1, 2147483647));
  EXPECT_FALSE(i32->TypedData<uint8_t>().ok());

  auto empty = NpyArray::Map(std::string(kGolden) + "i64_0x4.npy");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->shape(), ElementsAre(0, 4));
  EXPECT_EQ(empty->num_elements(), 0);

  auto flags = NpyArray::Map(std::string(kGolden) + "bool_3.npy");
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->dtype(), NpyDtype::kBool);
  EXPECT_THAT(*flags->ToInt64(), ElementsAre(1, 0, 1));

  auto scalar = NpyArray::Map(std::string(kGolden) + "f64_scalar.npy");
  ASSERT_TRUE(scalar.ok()) << scalar.status();
  EXPECT_TRUE(scalar->shape().empty());
  EXPECT_EQ(**scalar->TypedData<double>(), 2.5);

  auto v2 = NpyArray::Map(std::string(kGolden) + "i16_v2.npy");
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_THAT(*v2->ToInt64(), ElementsAre(1, -2, 3, -4));
}

TEST(NpyTest, RejectsLayoutsItCannotMap) {
  auto big = NpyArray::Map(std::string(kGolden) + "i32_big_endian.npy");
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(std::string(big.status().message()), HasSubstr("big-endian"));
  auto fortran = NpyArray::Map(std::string(kGolden) + "i32_fortran.npy");
  ASSERT_FALSE(fortran.ok());
  EXPECT_THAT(std::string(fortran.status().message()), HasSubstr("Fortran"));
  auto missing = NpyArray::Map(TempPath("does_not_exist.npy"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(NpyTest, RejectsTruncatedAndCorruptFiles) {
  const std::string good = ReadBytes(std::string(kGolden) + "u8_2x3.npy");
  const std::string truncated = TempPath("truncated.npy");
  std::ofstream(truncated, std::ios::binary) << good.substr(0, good.size() - 1);
  auto t = NpyArray::Map(truncated);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("truncated"));
  EXPECT_THAT(std::string(t.status().message()), HasSubstr(truncated));

  const std::string bad_magic = TempPath("bad_magic.npy");
  std::ofstream(bad_magic, std::ios::binary) << "PK" << good.substr(2);
  EXPECT_THAT(std::string(NpyArray::Map(bad_magic).status().message()), HasSubstr("magic"));

  std::string bad_dict = good;
  bad_dict.replace(bad_dict.find("'shape'"), 7, "'shap' ");
  const std::string bad_header = TempPath("bad_header.npy");
  std::ofstream(bad_header, std::ios::binary) << bad_dict;
  EXPECT_THAT(std::string(NpyArray::Map(bad_header).status().message()),
              HasSubstr("malformed .npy header"));
}

TEST(NpyTest, WritesTheBytesNumpyWrites) {
  struct Case {
    std::string golden;
    NpyDtype dtype;
    std::vector<int64_t> shape;
  };
  for (const Case& c : std::vector<Case>{{"u8_2x3.npy", NpyDtype::kUint8, {2, 3}},
                                         {"i32_5.npy", NpyDtype::kInt32, {5}},
                                         {"i64_0x4.npy", NpyDtype::kInt64, {0, 4}},
                                         {"bool_3.npy", NpyDtype::kBool, {3}},
                                         {"f64_scalar.npy", NpyDtype::kFloat64, {}},
                                         {"u8_1000x9.npy", NpyDtype::kUint8, {1000, 9}}}) {
    auto golden = NpyArray::Map(kGolden + c.golden);
    ASSERT_TRUE(golden.ok()) << golden.status();
    const std::string out = TempPath("copy_" + c.golden);
    ASSERT_TRUE(WriteNpy(out, c.dtype, c.shape, golden->data()).ok()) << c.golden;
    EXPECT_EQ(ReadBytes(out), ReadBytes(kGolden + c.golden)) << c.golden;
  }
}

TEST(NpyTest, ParallelWriteAtAndAppendProduceTheSameFile) {
  constexpr int kRows = 257, kCols = 900;
  std::vector<uint8_t> rows(kRows * kCols);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint8_t>(i * 7 % 13);

  const std::string appended = TempPath("appended.npy");
  auto a = NpyWriter::Create(appended, NpyDtype::kUint8, {kRows, kCols});
  ASSERT_TRUE(a.ok()) << a.status();
  for (int r = 0; r < kRows; ++r) ASSERT_TRUE((*a)->Append(&rows[r * kCols], kCols).ok());
  ASSERT_TRUE((*a)->Close().ok());

  const std::string scattered = TempPath("scattered.npy");
  auto s = NpyWriter::Create(scattered, NpyDtype::kUint8, {kRows, kCols});
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int r = kRows - 1 - t; r >= 0; r -= 4) {
        ASSERT_TRUE((*s)->WriteAt(uint64_t{1} * r * kCols, &rows[r * kCols], kCols).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE((*s)->Close().ok());
  EXPECT_EQ(ReadBytes(appended), ReadBytes(scattered));

  auto back = NpyArray::Map(scattered);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(std::vector<uint8_t>(static_cast<const uint8_t*>(back->data()),
                                 static_cast<const uint8_t*>(back->data()) + rows.size()),
            rows);
}

TEST(NpyTest, WriterRefusesExistingFilesAndIncompleteData) {
  const std::string path = TempPath("incomplete.npy");
  auto w = NpyWriter::Create(path, NpyDtype::kInt32, {4});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->AppendValue<int32_t>(7).ok());
  const absl::Status closed = (*w)->Close();
  EXPECT_FALSE(closed.ok());
  EXPECT_THAT(std::string(closed.message()), HasSubstr("wrote 4 of 16"));
  EXPECT_FALSE(NpyWriter::Create(path, NpyDtype::kInt32, {4}).ok());

  auto over = NpyWriter::Create(TempPath("overflow.npy"), NpyDtype::kUint8, {2});
  ASSERT_TRUE(over.ok());
  const uint8_t three[3] = {1, 2, 3};
  EXPECT_FALSE((*over)->WriteAt(0, three, 3).ok());
}

}  // namespace
}  // namespace trm
