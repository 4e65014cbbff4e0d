// NumPy .npy files: ParseNpyHeader and ParseNpyFile (what NpyArray::Map checks).
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "trm/data/npy.h"

TRM_FUZZ_TARGET(npy) {
  using namespace trm;
  absl::StatusOr<NpyHeaderInfo> header = ParseNpyHeader(input.data(), input.size(), "fuzz.npy");
  if (!header.ok()) {
    TRM_FUZZ_CHECK(!header.status().message().empty(), "error without a message");
    return;
  }
  TRM_FUZZ_CHECK(header->data_offset <= input.size(), "data offset past the end");
  // np.save's header for the same array parses to the same dtype and shape.
  absl::StatusOr<std::string> written = NpyHeader(header->dtype, header->shape);
  if (written.ok()) {
    absl::StatusOr<NpyHeaderInfo> back = ParseNpyHeader(written->data(), written->size(), "back");
    TRM_FUZZ_CHECK(back.ok(), std::string(back.status().message()));
    TRM_FUZZ_CHECK(back->dtype == header->dtype && back->shape == header->shape,
                   "header does not round-trip");
  }

  absl::StatusOr<NpyHeaderInfo> file = ParseNpyFile(input.data(), input.size(), "fuzz.npy");
  if (!file.ok()) return;
  uint64_t bytes = NpyItemSize(file->dtype);
  for (int64_t d : file->shape) {
    TRM_FUZZ_CHECK(d >= 0, "negative dimension accepted");
    bytes *= static_cast<uint64_t>(d);
  }
  TRM_FUZZ_CHECK(bytes == input.size() - file->data_offset, "data size differs from the shape");
  // Touch every data byte (AddressSanitizer sees reads past the input).
  uint8_t sum = 0;
  for (size_t i = file->data_offset; i < input.size(); ++i) sum ^= static_cast<uint8_t>(input[i]);
  (void)sum;
}
