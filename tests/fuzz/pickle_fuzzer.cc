// torch.save pickles (Unpickle), with storages served from a fixed pool of bytes as the zip
// archive would serve them (records of at most kMaxStorageBytes).
#include <set>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"
#include "trm/checkpoint/pickle.h"

namespace {

constexpr int64_t kMaxStorageBytes = 1 << 20;
// Tensors up to this many elements are read through (their views checked by AddressSanitizer).
constexpr int64_t kMaxTouchedElements = 1 << 16;

absl::StatusOr<at::Tensor> LoadStorage(const std::string& key, at::ScalarType dtype,
                                       int64_t numel) {
  const int64_t element_size = static_cast<int64_t>(c10::elementSize(dtype));
  if (numel > kMaxStorageBytes / element_size) {
    return absl::DataLossError("storage record data/" + key + " is missing");
  }
  return at::empty({numel}, at::TensorOptions().dtype(dtype));
}

}  // namespace

TRM_FUZZ_TARGET(pickle) {
  using namespace trm;
  absl::StatusOr<PickleValuePtr> root = Unpickle(input, "fuzz.pkl", LoadStorage);
  if (!root.ok()) {
    TRM_FUZZ_CHECK(!root.status().message().empty(), "error without a message");
    return;
  }
  TRM_FUZZ_CHECK(*root != nullptr, "null result");
  // Walk the result (a DAG: the memo shares objects) and read every small tensor.
  std::vector<const PickleValue*> todo = {root->get()};
  std::set<const PickleValue*> seen;
  while (!todo.empty()) {
    const PickleValue* value = todo.back();
    todo.pop_back();
    if (!seen.insert(value).second) continue;
    (void)PickleKindName(*value);
    if (value->kind == PickleValue::Kind::kTensor && value->tensor.numel() <= kMaxTouchedElements) {
      (void)value->tensor.contiguous();
    }
    for (const PickleValuePtr& item : value->items) todo.push_back(item.get());
    for (const auto& [key, item] : value->dict) {
      todo.push_back(key.get());
      todo.push_back(item.get());
    }
    if (value->attributes) todo.push_back(value->attributes.get());
  }
}
