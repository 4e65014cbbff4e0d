#include "trm/checkpoint/pickle.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "trm/base/status_macros.h"

namespace trm {
namespace {

using Kind = PickleValue::Kind;

// Opcodes of the pickle protocol (Python's Lib/pickle.py) that torch.save's pickles use.
enum Opcode : uint8_t {
  kMark = '(',
  kStop = '.',
  kBinFloat = 'G',
  kBinInt = 'J',
  kBinInt1 = 'K',
  kBinInt2 = 'M',
  kNone = 'N',
  kBinPersId = 'Q',
  kReduce = 'R',
  kBinUnicode = 'X',
  kEmptyList = ']',
  kAppend = 'a',
  kBuild = 'b',
  kGlobal = 'c',
  kAppends = 'e',
  kBinGet = 'h',
  kLongBinGet = 'j',
  kBinPut = 'q',
  kLongBinPut = 'r',
  kSetItem = 's',
  kTuple = 't',
  kSetItems = 'u',
  kEmptyDict = '}',
  kEmptyTuple = ')',
  kProto = 0x80,
  kTuple1 = 0x85,
  kTuple2 = 0x86,
  kTuple3 = 0x87,
  kNewTrue = 0x88,
  kNewFalse = 0x89,
  kLong1 = 0x8a,
  // Protocol 4 (torch.save(..., pickle_protocol=4)).
  kShortBinUnicode = 0x8c,
  kBinUnicode8 = 0x8d,
  kStackGlobal = 0x93,
  kMemoize = 0x94,
  kFrame = 0x95,
};

constexpr int kHighestProtocol = 5;

// Deepest nesting of containers accepted (a state dict nests 3 deep). The result is freed
// recursively, so an unbounded depth (one byte per level with TUPLE1) would overflow the stack.
constexpr size_t kMaxDepth = 1000;

constexpr char kOrderedDict[] = "collections.OrderedDict";
constexpr char kRebuildTensor[] = "torch._utils._rebuild_tensor_v2";
constexpr char kRebuildParameter[] = "torch._utils._rebuild_parameter";

struct StorageType {
  const char* global;
  at::ScalarType dtype;
};

constexpr StorageType kStorageTypes[] = {
    {"torch.DoubleStorage", at::kDouble}, {"torch.FloatStorage", at::kFloat},
    {"torch.HalfStorage", at::kHalf},     {"torch.BFloat16Storage", at::kBFloat16},
    {"torch.LongStorage", at::kLong},     {"torch.IntStorage", at::kInt},
    {"torch.ShortStorage", at::kShort},   {"torch.CharStorage", at::kChar},
    {"torch.ByteStorage", at::kByte},     {"torch.BoolStorage", at::kBool},
};

const StorageType* FindStorageType(const std::string& global) {
  for (const StorageType& type : kStorageTypes) {
    if (global == type.global) return &type;
  }
  return nullptr;
}

bool IsAllowedGlobal(const std::string& global) {
  return global == kOrderedDict || global == kRebuildTensor || global == kRebuildParameter ||
         FindStorageType(global) != nullptr;
}

std::vector<const PickleValue*> Children(const PickleValue& value) {
  std::vector<const PickleValue*> children;
  for (const PickleValuePtr& item : value.items) children.push_back(item.get());
  for (const auto& [key, item] : value.dict) {
    children.push_back(key.get());
    children.push_back(item.get());
  }
  if (value.attributes) children.push_back(value.attributes.get());
  return children;
}

std::string DescribeOpcode(uint8_t opcode) {
  if (std::isprint(opcode)) return absl::StrFormat("0x%02x ('%c')", opcode, opcode);
  return absl::StrFormat("0x%02x", opcode);
}

class Unpickler {
 public:
  Unpickler(std::string_view bytes, const std::string& source, const StorageLoader& load_storage)
      : bytes_(bytes), source_(source), load_storage_(load_storage) {}

