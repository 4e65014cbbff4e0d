// safetensors files (SafetensorsReader over an in-memory copy), every tensor read back.
#include <memory>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "trm/checkpoint/mapped_file.h"
#include "trm/checkpoint/safetensors.h"

TRM_FUZZ_TARGET(safetensors) {
  using namespace trm;
  absl::StatusOr<std::shared_ptr<MappedFile>> file =
      MappedFile::FromBytes("fuzz.safetensors", input);
  TRM_FUZZ_CHECK(file.ok(), std::string(file.status().message()));
  absl::StatusOr<std::unique_ptr<SafetensorsReader>> reader =
      SafetensorsReader::FromMapping(*std::move(file));
  if (!reader.ok()) {
    TRM_FUZZ_CHECK(!reader.status().message().empty(), "error without a message");
    return;
  }
  for (const SafetensorsEntry& entry : (*reader)->entries()) {
    absl::StatusOr<at::Tensor> tensor = (*reader)->Read(entry.name);
    TRM_FUZZ_CHECK(tensor.ok(), std::string(tensor.status().message()));
    TRM_FUZZ_CHECK(tensor->sizes().vec() == entry.shape && tensor->scalar_type() == entry.dtype,
                   "tensor differs from its header entry");
    TRM_FUZZ_CHECK(static_cast<uint64_t>(tensor->numel()) * tensor->element_size() ==
                       entry.end - entry.begin,
                   "tensor size differs from its byte range");
  }
}
