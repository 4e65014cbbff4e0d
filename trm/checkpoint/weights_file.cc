#include "trm/checkpoint/weights_file.h"

#include <fstream>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/checkpoint/torch_save.h"

namespace trm {
namespace {

// Zero-copy: every view keeps the file's mapping alive.
absl::StatusOr<NamedTensors> ReadSafetensorsViews(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsReader> reader, SafetensorsReader::Open(path));
  NamedTensors tensors;
  for (const SafetensorsEntry& entry : reader->entries()) {
    TRM_ASSIGN_OR_RETURN(at::Tensor view, reader->View(entry.name));
    tensors.emplace_back(entry.name, std::move(view));
  }
  return tensors;
}

}  // namespace

const char* WeightsFormatName(WeightsFormat format) {
  switch (format) {
    case WeightsFormat::kSafetensors:
      return "safetensors";
    case WeightsFormat::kTorchSave:
      return "torch.save";
  }
  return "?";
}

absl::StatusOr<WeightsFormat> DetectWeightsFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  char magic[9] = {};
  in.read(magic, sizeof(magic));
  const std::streamsize got = in.gcount();
  // Zip local-file header or (empty archive) end-of-central-directory record.
  if (got >= 4 && magic[0] == 'P' && magic[1] == 'K' &&
      ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6))) {
    return WeightsFormat::kTorchSave;
  }
  // Protocol-2 pickle: legacy torch.save, reported by the torch.save reader.
  if (got >= 2 && static_cast<uint8_t>(magic[0]) == 0x80 && magic[1] == 2) {
    return WeightsFormat::kTorchSave;
  }
  // u64 header length, then the JSON header.
  if (got == 9 && magic[8] == '{') return WeightsFormat::kSafetensors;
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": unrecognised weights format (neither safetensors nor a torch.save zip archive)"));
}

absl::StatusOr<NamedTensors> ReadWeights(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(WeightsFormat format, DetectWeightsFormat(path));
  switch (format) {
    case WeightsFormat::kSafetensors:
      return ReadSafetensorsViews(path);
    case WeightsFormat::kTorchSave:
      return ReadTorchSaveTensors(path);
  }
  return absl::InternalError("unreachable");
}

}  // namespace trm
