#include "trm/base/file_util.h"

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"

namespace trm {
namespace {
namespace fs = std::filesystem;

std::string TempDir() {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::create_directories(dir);
  return dir.string();
}

TEST(FileUtilTest, WriteThenReadBack) {
  const std::string path = TempDir() + "/a.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "hello").ok());
  EXPECT_EQ(*ReadFileToString(path), "hello");
  ASSERT_TRUE(WriteFileAtomically(path, std::string("x\0y", 3)).ok());
  EXPECT_EQ(*ReadFileToString(path), std::string("x\0y", 3));
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(TempDir()), fs::directory_iterator()), 1);
}

TEST(FileUtilTest, UncommittedWriterLeavesTheOldFileAndNoTemporary) {
  const std::string dir = TempDir();
  const std::string path = dir + "/state.bin";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  {
    auto writer = AtomicFileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("new contents").ok());
  }  // destroyed without Commit, as after an error
  EXPECT_EQ(*ReadFileToString(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(FileUtilTest, ErrorsNameThePath) {
  auto missing = ReadFileToString("/nonexistent/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/file"), std::string::npos);
  absl::Status status = WriteFileAtomically("/nonexistent/dir/file", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/dir/file"), std::string::npos);
}

}  // namespace
}  // namespace trm
