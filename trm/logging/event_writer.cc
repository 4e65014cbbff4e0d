#include "trm/logging/event_writer.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "trm/logging/tensorboard_event.pb.h"

namespace trm {
namespace {

double WallTime() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventWriter>> EventWriter::Create(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  const std::string path = absl::StrCat(dir, "/events.out.tfevents.",
                                        static_cast<int64_t>(WallTime()), ".", host, ".", getpid());
  absl::StatusOr<std::unique_ptr<TfRecordWriter>> records = TfRecordWriter::Open(path);
  if (!records.ok()) return records.status();
  std::unique_ptr<EventWriter> writer(new EventWriter(*std::move(records)));
  tensorboard::Event version;
  version.set_wall_time(WallTime());
  version.set_file_version("brain.Event:2");
  if (absl::Status s = writer->records_->Write(version.SerializeAsString()); !s.ok()) return s;
  if (absl::Status s = writer->Flush(); !s.ok()) return s;
  return writer;
}

absl::Status EventWriter::AddScalar(const std::string& tag, double value, int64_t step) {
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  tensorboard::Summary::Value* summary = event.mutable_summary()->add_value();
  summary->set_tag(tag);
  summary->set_simple_value(static_cast<float>(value));
  return records_->Write(event.SerializeAsString());
}

absl::Status EventWriter::AddRestart(int64_t step) {
  tensorboard::Event event;
  event.set_wall_time(WallTime());
  event.set_step(step);
  event.mutable_session_log()->set_status(tensorboard::SessionLog::START);
  return records_->Write(event.SerializeAsString());
}

}  // namespace trm
