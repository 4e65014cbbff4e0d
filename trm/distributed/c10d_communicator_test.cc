#include "trm/distributed/c10d_communicator.h"

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/distributed/launcher.h"
#include "trm/testing/test_device.h"

namespace trm {
namespace {

// Runs `body(communicator)` as rank 0 (this process) and rank 1 (a forked child). The child
// reports failures through its exit status; the parent through gtest.
void RunTwoRanks(const std::function<bool(Communicator&)>& body) {
  absl::StatusOr<int> port = PickFreePort();
  ASSERT_TRUE(port.ok()) << port.status();
  auto make = [&](int rank) {
    DistributedEnv env;
    env.rank = rank;
    env.world_size = 2;
    env.master_port = *port;
    CommunicatorOptions options;
    options.backend = "gloo";
    options.timeout = std::chrono::seconds(60);
    return MakeCommunicator(env, options);
  };
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto communicator = make(1);
    if (!communicator.ok()) {
      std::cerr << communicator.status() << "\n";
      _exit(2);
    }
    _exit(body(**communicator) ? 0 : 1);
  }
  auto communicator = make(0);
  ASSERT_TRUE(communicator.ok()) << communicator.status();
  EXPECT_EQ((*communicator)->backend(), "gloo");
  EXPECT_TRUE(body(**communicator));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "rank 1 failed: " << status;
}

#define CHECK_OR_FAIL(cond)                                                           \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::cerr << "rank " << c.rank() << ": check failed: " #cond "\n";              \
      return false;                                                                   \
    }                                                                                 \
  } while (0)

TEST(C10dCommunicatorTest, CollectivesOverGloo) {
  RunTwoRanks([](Communicator& c) {
    const int r = c.rank();
    CHECK_OR_FAIL(c.world_size() == 2);
    std::vector<at::Tensor> sums = {at::full({3}, 1.5f + r), at::full({2}, 1.0 + r, at::kBFloat16),
                                    at::tensor({int64_t{10} * (r + 1)})};
    c.AllReduceSum(sums);
    CHECK_OR_FAIL(at::equal(sums[0], at::full({3}, 4.0f)));
    CHECK_OR_FAIL(at::equal(sums[1], at::full({2}, 3.0, at::kBFloat16)));
    CHECK_OR_FAIL(sums[2].item<int64_t>() == 30);

    const at::Tensor gathered = c.AllGather(at::tensor({r, r + 10}, at::kInt));
    CHECK_OR_FAIL(at::equal(gathered, at::tensor({0, 10, 1, 11}, at::kInt)));
    const at::Tensor flags = c.AllGather(at::full({1}, r == 1, at::kBool));
    CHECK_OR_FAIL(flags.scalar_type() == at::kBool);
    CHECK_OR_FAIL(at::equal(flags, at::tensor({0, 1}, at::kInt).to(at::kBool)));

    at::Tensor value = at::full({2, 2}, static_cast<float>(r + 7));
    c.Broadcast(value, 1);
    CHECK_OR_FAIL(at::equal(value, at::full({2, 2}, 8.0f)));

    const std::vector<std::string> bytes = c.AllGatherBytes(std::string(r == 0 ? "a" : "bcd\0e", r == 0 ? 1 : 5));
    CHECK_OR_FAIL(bytes.size() == 2 && bytes[0] == "a" && bytes[1] == std::string("bcd\0e", 5));
    c.Barrier();
    return true;
  });
}

TEST(C10dCommunicatorTest, BucketedGradientSumMatchesPerTensorSum) {
  RunTwoRanks([](Communicator& c) {
    at::manual_seed(c.rank());
    std::vector<at::Tensor> params;
    for (int64_t n : {5, 300, 7, 1000, 2}) {
      params.push_back(at::zeros({n}).requires_grad_());
      params.back().mutable_grad() = at::randn({n});
    }
    at::Tensor no_grad = at::zeros({4}).requires_grad_();  // skipped: no gradient
    params.push_back(no_grad);
    std::vector<at::Tensor> expected;
    for (size_t i = 0; i + 1 < params.size(); ++i) expected.push_back(params[i].grad().clone());
    c.AllReduceSum(expected);

    GradientReducer reducer(params, /*bucket_bytes=*/2048, &c);
    reducer.AllReduceGradients();
    CHECK_OR_FAIL(reducer.last_bucket_count() == 3);  // [5,300], [7], [1000,2]
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK_OR_FAIL(at::allclose(params[i].grad(), expected[i], 0, 0));
    }
    CHECK_OR_FAIL(!no_grad.grad().defined());
    return true;
  });
}

TEST(C10dCommunicatorTest, UnreachableStoreIsAOneLineError) {
  absl::StatusOr<int> port = PickFreePort();
  ASSERT_TRUE(port.ok());
  DistributedEnv env;
  env.rank = 1;  // a client, and nobody serves the store
  env.world_size = 2;
  env.master_port = *port;
  CommunicatorOptions options;
  options.timeout = std::chrono::seconds(2);
  auto communicator = MakeCommunicator(env, options);
  ASSERT_FALSE(communicator.ok());
  EXPECT_NE(std::string(communicator.status().message()).find("cannot join the process group"),
            std::string::npos);
  EXPECT_EQ(std::string(communicator.status().message()).find('\n'), std::string::npos);
}

