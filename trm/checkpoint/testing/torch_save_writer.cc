#include "trm/checkpoint/testing/torch_save_writer.h"

#include <cstring>
#include <limits>

#include "caffe2/serialize/inline_container.h"

namespace trm::testing {
namespace {

std::string LittleEndian(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

}  // namespace

PickleBuilder& PickleBuilder::Byte(uint8_t byte) {
  bytes_.push_back(static_cast<char>(byte));
  return *this;
}

PickleBuilder& PickleBuilder::Bytes(const std::string& bytes) {
  bytes_ += bytes;
  return *this;
}

PickleBuilder& PickleBuilder::Proto(int protocol) { return Byte(0x80).Byte(protocol); }
PickleBuilder& PickleBuilder::Stop() { return Byte('.'); }
PickleBuilder& PickleBuilder::Mark() { return Byte('('); }
PickleBuilder& PickleBuilder::Bool(bool value) { return Byte(value ? 0x88 : 0x89); }
PickleBuilder& PickleBuilder::None() { return Byte('N'); }
PickleBuilder& PickleBuilder::EmptyTuple() { return Byte(')'); }
PickleBuilder& PickleBuilder::Tuple() { return Byte('t'); }
PickleBuilder& PickleBuilder::EmptyDict() { return Byte('}'); }
PickleBuilder& PickleBuilder::SetItem() { return Byte('s'); }
PickleBuilder& PickleBuilder::SetItems() { return Byte('u'); }
PickleBuilder& PickleBuilder::Reduce() { return Byte('R'); }
PickleBuilder& PickleBuilder::Build() { return Byte('b'); }

PickleBuilder& PickleBuilder::String(const std::string& text) {
  return Byte('X').Bytes(LittleEndian(text.size(), 4)).Bytes(text);
}

PickleBuilder& PickleBuilder::Int(int64_t value) {
  if (value >= 0 && value < 256) return Byte('K').Bytes(LittleEndian(value, 1));
  if (value >= 0 && value < 65536) return Byte('M').Bytes(LittleEndian(value, 2));
  if (value >= std::numeric_limits<int32_t>::min() &&
      value <= std::numeric_limits<int32_t>::max()) {
    return Byte('J').Bytes(LittleEndian(static_cast<uint32_t>(value), 4));
  }
  // LONG1 with the fewest bytes that keep the sign, as Python writes it.
  int n = 1;
  while (n < 8 && (value >> (8 * n - 1)) != 0 && (value >> (8 * n - 1)) != -1) ++n;
  return Byte(0x8a).Byte(n).Bytes(LittleEndian(static_cast<uint64_t>(value), n));
}

PickleBuilder& PickleBuilder::Float(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  Byte('G');
  for (int i = 7; i >= 0; --i) Byte((bits >> (8 * i)) & 0xff);
  return *this;
}

PickleBuilder& PickleBuilder::Global(const std::string& module, const std::string& name) {
  return Byte('c').Bytes(module + "\n" + name + "\n");
}

PickleBuilder& PickleBuilder::Put(uint32_t index) {
  if (index < 256) return Byte('q').Bytes(LittleEndian(index, 1));
  return Byte('r').Bytes(LittleEndian(index, 4));
}

PickleBuilder& PickleBuilder::Get(uint32_t index) {
  if (index < 256) return Byte('h').Bytes(LittleEndian(index, 1));
  return Byte('j').Bytes(LittleEndian(index, 4));
}

PickleBuilder& PickleBuilder::IntTuple(const std::vector<int64_t>& values) {
  if (values.empty()) return EmptyTuple();
  if (values.size() > 3) Mark();
  for (int64_t v : values) Int(v);
  if (values.size() > 3) return Tuple();
  return Byte(0x85 + values.size() - 1);  // TUPLE1..TUPLE3
}

PickleBuilder& PickleBuilder::OrderedDict() {
  return Global("collections", "OrderedDict").EmptyTuple().Reduce();
}

PickleBuilder& PickleBuilder::Tensor(const std::string& storage_key, at::ScalarType dtype,
                                     int64_t storage_numel, int64_t offset,
                                     const std::vector<int64_t>& size,
                                     const std::vector<int64_t>& stride) {
  const std::string storage = StorageGlobalName(dtype);
  const size_t dot = storage.rfind('.');
  Global("torch._utils", "_rebuild_tensor_v2").Mark();
  Mark().String("storage").Global(storage.substr(0, dot), storage.substr(dot + 1));
  String(storage_key).String("cpu").Int(storage_numel).Tuple().Byte('Q');  // BINPERSID
  Int(offset).IntTuple(size).IntTuple(stride).Bool(false).OrderedDict();
  return Tuple().Reduce();
}

std::string StorageGlobalName(at::ScalarType dtype) {
  switch (dtype) {
    case at::kDouble:
      return "torch.DoubleStorage";
    case at::kFloat:
      return "torch.FloatStorage";
    case at::kHalf:
      return "torch.HalfStorage";
    case at::kBFloat16:
      return "torch.BFloat16Storage";
    case at::kLong:
      return "torch.LongStorage";
    case at::kInt:
      return "torch.IntStorage";
    case at::kShort:
      return "torch.ShortStorage";
    case at::kChar:
      return "torch.CharStorage";
    case at::kByte:
      return "torch.ByteStorage";
    case at::kBool:
      return "torch.BoolStorage";
    default:
      TORCH_CHECK(false, "no storage type for ", dtype);
  }
}

std::string StateDictPickle(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                            bool ordered_dict_with_metadata) {
  PickleBuilder p;
  p.Proto();
  if (ordered_dict_with_metadata) {
    p.Global("collections", "OrderedDict").Put(0).EmptyTuple().Reduce().Put(1);
  } else {
    p.EmptyDict().Put(0);
  }
  // Python writes a single item with SETITEM and batches with MARK ... SETITEMS.
  const bool batch = tensors.size() > 1;
  if (batch) p.Mark();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const at::Tensor& t = tensors[i].second;
    TORCH_CHECK(t.is_contiguous(), "StateDictPickle needs contiguous tensors");
    p.String(tensors[i].first)
        .Tensor(std::to_string(i), t.scalar_type(), t.numel(), 0, t.sizes().vec(),
                t.strides().vec());
    if (!batch) p.SetItem();
  }
  if (batch) p.SetItems();
  if (ordered_dict_with_metadata) {
    // state = {'_metadata': OrderedDict([('', {'version': 1}), ('inner', {'version': 1})])}
    p.EmptyDict().String("_metadata").Get(0).EmptyTuple().Reduce().Mark();
    for (const char* prefix : {"", "inner"}) {
      p.String(prefix).EmptyDict().String("version").Int(1).SetItem();
    }
    p.SetItems().SetItem().Build();
  }
  return p.Stop().bytes();
}

void WriteZip(const std::string& path, const std::vector<ZipRecord>& records) {
  caffe2::serialize::PyTorchStreamWriter writer(path);
  for (const ZipRecord& record : records) {
    writer.writeRecord(record.name, record.data.data(), record.data.size(), record.compress);
  }
  writer.writeEndOfFile();
}

std::string TensorBytes(const at::Tensor& tensor) {
  TORCH_CHECK(tensor.is_contiguous(), "TensorBytes needs a contiguous tensor");
  return std::string(static_cast<const char*>(tensor.data_ptr()),
                     tensor.numel() * tensor.element_size());
}

void WriteTorchSaveStateDict(const std::string& path,
                             const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                             bool ordered_dict_with_metadata) {
  caffe2::serialize::PyTorchStreamWriter writer(path);
  const std::string pickle = StateDictPickle(tensors, ordered_dict_with_metadata);
  writer.writeRecord("data.pkl", pickle.data(), pickle.size());
  for (size_t i = 0; i < tensors.size(); ++i) {  // straight from the tensors: no copies
    const at::Tensor& t = tensors[i].second;
    writer.writeRecord("data/" + std::to_string(i), t.data_ptr(), t.numel() * t.element_size());
  }
  writer.writeEndOfFile();
}

}  // namespace trm::testing
