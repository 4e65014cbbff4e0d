#include "trm/checkpoint/pickle.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/checkpoint/testing/torch_save_writer.h"

namespace trm {
namespace {

using ::testing::HasSubstr;
using ::trm::testing::PickleBuilder;
using Kind = PickleValue::Kind;

// Storages served from a map, counting loads.
struct Storages {
  std::map<std::string, at::Tensor> tensors;
  int loads = 0;

  StorageLoader Loader() {
    return [this](const std::string& key, at::ScalarType dtype,
                  int64_t numel) -> absl::StatusOr<at::Tensor> {
      ++loads;
      auto it = tensors.find(key);
      if (it == tensors.end()) return absl::NotFoundError("no storage " + key);
      EXPECT_EQ(it->second.scalar_type(), dtype);
      EXPECT_EQ(it->second.numel(), numel);
      return it->second;
    };
  }
};

absl::StatusOr<PickleValuePtr> UnpickleForTest(const PickleBuilder& p, Storages* storages = nullptr) {
  Storages none;
  return Unpickle(p.bytes(), "test.pkl", (storages ? storages : &none)->Loader());
}

// Expects an error mentioning the source, the byte offset and `what`.
void ExpectError(const PickleBuilder& p, size_t offset, const std::string& what,
                 Storages* storages = nullptr) {
  absl::StatusOr<PickleValuePtr> result = UnpickleForTest(p, storages);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("test.pkl: byte " + std::to_string(offset) + ": " + what));
}

TEST(PickleTest, StateDictWithSharedStoragesStridesAndOffsets) {
  Storages storages;
  storages.tensors["0"] = at::arange(12, at::kFloat);
  PickleBuilder p;
  p.Proto().EmptyDict().Mark();
  p.String("matrix").Tensor("0", at::kFloat, 12, 0, {3, 4}, {4, 1});
  p.String("transposed_tail").Tensor("0", at::kFloat, 12, 4, {4, 2}, {1, 4});
  p.SetItems().Stop();
  absl::StatusOr<PickleValuePtr> root = UnpickleForTest(p, &storages);
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_EQ((*root)->kind, Kind::kDict);
  EXPECT_FALSE((*root)->ordered_dict);
  ASSERT_EQ((*root)->dict.size(), 2u);
  EXPECT_EQ(storages.loads, 1);  // the second tensor reuses the storage

  const at::Tensor matrix = (*root)->Find("matrix")->tensor;
  const at::Tensor tail = (*root)->Find("transposed_tail")->tensor;
  EXPECT_TRUE(at::equal(matrix, at::arange(12, at::kFloat).view({3, 4})));
  EXPECT_TRUE(at::equal(tail, at::arange(4, 12, at::kFloat).view({2, 4}).t()));
  EXPECT_EQ(tail.strides(), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(matrix.is_alias_of(tail));
  EXPECT_EQ((*root)->Find("absent"), nullptr);
}

TEST(PickleTest, OrderedDictWithMetadataAndSingleKeyDicts) {
  Storages storages;
  storages.tensors["0"] = at::ones({2}, at::kBFloat16);
  storages.tensors["1"] = at::tensor({7, 8}, at::kInt);
  const std::string pickle = testing::StateDictPickle(
      {{"_orig_mod.model.inner.H_init", storages.tensors["0"]},
       {"_orig_mod.model.inner.ids", storages.tensors["1"]}},
      /*ordered_dict_with_metadata=*/true);
  absl::StatusOr<PickleValuePtr> root = Unpickle(pickle, "test.pkl", storages.Loader());
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_TRUE((*root)->ordered_dict);
  ASSERT_EQ((*root)->dict.size(), 2u);
  EXPECT_EQ((*root)->dict[0].first->string_value, "_orig_mod.model.inner.H_init");
  EXPECT_EQ((*root)->dict[1].first->string_value, "_orig_mod.model.inner.ids");
  EXPECT_EQ((*root)->dict[0].second->tensor.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::equal((*root)->dict[1].second->tensor, storages.tensors["1"]));

  ASSERT_NE((*root)->attributes, nullptr);
  PickleValuePtr metadata = (*root)->attributes->Find("_metadata");
  ASSERT_NE(metadata, nullptr);
  EXPECT_TRUE(metadata->ordered_dict);
  ASSERT_EQ(metadata->dict.size(), 2u);
  PickleValuePtr version = metadata->Find("inner")->Find("version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->int_value, 1);
}

TEST(PickleTest, EveryStorageDtype) {
  const std::vector<at::ScalarType> dtypes = {at::kFloat, at::kBFloat16, at::kInt,  at::kLong,
                                              at::kDouble, at::kBool,    at::kHalf, at::kShort,
                                              at::kChar,  at::kByte};
  Storages storages;
  PickleBuilder p;
  p.Proto().EmptyDict().Mark();
  for (size_t i = 0; i < dtypes.size(); ++i) {
    const std::string key = std::to_string(i);
    storages.tensors[key] = at::arange(3, at::kDouble).to(dtypes[i]);
    p.String(key).Tensor(key, dtypes[i], 3, 0, {3}, {1});
  }
  p.SetItems().Stop();
  absl::StatusOr<PickleValuePtr> root = UnpickleForTest(p, &storages);
  ASSERT_TRUE(root.ok()) << root.status();
  for (size_t i = 0; i < dtypes.size(); ++i) {
    const at::Tensor t = (*root)->Find(std::to_string(i))->tensor;
    EXPECT_EQ(t.scalar_type(), dtypes[i]);
    EXPECT_TRUE(at::equal(t, storages.tensors[std::to_string(i)]));
  }
}

TEST(PickleTest, ScalarsContainersAndMemo) {
  PickleBuilder p;
  p.Proto(4).Byte(0x95).Bytes(std::string("\x40\0\0\0\0\0\0\0", 8));  // FRAME (a hint)
  p.Byte(']');                                                              // the result list
  p.Mark().Int(-1).Int(200).Int(60000).Int(int64_t{1} << 40).Int(-(int64_t{1} << 40));
  p.Byte(0x8a).Byte(0);                                                     // LONG1 of 0 bytes
  p.Float(-2.5).Bool(true).Bool(false).None();
  p.Byte(0x8c).Byte(2).Bytes("ab").Byte(0x94);                              // MEMOIZE -> 0
  p.Byte(0x8d).Bytes(std::string("\x02\0\0\0\0\0\0\0", 8)).Bytes("cd");   // BINUNICODE8
  p.Byte('e');                                                              // APPENDS
  p.Int(1).Byte(0x85).Int(1).Int(2).Byte(0x86).Byte(0x86).Byte('a');       // ((1,), (1, 2))
  p.Int(1).Int(2).Int(3).Byte(0x87).EmptyTuple().Byte(0x86).Put(300).Byte('a');
  p.Get(300).Byte('a');                                                     // LONG_BINGET
  p.String("collections").String("OrderedDict").Byte(0x93).EmptyTuple().Reduce().Byte('a');
  p.Get(0).Byte('a');
  p.Stop();
  absl::StatusOr<PickleValuePtr> root = UnpickleForTest(p);
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_EQ((*root)->kind, Kind::kList);
  const auto& items = (*root)->items;
  ASSERT_EQ(items.size(), 17u);
  EXPECT_EQ(items[0]->int_value, -1);
  EXPECT_EQ(items[1]->int_value, 200);
  EXPECT_EQ(items[2]->int_value, 60000);
  EXPECT_EQ(items[3]->int_value, int64_t{1} << 40);
  EXPECT_EQ(items[4]->int_value, -(int64_t{1} << 40));
  EXPECT_EQ(items[5]->int_value, 0);
  EXPECT_EQ(items[6]->float_value, -2.5);
  EXPECT_TRUE(items[7]->bool_value);
  EXPECT_FALSE(items[8]->bool_value);
  EXPECT_EQ(items[9]->kind, Kind::kNone);
  EXPECT_EQ(items[10]->string_value, "ab");
  EXPECT_EQ(items[11]->string_value, "cd");
  ASSERT_EQ(items[12]->kind, Kind::kTuple);  // ((1,), (1, 2))
  EXPECT_EQ(items[12]->items[0]->items.size(), 1u);
  EXPECT_EQ(items[12]->items[1]->items[1]->int_value, 2);
  ASSERT_EQ(items[13]->kind, Kind::kTuple);  // ((1, 2, 3), ())
  EXPECT_EQ(items[13]->items[0]->items.size(), 3u);
  EXPECT_EQ(items[13]->items[1]->items.size(), 0u);
  EXPECT_EQ(items[14], items[13]);  // the memo shares objects
  EXPECT_TRUE(items[15]->ordered_dict);
  EXPECT_EQ(items[16], items[10]);
}

TEST(PickleTest, LargeIntegersEncodedByPython) {
  // Python's encodings of 2**63-1, -2**63 and 255 as LONG1 (the last with a sign byte).
  PickleBuilder p;
  p.Proto().Mark();
  p.Byte(0x8a).Byte(8).Bytes(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  p.Byte(0x8a).Byte(8).Bytes(std::string("\0\0\0\0\0\0\0\x80", 8));
  p.Byte(0x8a).Byte(2).Bytes(std::string("\xff\0", 2));
  p.Tuple().Stop();
  absl::StatusOr<PickleValuePtr> root = UnpickleForTest(p);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ((*root)->items[0]->int_value, std::numeric_limits<int64_t>::max());
  EXPECT_EQ((*root)->items[1]->int_value, std::numeric_limits<int64_t>::min());
  EXPECT_EQ((*root)->items[2]->int_value, 255);
}

TEST(PickleTest, RejectsUnknownOpcodeAtItsOffset) {
  PickleBuilder p;
  p.Proto().Byte('i');  // INST: executes arbitrary classes in Python
  ExpectError(p, 2, "unsupported pickle opcode 0x69 ('i')");
  PickleBuilder q;
  q.Proto().EmptyDict().Byte(0xff);
  ExpectError(q, 3, "unsupported pickle opcode 0xff");
}

TEST(PickleTest, RejectsGlobalsOutsideTheWhitelist) {
  PickleBuilder p;
  p.Proto().Global("os", "system");
  ExpectError(p, 2, "unsupported global 'os.system'");
  PickleBuilder q;
  q.Proto().String("builtins").String("eval").Byte(0x93);
  ExpectError(q, 2 + 13 + 9, "unsupported global 'builtins.eval'");
}

TEST(PickleTest, RejectsCallingAStorageType) {
  PickleBuilder p;
  p.Proto().Global("torch", "FloatStorage").EmptyTuple().Reduce();
  ExpectError(p, 23, "cannot call torch.FloatStorage");
}

TEST(PickleTest, RejectsTruncation) {
  PickleBuilder full;
  full.Proto().String("model.inner.H_init").Stop();
  for (size_t cut : {size_t{3}, size_t{6}, size_t{10}}) {
    PickleBuilder p;
    p.Bytes(full.bytes().substr(0, cut));
    ExpectError(p, 2, "truncated");
  }
  PickleBuilder no_stop;
  no_stop.Proto().None();
  ExpectError(no_stop, 3, "truncated: the pickle ends without STOP");
  PickleBuilder global;
  global.Proto().Bytes("ccollections\nOrdered");
  ExpectError(global, 2, "truncated: GLOBAL name has no newline");
}

TEST(PickleTest, RejectsMalformedStreams) {
  {
    PickleBuilder p;
    p.Proto().None().Stop().None();
    ExpectError(p, 3, "1 bytes after STOP");
  }
  {
    PickleBuilder p;
    p.Proto().None().None().Stop();
    ExpectError(p, 4, "STOP with 2 values on the stack");
  }
  {
    PickleBuilder p;
    p.Proto().SetItem();
    ExpectError(p, 2, "stack underflow");
  }
  {
    PickleBuilder p;  // a value below the MARK may not be consumed by an opcode above it
    p.Proto().EmptyDict().Mark().SetItem();
    ExpectError(p, 4, "stack underflow");
  }
  {
    PickleBuilder p;
    p.Proto().Get(5);
    ExpectError(p, 2, "memo entry 5 was never stored");
  }
  {
    PickleBuilder p;
    p.Proto().Byte(0x8a).Byte(9).Bytes(std::string(9, '\0'));
    ExpectError(p, 2, "LONG1 of 9 bytes does not fit in 64 bits");
  }
  {
    PickleBuilder p;
    p.Proto().EmptyDict().Mark().String("k").None().String("k").None().SetItems();
    ExpectError(p, 18, "dict key k appears twice");
  }
  {
    PickleBuilder p;
    p.Proto().Byte(']').String("k").None().SetItem();
    ExpectError(p, 10, "SETITEM(S) on a list, not a dict");
  }
  {
    PickleBuilder p;
    p.Proto().Byte(']').EmptyDict().Build();
    ExpectError(p, 4, "BUILD on a list (only OrderedDict)");
  }
  {
    PickleBuilder p;
    p.Proto().Byte(0x80).Byte(9);
    ExpectError(p, 2, "unsupported pickle protocol 9");
  }
}

TEST(PickleTest, RejectsReferenceCycles) {
  PickleBuilder p;  // l = []; l.append(l)
  p.Proto().Byte(']').Put(0).Get(0).Byte('a').Stop();
  ExpectError(p, 8, "a container contains itself (reference cycle)");
  PickleBuilder q;  // d = {}; d['d'] = (d,), inside a list that is the result
  q.Proto().Byte(']').EmptyDict().Put(0).String("d").Get(0).Byte(0x85).SetItem().Byte('a').Stop();
  ExpectError(q, q.bytes().size() - 1, "a container contains itself (reference cycle)");
  PickleBuilder shared;  // the same tuple twice is sharing, not a cycle
  shared.Proto().Mark().EmptyTuple().Put(0).Get(0).Tuple().Stop();
  EXPECT_TRUE(UnpickleForTest(shared).ok());
}

TEST(PickleTest, RejectsTensorsOutsideTheirStorage) {
  Storages storages;
  storages.tensors["0"] = at::zeros({6}, at::kFloat);
  PickleBuilder p;
  p.Proto().Tensor("0", at::kFloat, 6, 1, {2, 3}, {3, 1});  // reaches element 6
  ExpectError(p, p.bytes().size() - 1, "tensor of size [2,3], stride [3,1] at offset 1 reaches "
              "past its storage of 6 elements", &storages);
  PickleBuilder ok;  // the same view one element earlier fits
  ok.Proto().Tensor("0", at::kFloat, 6, 0, {2, 3}, {3, 1}).Stop();
  EXPECT_TRUE(UnpickleForTest(ok, &storages).ok());
}

TEST(PickleTest, RejectsInconsistentStorages) {
  Storages storages;
  storages.tensors["0"] = at::zeros({4}, at::kFloat);
  PickleBuilder p;
  p.Proto().Mark().Tensor("0", at::kFloat, 4, 0, {4}, {1});
  p.Tensor("0", at::kInt, 4, 0, {4}, {1}).Tuple().Stop();
  absl::StatusOr<PickleValuePtr> result = UnpickleForTest(p, &storages);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("storage 0 is referenced as Int[4] and as Float[4]"));
}

TEST(PickleTest, ReportsStorageLoaderErrorsWithTheOffset) {
  PickleBuilder p;
  p.Proto().Tensor("7", at::kFloat, 4, 0, {4}, {1});
  absl::StatusOr<PickleValuePtr> result = UnpickleForTest(p);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("test.pkl: byte "));
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("no storage 7"));
}

TEST(PickleTest, RejectsBadPersistentIdsAndTensorArguments) {
  {
    PickleBuilder p;
    p.Proto().Mark().String("module").Tuple().Byte('Q');
    ExpectError(p, 15, "persistent id is not ('storage'");
  }
  {
    Storages storages;
    storages.tensors["0"] = at::zeros({4}, at::kFloat);
    PickleBuilder p;  // backward hooks that are not empty
    p.Proto().Global("torch._utils", "_rebuild_tensor_v2").Mark();
    p.Mark().String("storage").Global("torch", "FloatStorage").String("0").String("cpu").Int(4);
    p.Tuple().Byte('Q').Int(0).IntTuple({4}).IntTuple({1}).Bool(false);
    p.EmptyDict().String("hook").None().SetItem().Tuple();
    const size_t reduce_offset = p.bytes().size();
    p.Reduce();
    ExpectError(p, reduce_offset, "tensor has backward hooks", &storages);
  }
}

// Loads any requested storage of a sane size (zeros); the archive reader bounds sizes by the file.
StorageLoader ZerosLoader() {
  return [](const std::string& key, at::ScalarType dtype, int64_t numel) -> absl::StatusOr<at::Tensor> {
    if (numel > (1 << 20)) return absl::DataLossError("storage too large");
    return at::zeros({numel}, at::TensorOptions().dtype(dtype));
  };
}

std::string ReferenceLikePickle() {
  return testing::StateDictPickle({{"_orig_mod.model.inner.H_init", at::ones({4}, at::kBFloat16)},
                                   {"_orig_mod.model.inner.q_head.weight", at::ones({2, 4})},
                                   {"_orig_mod.model.inner.ids", at::ones({3}, at::kInt)}},
                                  /*ordered_dict_with_metadata=*/true);
}

TEST(PickleTest, IntegerTensorsCannotRequireGradients) {
  PickleBuilder p;
  p.Proto().Global("torch._utils", "_rebuild_tensor_v2").Mark();
  p.Mark().String("storage").Global("torch", "IntStorage").String("0").String("cpu").Int(3);
  p.Tuple().Byte('Q').Int(0).IntTuple({3}).IntTuple({1}).Bool(true).OrderedDict().Tuple();
  const size_t reduce_offset = p.bytes().size();
  p.Reduce().Stop();
  absl::StatusOr<PickleValuePtr> result = Unpickle(p.bytes(), "test.pkl", ZerosLoader());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(std::string(result.status().message()),
            "test.pkl: byte " + std::to_string(reduce_offset) +
                ": a Int tensor cannot require gradients");
}

TEST(PickleTest, EveryTruncationIsAnError) {
  const std::string pickle = ReferenceLikePickle();
  ASSERT_TRUE(Unpickle(pickle, "full.pkl", ZerosLoader()).ok());
  for (size_t size = 0; size < pickle.size(); ++size) {
    absl::StatusOr<PickleValuePtr> result =
        Unpickle(std::string_view(pickle).substr(0, size), "cut.pkl", ZerosLoader());
    ASSERT_FALSE(result.ok()) << "prefix of " << size << " bytes";
    EXPECT_THAT(std::string(result.status().message()), HasSubstr("cut.pkl: byte "));
  }
}

// Corrupting any single byte gives a value or a one-line error, never a crash (run under
// --config=asan to check memory safety as well).
TEST(PickleTest, SurvivesEverySingleByteCorruption) {
  const std::string pickle = ReferenceLikePickle();
  int errors = 0;
  for (size_t i = 0; i < pickle.size(); ++i) {
    for (uint8_t replacement : {uint8_t{0x00}, uint8_t{0xff}, uint8_t{'('}, uint8_t{'h'},
                                static_cast<uint8_t>(pickle[i] ^ 0x01)}) {
      std::string corrupt = pickle;
      corrupt[i] = static_cast<char>(replacement);
      absl::StatusOr<PickleValuePtr> result = Unpickle(corrupt, "bad.pkl", ZerosLoader());
      if (!result.ok()) {
        ++errors;
        EXPECT_EQ(std::string(result.status().message()).find('\n'), std::string::npos);
      }
    }
  }
  EXPECT_GT(errors, static_cast<int>(pickle.size()));  // most corruptions are detected
}

}  // namespace
}  // namespace trm
