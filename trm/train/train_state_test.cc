#include "trm/train/train_state.h"

#include "gtest/gtest.h"
#include "trm/train/testdata/toy_act.h"

namespace trm {
namespace {

TEST(TrainStateTest, CarryRoundTrips) {
  ActCarry carry{{at::randn({2, 3, 4}), at::randn({2, 3, 4})},
                 at::tensor({1, 3}, at::kInt),
                 at::tensor({0, 1}, at::kInt).to(at::kBool),
                 Batch{at::ones({2, 3}, at::kInt), at::full({2, 3}, -100, at::kInt),
                       at::tensor({7, 9}, at::kInt)}};
  std::map<std::string, at::Tensor> tensors;
  for (const auto& [name, t] : CarryToTensors(carry, {"z_H", "z_L"})) tensors[name] = t;
  EXPECT_EQ(tensors.size(), 7u);
  auto back = CarryFromTensors(tensors, {"z_H", "z_L"}, at::kCPU);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(at::equal(back->states[1], carry.states[1]));
  EXPECT_TRUE(at::equal(back->halted, carry.halted));
  EXPECT_TRUE(at::equal(back->current_data.puzzle_identifiers, carry.current_data.puzzle_identifiers));
  tensors.erase("carry.steps");
  EXPECT_FALSE(CarryFromTensors(tensors, {"z_H", "z_L"}, at::kCPU).ok());
}

TEST(TrainStateTest, GeneratorStateRestoresTheStream) {
  const at::Tensor state = GeneratorState(at::kCPU);
  const at::Tensor first = at::rand({5});
  ASSERT_TRUE(SetGeneratorState(at::kCPU, state).ok());
  EXPECT_TRUE(at::equal(at::rand({5}), first));
  EXPECT_FALSE(SetGeneratorState(at::kCPU, at::zeros({3}, at::kByte)).ok());
}

TEST(TrainStateTest, BytesRoundTrip) {
  const std::string bytes("a\0b\xff", 4);
  EXPECT_EQ(TensorToBytes(BytesToTensor(bytes)), bytes);
  EXPECT_EQ(TensorToBytes(BytesToTensor("")), "");
}

TEST(TrainStateTest, LiveParametersLoadIntoTheModel) {
  testing::ToyActModel source(testing::ToyArchConfig()), target(testing::ToyArchConfig());
  std::map<std::string, at::Tensor> state;
  for (const auto& item : source.named_parameters()) {
    state[kLiveParameterPrefix + item.key()] = item.value().detach() + 1;
  }
  ASSERT_TRUE(LoadLiveParameters(state, "state.safetensors", target).ok());
  for (const auto& item : target.named_parameters()) {
    EXPECT_TRUE(at::equal(item.value(), state.at(kLiveParameterPrefix + item.key()))) << item.key();
  }
}

TEST(TrainStateTest, LiveParametersErrorsNameTheFileAndParameter) {
  testing::ToyActModel model(testing::ToyArchConfig());
  std::map<std::string, at::Tensor> state;
  EXPECT_EQ(LoadLiveParameters(state, "s.safetensors", model).code(), absl::StatusCode::kNotFound);
  const auto params = model.named_parameters();
  for (const auto& item : params) state[kLiveParameterPrefix + item.key()] = item.value().detach();
  const std::string first = params.begin()->key();
  state[kLiveParameterPrefix + first] = at::zeros({1, 2, 3});
  absl::Status status = LoadLiveParameters(state, "s.safetensors", model);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("s.safetensors"), std::string::npos) << status;
  EXPECT_NE(status.message().find(first), std::string::npos) << status;
  state.erase(kLiveParameterPrefix + first);
  status = LoadLiveParameters(state, "s.safetensors", model);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find(first), std::string::npos) << status;
}

}  // namespace
}  // namespace trm
