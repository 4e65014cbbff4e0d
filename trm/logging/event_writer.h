// TensorBoard event files written from C++: `events.out.tfevents.<seconds>.<host>.<pid>` in a log
// folder, a file_version record first, then one Event per scalar.
#ifndef TRM_LOGGING_EVENT_WRITER_H_
#define TRM_LOGGING_EVENT_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "trm/logging/tfrecord.h"

namespace trm {

class EventWriter {
 public:
  // Creates `dir` if needed and a new event file in it.
  static absl::StatusOr<std::unique_ptr<EventWriter>> Create(const std::string& dir);

  absl::Status AddScalar(const std::string& tag, double value, int64_t step);
  // Marks a restart at `step`: TensorBoard discards earlier events of steps >= `step`.
  absl::Status AddRestart(int64_t step);
  absl::Status Flush() { return records_->Flush(); }
  const std::string& path() const { return records_->path(); }

 private:
  explicit EventWriter(std::unique_ptr<TfRecordWriter> records) : records_(std::move(records)) {}
  std::unique_ptr<TfRecordWriter> records_;
};

}  // namespace trm

#endif  // TRM_LOGGING_EVENT_WRITER_H_
