#include "trm/logging/event_writer.h"

#include <cstdlib>
#include <filesystem>

#include "gtest/gtest.h"
#include "trm/logging/tensorboard_event.pb.h"
#include "trm/logging/tfrecord.h"

namespace trm {
namespace {

// Reads every Event of an event file, checking the frame CRCs on the way.
std::vector<tensorboard::Event> ReadEvents(const std::string& path) {
  std::vector<tensorboard::Event> events;
  auto reader = TfRecordReader::Open(path);
  EXPECT_TRUE(reader.ok());
  while (true) {
    auto record = (*reader)->Next();
    EXPECT_TRUE(record.ok()) << record.status();
    if (!record.ok() || !record->has_value()) break;
    tensorboard::Event event;
    EXPECT_TRUE(event.ParseFromString(**record));
    events.push_back(event);
  }
  return events;
}

TEST(EventWriterTest, ScalarsParseBackAsTensorBoardEvents) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/tb";
  auto writer = EventWriter::Create(dir);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_EQ(std::filesystem::path((*writer)->path()).parent_path(), dir);
  EXPECT_EQ(std::filesystem::path((*writer)->path()).filename().string().rfind("events.out.tfevents.", 0), 0u);
  ASSERT_TRUE((*writer)->AddScalar("train/lm_loss", 2.5, 1).ok());
  ASSERT_TRUE((*writer)->AddScalar("ARC/pass@2", 0.125, 7).ok());
  ASSERT_TRUE((*writer)->AddRestart(5).ok());
  ASSERT_TRUE((*writer)->Flush().ok());

  const std::vector<tensorboard::Event> events = ReadEvents((*writer)->path());
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].file_version(), "brain.Event:2");
  EXPECT_GT(events[0].wall_time(), 1.5e9);
  EXPECT_EQ(events[1].step(), 1);
  ASSERT_EQ(events[1].summary().value_size(), 1);
  EXPECT_EQ(events[1].summary().value(0).tag(), "train/lm_loss");
  EXPECT_EQ(events[1].summary().value(0).simple_value(), 2.5f);
  EXPECT_EQ(events[2].summary().value(0).tag(), "ARC/pass@2");
  EXPECT_EQ(events[2].step(), 7);
  EXPECT_EQ(events[3].session_log().status(), tensorboard::SessionLog::START);
  EXPECT_EQ(events[3].step(), 5);
}

TEST(EventWriterTest, WireFormatUsesTensorFlowFieldNumbers) {
  tensorboard::Event event;
  event.set_step(3);
  event.mutable_summary()->add_value()->set_tag("a");
  event.mutable_summary()->mutable_value(0)->set_simple_value(1.0f);
  // step: field 2 varint; summary: field 5 bytes { value: field 1 bytes { tag: 1, simple_value: 2 fixed32 } }
  const std::string expected("\x10\x03\x2a\x0a\x0a\x08\x0a\x01" "a" "\x15\x00\x00\x80\x3f", 14);
  EXPECT_EQ(event.SerializeAsString(), expected);
}

}  // namespace
}  // namespace trm
