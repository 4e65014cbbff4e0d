#include "trm/train/train_state.h"

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace trm
