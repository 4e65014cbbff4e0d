// A strict reader for the pickles that PyTorch's torch.save writes (archive/data.pkl).
//
// LibTorch 1.13's own unpickler turns an OrderedDict (every state_dict()) into None and rejects
// single-key dicts, so checkpoints of the reference cannot be read with it. This reader accepts the
// opcodes torch.save emits (protocol 2, plus the protocol-4 ones a caller may opt into) and a
// whitelist of globals: collections.OrderedDict, torch._utils._rebuild_tensor_v2 /
// _rebuild_parameter and the typed storages. Anything else fails with one line naming the source
// and the byte offset; nothing is ever executed.
#ifndef TRM_CHECKPOINT_PICKLE_H_
#define TRM_CHECKPOINT_PICKLE_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace trm {

struct PickleValue;
using PickleValuePtr = std::shared_ptr<PickleValue>;

// A Python object of the kinds torch.save's pickles hold. Containers have reference semantics
// (the pickle memo shares them), hence shared pointers.
struct PickleValue {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kStorage,
    kTensor
  };

  Kind kind = Kind::kNone;
  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string string_value;           // kString; kGlobal: "module.name"
  std::vector<PickleValuePtr> items;  // kTuple, kList
  // kDict (dict or collections.OrderedDict), in insertion order; keys are kString or kInt.
  std::vector<std::pair<PickleValuePtr, PickleValuePtr>> dict;
  bool ordered_dict = false;
  // kDict: the instance state set by BUILD (an OrderedDict's `_metadata`), or null.
  PickleValuePtr attributes;
  at::Tensor tensor;  // kTensor; kStorage: the whole storage, 1-D

  // The value stored under string key `key` of a kDict, or null.
  PickleValuePtr Find(const std::string& key) const;
};

// "None", "int", "dict", ... (Python's names, for messages).
std::string PickleKindName(const PickleValue& value);

// Returns storage `key` of torch.save's persistent ids ('storage', torch.<T>Storage, key,
// location, numel) as a 1-D CPU tensor of `numel` elements of `dtype`. Called once per key.
using StorageLoader = std::function<absl::StatusOr<at::Tensor>(
    const std::string& key, at::ScalarType dtype, int64_t numel)>;

// Unpickles `bytes`. Tensors are views of the loaded storages (views of one storage share it).
// Containers may nest at most 1000 deep.
// Errors: "<source>: byte <offset>: <what>".
absl::StatusOr<PickleValuePtr> Unpickle(std::string_view bytes, const std::string& source,
                                        const StorageLoader& load_storage);

}  // namespace trm

#endif  // TRM_CHECKPOINT_PICKLE_H_