  absl::StatusOr<PickleValuePtr> Unpickle() {
    absl::StatusOr<PickleValuePtr> root = Run();
    std::set<const PickleValue*> owned;
    if (root.ok()) {
      if (absl::Status acyclic = CheckAcyclic(**root, &owned); !acyclic.ok()) root = acyclic;
    }
    // Python objects may form reference cycles, which shared pointers would leak; a state dict
    // has none. Empty every container the result does not hold, which breaks any cycle.
    for (const PickleValuePtr& container : containers_) {
      if (!root.ok() || !owned.count(container.get())) {
        container->items.clear();
        container->dict.clear();
        container->attributes.reset();
      }
    }
    return root;
  }

 private:
  absl::StatusOr<PickleValuePtr> Run() {
    while (true) {
      op_pos_ = pos_;
      if (pos_ >= bytes_.size()) return Error("truncated: the pickle ends without STOP");
      const uint8_t opcode = static_cast<uint8_t>(bytes_[pos_++]);
      if (opcode == kStop) break;
      TRM_RETURN_IF_ERROR(Step(opcode));
    }
    if (pos_ != bytes_.size()) {
      return Error(absl::StrCat(bytes_.size() - pos_, " bytes after STOP"));
    }
    if (!marks_.empty()) return Error("STOP inside an unclosed MARK");
    if (stack_.size() != 1) {
      return Error(absl::StrCat("STOP with ", stack_.size(), " values on the stack (expected 1)"));
    }
    return stack_.back();
  }

  PickleValuePtr Make(Kind kind) {
    auto value = std::make_shared<PickleValue>();
    value->kind = kind;
    if (kind == Kind::kTuple || kind == Kind::kList || kind == Kind::kDict) {
      containers_.push_back(value);
    }
    return value;
  }

  // Depth-first walk from `root`; every object reached goes into `reached`. Also refuses nesting
  // deeper than kMaxDepth.
  absl::Status CheckAcyclic(const PickleValue& root, std::set<const PickleValue*>* reached) const {
    struct Frame {
      const PickleValue* value;
      std::vector<const PickleValue*> children;
      size_t next = 0;
    };
    std::set<const PickleValue*> on_path = {&root};
    std::vector<Frame> path = {{&root, Children(root)}};
    while (!path.empty()) {
      Frame& frame = path.back();
      if (frame.next == frame.children.size()) {
        on_path.erase(frame.value);
        reached->insert(frame.value);
        path.pop_back();
        continue;
      }
      const PickleValue* child = frame.children[frame.next++];
      if (on_path.count(child)) return Error("a container contains itself (reference cycle)");
      if (!reached->count(child)) {
        if (path.size() >= kMaxDepth) {
          return Error(absl::StrCat("containers nested deeper than ", kMaxDepth, " levels"));
        }
        on_path.insert(child);
        path.push_back({child, Children(*child)});
      }
    }
    return absl::OkStatus();
  }

  absl::Status Error(const std::string& what) const {
    return absl::DataLossError(absl::StrCat(source_, ": byte ", op_pos_, ": ", what));
  }

  absl::StatusOr<std::string_view> Take(size_t n, const char* what) {
    if (bytes_.size() - pos_ < n) {
      return Error(absl::StrCat("truncated: ", what, " needs ", n, " bytes, ", bytes_.size() - pos_,
                                " left"));
    }
    std::string_view taken = bytes_.substr(pos_, n);
    pos_ += n;
    return taken;
  }

