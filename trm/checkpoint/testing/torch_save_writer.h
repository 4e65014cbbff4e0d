// Test helpers that write torch.save files byte by byte, the way PyTorch does, so that tests can
// craft valid checkpoints (OrderedDict with _metadata, shared storages, every dtype) and broken
// ones (unknown opcodes, truncation, wrong sizes) without Python.
#ifndef TRM_CHECKPOINT_TESTING_TORCH_SAVE_WRITER_H_
#define TRM_CHECKPOINT_TESTING_TORCH_SAVE_WRITER_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace trm::testing {

// Emits pickle opcodes (protocol 2 unless told otherwise).
class PickleBuilder {
 public:
  PickleBuilder& Byte(uint8_t byte);
  PickleBuilder& Bytes(const std::string& bytes);
  PickleBuilder& Proto(int protocol = 2);
  PickleBuilder& Stop();
  PickleBuilder& Mark();
  PickleBuilder& String(const std::string& text);  // BINUNICODE
  PickleBuilder& Int(int64_t value);               // BININT1 / BININT2 / BININT / LONG1
  PickleBuilder& Float(double value);              // BINFLOAT
  PickleBuilder& Bool(bool value);
  PickleBuilder& None();
  PickleBuilder& Global(const std::string& module, const std::string& name);
  PickleBuilder& EmptyTuple();
  PickleBuilder& Tuple();  // from the last MARK
  PickleBuilder& EmptyDict();
  PickleBuilder& SetItem();
  PickleBuilder& SetItems();  // from the last MARK
  PickleBuilder& Reduce();
  PickleBuilder& Build();
  PickleBuilder& Put(uint32_t index);  // BINPUT or LONG_BINPUT
  PickleBuilder& Get(uint32_t index);  // BINGET or LONG_BINGET
  PickleBuilder& IntTuple(const std::vector<int64_t>& values);

  // collections.OrderedDict() (REDUCE of the global with no arguments).
  PickleBuilder& OrderedDict();
  // torch._utils._rebuild_tensor_v2(<persistent storage>, offset, size, stride, False,
  // OrderedDict()), as torch.save writes one tensor.
  PickleBuilder& Tensor(const std::string& storage_key, at::ScalarType dtype, int64_t storage_numel,
                        int64_t offset, const std::vector<int64_t>& size,
                        const std::vector<int64_t>& stride);

  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// "torch.FloatStorage", ... for a dtype.
std::string StorageGlobalName(at::ScalarType dtype);

// The pickle torch.save writes for an OrderedDict state dict (with `_metadata` when asked), one
// storage per tensor named "0", "1", ... in order; the tensors must be contiguous.
std::string StateDictPickle(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                            bool ordered_dict_with_metadata);

struct ZipRecord {
  std::string name;  // inside the archive folder, e.g. "data.pkl", "data/0"
  std::string data;
  bool compress = false;
};

// Writes a zip archive with LibTorch's PyTorchStreamWriter (the writer behind torch.save):
// <stem>/<record>... and <stem>/version.
void WriteZip(const std::string& path, const std::vector<ZipRecord>& records);

// The raw bytes of a contiguous tensor.
std::string TensorBytes(const at::Tensor& tensor);

// torch.save of a state dict: StateDictPickle + one storage record per tensor.
void WriteTorchSaveStateDict(const std::string& path,
                             const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                             bool ordered_dict_with_metadata = true);

}  // namespace trm::testing

#endif  // TRM_CHECKPOINT_TESTING_TORCH_SAVE_WRITER_H_
