#include "trm/checkpoint/torch_save.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "caffe2/serialize/inline_container.h"
#include "caffe2/serialize/read_adapter_interface.h"
#include "trm/base/status_macros.h"
#include "trm/checkpoint/mapped_file.h"

// A slicing-by-16 CRC-32 shipped with LibTorch as a header-only implementation; this is its only
// includer (its functions are not inline).
#include "caffe2/serialize/crc_alt.h"

namespace trm {
namespace {

using caffe2::serialize::PyTorchStreamReader;

// Lets PyTorchStreamReader read from our mapping, so the file is opened and read once.
class MappedReadAdapter final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit MappedReadAdapter(std::shared_ptr<MappedFile> file) : file_(std::move(file)) {}
  size_t size() const override { return file_->size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char* what) const override {
    if (pos >= file_->size()) return 0;
    n = std::min<uint64_t>(n, file_->size() - pos);
    std::memcpy(buf, file_->data() + pos, n);
    return n;
  }

 private:
  std::shared_ptr<MappedFile> file_;
};

// First line of a c10::Error, without LibTorch's backtrace.
std::string ErrorLine(const c10::Error& e) {
  std::string message = e.what_without_backtrace();
  return message.substr(0, message.find('\n'));
}

uint64_t LoadLittleEndian(const uint8_t* p, int bytes) {
  uint64_t value = 0;
  for (int i = bytes; i-- > 0;) value = (value << 8) | p[i];
  return value;
}

// torch.save's zip writer (miniz) stores records uncompressed and follows each with a data
// descriptor: "PK\7\8", CRC-32, compressed size, uncompressed size (4 bytes each, 8 for zip64
// entries). A record whose descriptor says "stored, `nbytes`" can be used in place. Returns its
// CRC-32, or nullopt when the record is not such a record (compressed or written differently).
std::optional<uint32_t> StoredRecordCrc(const MappedFile& file, uint64_t offset, uint64_t nbytes) {
  constexpr uint32_t kDescriptorSignature = 0x08074b50;
  if (offset > file.size() || nbytes > file.size() - offset) return std::nullopt;
  const uint64_t end = offset + nbytes;
  const uint8_t* descriptor = file.data() + end;
  const uint64_t room = file.size() - end;
  if (room < 16 || LoadLittleEndian(descriptor, 4) != kDescriptorSignature) return std::nullopt;
  const bool sizes32 = LoadLittleEndian(descriptor + 8, 4) == nbytes &&
                       LoadLittleEndian(descriptor + 12, 4) == nbytes;
  const bool sizes64 = room >= 24 && LoadLittleEndian(descriptor + 8, 8) == nbytes &&
                       LoadLittleEndian(descriptor + 16, 8) == nbytes;
  if (!sizes32 && !sizes64) return std::nullopt;
  return static_cast<uint32_t>(LoadLittleEndian(descriptor + 4, 4));
}

class TorchSaveArchive {
 public:
  static absl::StatusOr<std::unique_ptr<TorchSaveArchive>> Open(const std::string& path) {
    TRM_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> file, MappedFile::Open(path));
    // Protocol-2 pickle magic at offset 0: the pre-1.6 format (or _use_new_zipfile_serialization
    // =False), which stores storages in a way this reader does not implement.
    if (file->size() >= 2 && file->data()[0] == 0x80 && file->data()[1] == 0x02) {
      return absl::UnimplementedError(absl::StrCat(
          path, ": legacy (non-zip) torch.save format; re-save it with torch >= 1.6 defaults"));
    }
    auto archive = std::unique_ptr<TorchSaveArchive>(new TorchSaveArchive(path, file));
    try {
      archive->reader_ =
          std::make_unique<PyTorchStreamReader>(std::make_shared<MappedReadAdapter>(file));
      if (archive->reader_->hasRecord("byteorder")) {
        TRM_ASSIGN_OR_RETURN(std::string order, archive->ReadSmallRecord("byteorder"));
        if (order != "little") {
          return absl::UnimplementedError(absl::StrCat(path, ": byteorder is '", order, "'"));
        }
      }
    } catch (const c10::Error& e) {
      return absl::DataLossError(
          absl::StrCat(path, ": not a readable torch.save zip archive: ", ErrorLine(e)));
    }
    return archive;
  }

  absl::StatusOr<PickleValuePtr> Load() {
    absl::StatusOr<std::string> pickle = ReadSmallRecord("data.pkl");
    if (!pickle.ok()) return pickle.status();
    return Unpickle(*pickle, absl::StrCat(path_, ": data.pkl"),
                    [this](const std::string& key, at::ScalarType dtype, int64_t numel) {
                      return LoadStorage(key, dtype, numel);
                    });
  }