  absl::StatusOr<uint64_t> ReadUnsigned(size_t n, const char* what) {
    TRM_ASSIGN_OR_RETURN(std::string_view raw, Take(n, what));
    uint64_t value = 0;
    for (size_t i = n; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(raw[i]);
    return value;
  }

  absl::StatusOr<std::string> ReadLine(const char* what) {
    const size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos)
      return Error(absl::StrCat("truncated: ", what, " has no newline"));
    std::string line(bytes_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return line;
  }

  // The stack above the innermost MARK is all an opcode may consume (as in CPython's unpickler).
  size_t Fence() const { return marks_.empty() ? 0 : marks_.back(); }

  absl::StatusOr<PickleValuePtr> Pop() {
    if (stack_.size() <= Fence()) return Error("stack underflow");
    PickleValuePtr value = std::move(stack_.back());
    stack_.pop_back();
    return value;
  }

  absl::StatusOr<PickleValuePtr> Top() const {
    if (stack_.size() <= Fence()) return Error("stack underflow");
    return stack_.back();
  }

  absl::StatusOr<std::vector<PickleValuePtr>> PopToMark() {
    if (marks_.empty()) return Error("no MARK to pop to");
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<PickleValuePtr> items(std::make_move_iterator(stack_.begin() + mark),
                                      std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }

  void Push(PickleValuePtr value) { stack_.push_back(std::move(value)); }

  void PushInt(int64_t value) {
    PickleValuePtr v = Make(Kind::kInt);
    v->int_value = value;
    Push(std::move(v));
  }

  void PushString(std::string_view text) {
    PickleValuePtr v = Make(Kind::kString);
    v->string_value = std::string(text);
    Push(std::move(v));
  }

  void PushTuple(std::vector<PickleValuePtr> items) {
    PickleValuePtr v = Make(Kind::kTuple);
    v->items = std::move(items);
    Push(std::move(v));
  }

  absl::Status PushGlobal(const std::string& module, const std::string& name) {
    const std::string global = absl::StrCat(module, ".", name);
    if (!IsAllowedGlobal(global)) {
      return Error(absl::StrCat("unsupported global '", global,
                                "' (a torch.save state dict needs only collections.OrderedDict, "
                                "torch._utils._rebuild_tensor_v2/_rebuild_parameter and "
                                "torch.*Storage)"));
    }
    PickleValuePtr v = Make(Kind::kGlobal);
    v->string_value = global;
    Push(std::move(v));
    return absl::OkStatus();
  }

  absl::Status Memoize(uint64_t index) {
    TRM_ASSIGN_OR_RETURN(PickleValuePtr top, Top());
    memo_[index] = std::move(top);
    return absl::OkStatus();
  }

  absl::Status Recall(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) return Error(absl::StrCat("memo entry ", index, " was never stored"));
    Push(it->second);
    return absl::OkStatus();
  }

  absl::Status SetItems(std::vector<PickleValuePtr> key_values) {
    if (key_values.size() % 2 != 0) return Error("SETITEMS with an odd number of values");
    TRM_ASSIGN_OR_RETURN(PickleValuePtr dict, Top());
    if (dict->kind != Kind::kDict) {
      return Error(absl::StrCat("SETITEM(S) on a ", PickleKindName(*dict), ", not a dict"));
    }
    std::set<std::string>& keys = dict_keys_[dict.get()];
    for (size_t i = 0; i < key_values.size(); i += 2) {
      const PickleValue& key = *key_values[i];
      std::string canonical;
      if (key.kind == Kind::kString) {
        canonical = absl::StrCat("s", key.string_value);
      } else if (key.kind == Kind::kInt) {
        canonical = absl::StrCat("i", key.int_value);
      } else {
        return Error(absl::StrCat("dict key of type ", PickleKindName(key), " (only str and int)"));
      }
      if (!keys.insert(canonical).second) {
        return Error(absl::StrCat("dict key ", canonical.substr(1), " appears twice"));
      }
      dict->dict.emplace_back(key_values[i], key_values[i + 1]);
    }
    return absl::OkStatus();
  }

  absl::Status Appends(std::vector<PickleValuePtr> items) {
    TRM_ASSIGN_OR_RETURN(PickleValuePtr list, Top());
    if (list->kind != Kind::kList) {
      return Error(absl::StrCat("APPEND(S) on a ", PickleKindName(*list), ", not a list"));
    }
    for (PickleValuePtr& item : items) list->items.push_back(std::move(item));
    return absl::OkStatus();
  }

  // torch.save's persistent id of a storage: ('storage', torch.<T>Storage, key, location, numel).
  absl::Status PersistentLoad() {
    TRM_ASSIGN_OR_RETURN(PickleValuePtr pid, Pop());
    const auto& f = pid->items;
    if (pid->kind != Kind::kTuple || f.size() != 5 || f[0]->kind != Kind::kString ||
        f[0]->string_value != "storage" || f[1]->kind != Kind::kGlobal ||
        f[2]->kind != Kind::kString || f[3]->kind != Kind::kString || f[4]->kind != Kind::kInt) {
      return Error("persistent id is not ('storage', torch.<T>Storage, key, location, numel)");
    }
    const StorageType* type = FindStorageType(f[1]->string_value);
    if (type == nullptr)
      return Error(absl::StrCat("'", f[1]->string_value, "' is not a storage type"));
    const std::string& key = f[2]->string_value;
    const int64_t numel = f[4]->int_value;
    if (numel < 0) return Error(absl::StrCat("storage ", key, " has ", numel, " elements"));
    auto it = storages_.find(key);
    if (it == storages_.end()) {
      absl::StatusOr<at::Tensor> storage = load_storage_(key, type->dtype, numel);
      if (!storage.ok()) return Error(std::string(storage.status().message()));
      if (storage->dim() != 1 || storage->numel() != numel ||
          storage->scalar_type() != type->dtype) {
        return Error(absl::StrCat("storage ", key, " was loaded with the wrong size or dtype"));
      }
      it = storages_.emplace(key, *std::move(storage)).first;
    } else if (it->second.scalar_type() != type->dtype || it->second.numel() != numel) {
      return Error(absl::StrCat("storage ", key, " is referenced as ", c10::toString(type->dtype),
                                "[", numel, "] and as ", c10::toString(it->second.scalar_type()),
                                "[", it->second.numel(), "]"));
    }
    PickleValuePtr storage = Make(Kind::kStorage);
    storage->tensor = it->second;
    Push(std::move(storage));
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<int64_t>> IntTuple(const PickleValue& value, const char* what) {
    if (value.kind != Kind::kTuple) return Error(absl::StrCat(what, " is not a tuple"));
    std::vector<int64_t> ints;
    for (const PickleValuePtr& item : value.items) {
      if (item->kind != Kind::kInt || item->int_value < 0) {
        return Error(absl::StrCat(what, " holds a value that is not a non-negative int"));
      }
      ints.push_back(item->int_value);
    }
    return ints;
  }

  absl::Status SetRequiresGrad(at::Tensor& tensor, bool requires_grad) {
    if (requires_grad && !tensor.is_floating_point()) {
      return Error(absl::StrCat("a ", c10::toString(tensor.scalar_type()),
                                " tensor cannot require gradients"));
    }
    tensor.set_requires_grad(requires_grad);
    return absl::OkStatus();
  }

  static bool IsEmptyDict(const PickleValue& value) {
    return value.kind == Kind::kDict && value.dict.empty();
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks
  //                    [, metadata]): a strided view of the storage.
  absl::StatusOr<PickleValuePtr> RebuildTensor(const std::vector<PickleValuePtr>& args) {
    if (args.size() != 6 && args.size() != 7) {
      return Error(absl::StrCat(kRebuildTensor, " takes 6 or 7 arguments, got ", args.size()));
    }
    if (args[0]->kind != Kind::kStorage) return Error("tensor storage is not a persistent storage");
    if (args[1]->kind != Kind::kInt || args[1]->int_value < 0) {
      return Error("tensor storage offset is not a non-negative int");
    }
    TRM_ASSIGN_OR_RETURN(std::vector<int64_t> size, IntTuple(*args[2], "tensor size"));
    TRM_ASSIGN_OR_RETURN(std::vector<int64_t> stride, IntTuple(*args[3], "tensor stride"));
    if (size.size() != stride.size()) {
      return Error(
          absl::StrCat("tensor has ", size.size(), " sizes but ", stride.size(), " strides"));
    }
    if (args[4]->kind != Kind::kBool) return Error("tensor requires_grad is not a bool");
    if (!IsEmptyDict(*args[5])) return Error("tensor has backward hooks");
    if (args.size() == 7 && args[6]->kind != Kind::kNone && !IsEmptyDict(*args[6])) {
      return Error("tensor has metadata (conjugate/negative bits or Python attributes)");
    }
    const at::Tensor& storage = args[0]->tensor;
    const int64_t offset = args[1]->int_value;
    // The highest element the view reaches must lie inside the storage.
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    bool empty = false;
    int64_t last = offset;
    for (size_t d = 0; d < size.size(); ++d) {
      if (size[d] == 0) empty = true;
      if (size[d] > 1 && stride[d] > (kMax - last) / (size[d] - 1))
        return Error("tensor extent overflows");
      if (size[d] > 1) last += (size[d] - 1) * stride[d];
    }
    if (empty ? offset > storage.numel() : last >= storage.numel()) {
      return Error(absl::StrCat("tensor of size [", absl::StrJoin(size, ","), "], stride [",
                                absl::StrJoin(stride, ","), "] at offset ", offset,
                                " reaches past its storage of ", storage.numel(), " elements"));
    }
    PickleValuePtr tensor = Make(Kind::kTensor);
    tensor->tensor = storage.as_strided(size, stride, offset);
    TRM_RETURN_IF_ERROR(SetRequiresGrad(tensor->tensor, args[4]->bool_value));
    return tensor;
  }

  absl::Status Reduce() {
    TRM_ASSIGN_OR_RETURN(PickleValuePtr args, Pop());
    TRM_ASSIGN_OR_RETURN(PickleValuePtr callable, Pop());
    if (callable->kind != Kind::kGlobal) {
      return Error(absl::StrCat("REDUCE calls a ", PickleKindName(*callable)));
    }
    if (args->kind != Kind::kTuple) return Error("REDUCE arguments are not a tuple");
    const std::string& name = callable->string_value;
    const std::vector<PickleValuePtr>& a = args->items;
    if (name == kOrderedDict) {
      if (!a.empty()) return Error("OrderedDict(...) with arguments");
      PickleValuePtr dict = Make(Kind::kDict);
      dict->ordered_dict = true;
      Push(std::move(dict));
    } else if (name == kRebuildTensor) {
      TRM_ASSIGN_OR_RETURN(PickleValuePtr tensor, RebuildTensor(a));
      Push(std::move(tensor));
    } else if (name == kRebuildParameter) {
      if (a.size() != 3 || a[0]->kind != Kind::kTensor || a[1]->kind != Kind::kBool ||
          !IsEmptyDict(*a[2])) {
        return Error(absl::StrCat(kRebuildParameter, " needs (tensor, requires_grad, {})"));
      }
      PickleValuePtr parameter = Make(Kind::kTensor);
      parameter->tensor = a[0]->tensor;
      TRM_RETURN_IF_ERROR(SetRequiresGrad(parameter->tensor, a[1]->bool_value));
      Push(std::move(parameter));
    } else {
      return Error(absl::StrCat("cannot call ", name));
    }
    return absl::OkStatus();
  }

  // BUILD sets instance state; torch.save uses it for an OrderedDict's `_metadata` attribute.
  absl::Status Build() {
    TRM_ASSIGN_OR_RETURN(PickleValuePtr state, Pop());
    TRM_ASSIGN_OR_RETURN(PickleValuePtr object, Top());
    if (object->kind != Kind::kDict || !object->ordered_dict) {
      return Error(absl::StrCat("BUILD on a ", PickleKindName(*object), " (only OrderedDict)"));
    }
    if (state->kind != Kind::kDict || object->attributes != nullptr) {
      return Error("BUILD state of an OrderedDict is not a single attribute dict");
    }
    object->attributes = std::move(state);
    return absl::OkStatus();
  }

  absl::Status Step(uint8_t opcode) {
    switch (opcode) {
      case kProto: {
        TRM_ASSIGN_OR_RETURN(uint64_t protocol, ReadUnsigned(1, "PROTO"));
        if (protocol < 2 || protocol > kHighestProtocol) {
          return Error(absl::StrCat("unsupported pickle protocol ", protocol));
        }
        return absl::OkStatus();
      }
      case kFrame: {
        TRM_ASSIGN_OR_RETURN(uint64_t frame, ReadUnsigned(8, "FRAME"));
        if (frame > bytes_.size() - pos_) return Error("truncated: FRAME longer than the pickle");
        return absl::OkStatus();
      }
      case kMark:
        marks_.push_back(stack_.size());
        return absl::OkStatus();
      case kNone:
        Push(Make(Kind::kNone));
        return absl::OkStatus();
      case kNewTrue:
      case kNewFalse: {
        PickleValuePtr v = Make(Kind::kBool);
        v->bool_value = opcode == kNewTrue;
        Push(std::move(v));
        return absl::OkStatus();
      }
      case kBinInt: {
        TRM_ASSIGN_OR_RETURN(uint64_t raw, ReadUnsigned(4, "BININT"));
        PushInt(static_cast<int32_t>(static_cast<uint32_t>(raw)));
        return absl::OkStatus();
      }
      case kBinInt1: {
        TRM_ASSIGN_OR_RETURN(uint64_t raw, ReadUnsigned(1, "BININT1"));
        PushInt(static_cast<int64_t>(raw));
        return absl::OkStatus();
      }
      case kBinInt2: {
        TRM_ASSIGN_OR_RETURN(uint64_t raw, ReadUnsigned(2, "BININT2"));
        PushInt(static_cast<int64_t>(raw));
        return absl::OkStatus();
      }
      case kLong1: {
        TRM_ASSIGN_OR_RETURN(uint64_t n, ReadUnsigned(1, "LONG1"));
        if (n > 8) return Error(absl::StrCat("LONG1 of ", n, " bytes does not fit in 64 bits"));
        TRM_ASSIGN_OR_RETURN(uint64_t raw, ReadUnsigned(n, "LONG1"));
        // Little-endian two's complement of n bytes: sign-extend from the top byte.
        if (n > 0 && n < 8 && (raw >> (8 * n - 1)) & 1) raw |= ~uint64_t{0} << (8 * n);
        PushInt(static_cast<int64_t>(raw));
        return absl::OkStatus();
      }
      case kBinFloat: {
        TRM_ASSIGN_OR_RETURN(std::string_view raw, Take(8, "BINFLOAT"));
        uint64_t bits = 0;
        for (char c : raw) bits = (bits << 8) | static_cast<uint8_t>(c);  // big-endian
        PickleValuePtr v = Make(Kind::kFloat);
        std::memcpy(&v->float_value, &bits, sizeof(bits));
        Push(std::move(v));
        return absl::OkStatus();
      }
      case kShortBinUnicode:
      case kBinUnicode:
      case kBinUnicode8: {
        const size_t width = opcode == kShortBinUnicode ? 1 : opcode == kBinUnicode ? 4 : 8;
        TRM_ASSIGN_OR_RETURN(uint64_t length, ReadUnsigned(width, "string length"));
        TRM_ASSIGN_OR_RETURN(std::string_view text, Take(length, "string"));
        PushString(text);
        return absl::OkStatus();
      }
      case kEmptyTuple:
        PushTuple({});
        return absl::OkStatus();
      case kEmptyList:
        Push(Make(Kind::kList));
        return absl::OkStatus();
      case kEmptyDict:
        Push(Make(Kind::kDict));
        return absl::OkStatus();
      case kTuple: {
        TRM_ASSIGN_OR_RETURN(std::vector<PickleValuePtr> items, PopToMark());
        PushTuple(std::move(items));
        return absl::OkStatus();
      }
      case kTuple1:
      case kTuple2:
      case kTuple3: {
        std::vector<PickleValuePtr> items(opcode - kTuple1 + 1);
        for (size_t i = items.size(); i-- > 0;) {
          TRM_ASSIGN_OR_RETURN(items[i], Pop());
        }
        PushTuple(std::move(items));
        return absl::OkStatus();
      }
      case kAppend: {
        TRM_ASSIGN_OR_RETURN(PickleValuePtr item, Pop());
        return Appends({std::move(item)});
      }
      case kAppends: {
        TRM_ASSIGN_OR_RETURN(std::vector<PickleValuePtr> items, PopToMark());
        return Appends(std::move(items));
      }
      case kSetItem: {
        TRM_ASSIGN_OR_RETURN(PickleValuePtr value, Pop());
        TRM_ASSIGN_OR_RETURN(PickleValuePtr key, Pop());
        return SetItems({std::move(key), std::move(value)});
      }
      case kSetItems: {
        TRM_ASSIGN_OR_RETURN(std::vector<PickleValuePtr> key_values, PopToMark());
        return SetItems(std::move(key_values));
      }
      case kBinPut: {
        TRM_ASSIGN_OR_RETURN(uint64_t index, ReadUnsigned(1, "BINPUT"));
        return Memoize(index);
      }
      case kLongBinPut: {
        TRM_ASSIGN_OR_RETURN(uint64_t index, ReadUnsigned(4, "LONG_BINPUT"));
        return Memoize(index);
      }
      case kMemoize:
        return Memoize(memo_.size());
      case kBinGet: {
        TRM_ASSIGN_OR_RETURN(uint64_t index, ReadUnsigned(1, "BINGET"));
        return Recall(index);
      }
      case kLongBinGet: {
        TRM_ASSIGN_OR_RETURN(uint64_t index, ReadUnsigned(4, "LONG_BINGET"));
        return Recall(index);
      }
      case kGlobal: {
        TRM_ASSIGN_OR_RETURN(std::string module, ReadLine("GLOBAL module"));
        TRM_ASSIGN_OR_RETURN(std::string name, ReadLine("GLOBAL name"));
        return PushGlobal(module, name);
      }
      case kStackGlobal: {
        TRM_ASSIGN_OR_RETURN(PickleValuePtr name, Pop());
        TRM_ASSIGN_OR_RETURN(PickleValuePtr module, Pop());
        if (module->kind != Kind::kString || name->kind != Kind::kString) {
          return Error("STACK_GLOBAL needs two strings");
        }
        return PushGlobal(module->string_value, name->string_value);
      }
      case kBinPersId:
        return PersistentLoad();
      case kReduce:
        return Reduce();
      case kBuild:
        return Build();
      default:
        return Error(absl::StrCat("unsupported pickle opcode ", DescribeOpcode(opcode)));
    }
  }

  const std::string_view bytes_;
  const std::string& source_;
  const StorageLoader& load_storage_;
  size_t pos_ = 0;
  size_t op_pos_ = 0;  // offset of the opcode being executed, for messages
  std::vector<PickleValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValuePtr> memo_;
  std::unordered_map<const PickleValue*, std::set<std::string>> dict_keys_;
  std::map<std::string, at::Tensor> storages_;
  std::vector<PickleValuePtr> containers_;  // every tuple, list and dict made
};

}  // namespace

PickleValuePtr PickleValue::Find(const std::string& key) const {
  for (const auto& [k, v] : dict) {
    if (k->kind == Kind::kString && k->string_value == key) return v;
  }
  return nullptr;
}

std::string PickleKindName(const PickleValue& value) {
  switch (value.kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kTuple:
      return "tuple";
    case Kind::kList:
      return "list";
    case Kind::kDict:
      return value.ordered_dict ? "OrderedDict" : "dict";
    case Kind::kGlobal:
      return absl::StrCat("global ", value.string_value);
    case Kind::kStorage:
      return "storage";
    case Kind::kTensor:
      return "tensor";
  }
  return "?";
}

absl::StatusOr<PickleValuePtr> Unpickle(std::string_view bytes, const std::string& source,
                                        const StorageLoader& load_storage) {
  try {
    return Unpickler(bytes, source, load_storage).Unpickle();
  } catch (const c10::Error& e) {  // LibTorch refusing a value the checks above let through
    std::string message = e.what_without_backtrace();
    return absl::DataLossError(absl::StrCat(source, ": ", message.substr(0, message.find('\n'))));
  }
}

}  // namespace trm