TEST(C10dCommunicatorTest, NcclWithoutSupportIsRefused) {
  if (NcclAvailable()) GTEST_SKIP() << "this LibTorch has NCCL";
  CommunicatorOptions options;
  options.backend = "nccl";
  EXPECT_FALSE(MakeCommunicator(DistributedEnv{}, options).ok());
}

TEST(C10dCommunicatorTest, AutoOnCudaWithoutNcclIsAOneLineErrorNotGloo) {
  if (NcclAvailable()) GTEST_SKIP() << "this LibTorch has NCCL";
  CommunicatorOptions options;
  options.device = "cuda:0";
  DistributedEnv two_processes;
  two_processes.world_size = 2;
  auto communicator = MakeCommunicator(two_processes, options);
  ASSERT_FALSE(communicator.ok());
  const std::string message(communicator.status().message());
  EXPECT_NE(message.find("backend 'auto' on device cuda:0 needs NCCL"), std::string::npos);
  EXPECT_NE(message.find("TRM_LIBTORCH"), std::string::npos);
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(C10dCommunicatorTest, OneProcessOnCudaNeedsNoNccl) {
  CommunicatorOptions options;
  options.device = "cuda:0";
  auto communicator = MakeCommunicator(DistributedEnv{}, options);
  ASSERT_TRUE(communicator.ok()) << communicator.status();
  EXPECT_EQ((*communicator)->backend(), "single");
}

// One rank with real process groups: the collectives on the test device. Under
// TRM_TEST_DEVICE=cuda (tools/gpu/device_check.sh) over NCCL, which refuses two ranks on one GPU;
// elsewhere over Gloo on the CPU. Sums over one rank leave every value as it was.
TEST(C10dCommunicatorTest, CollectivesOfOneRankOnTheTestDevice) {
  const std::string device = trm::testing::TestDevice();
  const bool cuda = device.rfind("cuda", 0) == 0;
  if (cuda && !NcclAvailable()) GTEST_SKIP() << "this LibTorch has no NCCL";
  absl::StatusOr<int> port = PickFreePort();
  ASSERT_TRUE(port.ok()) << port.status();
  DistributedEnv env;  // rank 0 of 1
  env.master_port = *port;
  CommunicatorOptions options;
  options.backend = cuda ? "nccl" : "gloo";
  options.device = device;
  options.timeout = std::chrono::seconds(60);
  options.process_group_for_one = true;
  auto made = MakeCommunicator(env, options);
  ASSERT_TRUE(made.ok()) << made.status();
  Communicator& c = **made;
  EXPECT_EQ(c.backend(), options.backend);
  EXPECT_EQ(c.world_size(), 1);

  const at::TensorOptions on = at::TensorOptions().device(device);
  std::vector<at::Tensor> sums = {at::arange(6, on.dtype(at::kFloat)).view({2, 3}) * 0.25,
                                  at::full({5}, 1.25, on.dtype(at::kBFloat16)),
                                  at::tensor({int64_t{7}}, on.dtype(at::kLong))};
  std::vector<at::Tensor> before;
  for (const at::Tensor& t : sums) before.push_back(t.cpu());
  c.AllReduceSum(sums);
  for (size_t i = 0; i < sums.size(); ++i) {
    EXPECT_EQ(sums[i].device().type(), on.device().type());
    EXPECT_TRUE(at::equal(sums[i].cpu(), before[i])) << i;
  }

  at::Tensor value = at::full({2, 2}, 3.5f, on);
  c.Broadcast(value, 0);
  EXPECT_TRUE(at::equal(value.cpu(), at::full({2, 2}, 3.5f)));
  EXPECT_TRUE(at::equal(c.AllGather(at::tensor({4, 5}, on.dtype(at::kInt))).cpu(),
                        at::tensor({4, 5}, at::kInt)));
  EXPECT_EQ(c.AllGatherBytes("xyz"), std::vector<std::string>{"xyz"});

  // Buckets flattened and written back on the device.
  std::vector<at::Tensor> params;
  std::vector<at::Tensor> grads;
  for (int64_t n : {5, 300, 7}) {
    params.push_back(at::zeros({n}, on).requires_grad_());
    params.back().mutable_grad() = at::randn({n}).to(on.device());
    grads.push_back(params.back().grad().cpu());
  }
  GradientReducer reducer(params, /*bucket_bytes=*/1024, &c);
  reducer.AllReduceGradients();
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_TRUE(at::equal(params[i].grad().cpu(), grads[i])) << i;
  }
  c.Barrier();
}

TEST(C10dCommunicatorTest, OneProcessIsTheSingleCommunicator) {
  auto communicator = MakeCommunicator(DistributedEnv{}, CommunicatorOptions{});
  ASSERT_TRUE(communicator.ok());
  EXPECT_EQ((*communicator)->backend(), "single");
}

}  // namespace
}  // namespace trm