 private:
  TorchSaveArchive(std::string path, std::shared_ptr<MappedFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  // True when record `name` is stored uncompressed at `offset` with `nbytes` (usable in place),
  // false when it is not (compressed or written differently), an error when its CRC-32 fails.
  // LibTorch's miniz is built without CRC checks, so this is the archive's integrity check.
  absl::StatusOr<bool> CheckStoredRecord(const std::string& name, uint64_t offset,
                                         uint64_t nbytes) const {
    std::optional<uint32_t> crc = StoredRecordCrc(*file_, offset, nbytes);
    if (!crc) return false;
    if (crc32_fast(file_->data() + offset, nbytes) != *crc) {
      return absl::DataLossError(
          absl::StrCat("record ", name, " fails its CRC-32 check (the file is corrupt)"));
    }
    return true;
  }

  absl::StatusOr<std::string> ReadSmallRecord(const std::string& name) {
    try {
      auto [data, size] = reader_->getRecord(name);
      absl::StatusOr<bool> stored = CheckStoredRecord(name, reader_->getRecordOffset(name), size);
      if (!stored.ok())
        return absl::DataLossError(absl::StrCat(path_, ": ", stored.status().message()));
      return std::string(static_cast<const char*>(data.get()), size);
    } catch (const c10::Error& e) {
      return absl::DataLossError(absl::StrCat(path_, ": ", name, ": ", ErrorLine(e)));
    }
  }

  // Errors here are wrapped by the unpickler with the file and byte offset.
  absl::StatusOr<at::Tensor> LoadStorage(const std::string& key, at::ScalarType dtype,
                                         int64_t numel) {
    const std::string name = "data/" + key;
    const uint64_t element_size = c10::elementSize(dtype);
    if (static_cast<uint64_t>(numel) > std::numeric_limits<uint64_t>::max() / element_size) {
      return absl::DataLossError(absl::StrCat("storage ", name, " is too large"));
    }
    const uint64_t nbytes = static_cast<uint64_t>(numel) * element_size;
    try {
      if (!reader_->hasRecord(name)) {
        return absl::DataLossError(absl::StrCat("storage record ", name, " is missing"));
      }
      const uint64_t offset = reader_->getRecordOffset(name);
      TRM_ASSIGN_OR_RETURN(const bool stored, CheckStoredRecord(name, offset, nbytes));
      if (stored) return file_->Tensor(offset, numel, dtype);
      // Compressed or written by another zip tool: let LibTorch extract a copy.
      auto [data, size] = reader_->getRecord(name);
      if (size != nbytes) {
        return absl::DataLossError(absl::StrCat("storage record ", name, " has ", size,
                                                " bytes, expected ", numel, " x ",
                                                c10::toString(dtype), " = ", nbytes));
      }
      auto owner = std::make_shared<at::DataPtr>(std::move(data));
      return at::from_blob(
          owner->get(), {numel}, [owner](void*) {}, at::TensorOptions().dtype(dtype));
    } catch (const c10::Error& e) {
      return absl::DataLossError(absl::StrCat("storage record ", name, ": ", ErrorLine(e)));
    }
  }

  std::string path_;
  std::shared_ptr<MappedFile> file_;
  std::unique_ptr<PyTorchStreamReader> reader_;
};

}  // namespace

absl::StatusOr<PickleValuePtr> ReadTorchSave(const std::string& path) {
  TRM_ASSIGN_OR_RETURN(std::unique_ptr<TorchSaveArchive> archive, TorchSaveArchive::Open(path));
  return archive->Load();
}

absl::StatusOr<std::vector<std::pair<std::string, at::Tensor>>> ReadTorchSaveTensors(
    const std::string& path) {
  TRM_ASSIGN_OR_RETURN(PickleValuePtr root, ReadTorchSave(path));
  if (root->kind != PickleValue::Kind::kDict) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the saved object is a ", PickleKindName(*root), ", not a dict of name -> tensor"));
  }
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [key, value] : root->dict) {
    if (key->kind != PickleValue::Kind::kString) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": a key is of type ", PickleKindName(*key), ", not str"));
    }
    if (value->kind != PickleValue::Kind::kTensor) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": '", key->string_value,
                                                     "' is of type ", PickleKindName(*value),
                                                     ", not a tensor"));
    }
    tensors.emplace_back(key->string_value, value->tensor);
  }
  return tensors;
}

}  // namespace trm
