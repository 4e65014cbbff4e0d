#include "trm/logging/tfrecord.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/logging/crc32c.h"

namespace trm {
namespace {

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xe3069283u);  // the CRC-32C check value
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8a9136aau);  // RFC 3720 B.4
  EXPECT_EQ(Crc32cExtend(Crc32c("1234", 4), "56789", 5), 0xe3069283u);
}

TEST(Crc32cTest, MaskRoundTrips) {
  for (uint32_t crc : {0u, 1u, 0xe3069283u, 0xffffffffu}) {
    EXPECT_EQ(UnmaskCrc32c(MaskCrc32c(crc)), crc);
  }
  EXPECT_NE(MaskCrc32c(0xe3069283u), 0xe3069283u);
}

TEST(TfRecordTest, RecordsRoundTripAndAppend) {
  const std::string path = TempPath("round_trip.tfrecord");
  {
    auto writer = TfRecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("first").ok());
    ASSERT_TRUE((*writer)->Write(std::string("\0bin\xff", 5)).ok());
  }
  {
    auto writer = TfRecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("").ok());
  }
  auto reader = TfRecordReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> records;
  while (true) {
    auto record = (*reader)->Next();
    ASSERT_TRUE(record.ok()) << record.status();
    if (!record->has_value()) break;
    records.push_back(**record);
  }
  EXPECT_EQ(records, (std::vector<std::string>{"first", std::string("\0bin\xff", 5), ""}));
}

TEST(TfRecordTest, FrameLayoutIsTensorFlows) {
  const std::string path = TempPath("layout.tfrecord");
  {
    auto writer = TfRecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("abc").ok());
  }
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 8u + 4u + 3u + 4u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x03\0\0\0\0\0\0\0", 8));
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
    return v;
  };
  EXPECT_EQ(u32(8), MaskCrc32c(Crc32c(bytes.data(), 8)));
  EXPECT_EQ(bytes.substr(12, 3), "abc");
  EXPECT_EQ(u32(15), MaskCrc32c(Crc32c("abc", 3)));
}

TEST(TfRecordTest, CorruptionIsDetected) {
  const std::string path = TempPath("corrupt.tfrecord");
  {
    auto writer = TfRecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("payload").ok());
    ASSERT_TRUE((*writer)->Write("second").ok());
  }
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(13);
  file.put('X');  // inside the first record's data
  file.close();
  auto reader = TfRecordReader::Open(path);
  ASSERT_TRUE(reader.ok());
  auto record = (*reader)->Next();
  ASSERT_FALSE(record.ok());
  EXPECT_THAT(std::string(record.status().message()), testing::HasSubstr("data CRC mismatch"));
  EXPECT_THAT(std::string(record.status().message()), testing::HasSubstr("corrupt.tfrecord"));
}

TEST(TfRecordTest, TruncatedFileIsDetected) {
  const std::string path = TempPath("truncated.tfrecord");
  {
    auto writer = TfRecordWriter::Open(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("payload").ok());
  }
  std::filesystem::resize_file(path, 15);
  auto reader = TfRecordReader::Open(path);
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->Next().ok());
}

}  // namespace
}  // namespace trm
