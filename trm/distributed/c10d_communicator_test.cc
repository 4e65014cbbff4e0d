#include "trm/distributed/c10d_communicator.h"

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <iostream>

#include "gtest/gtest.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/distributed/launcher.h"

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

TEST(C10dCommunicatorTest, OneProcessIsTheSingleCommunicator) {
  auto communicator = MakeCommunicator(DistributedEnv{}, CommunicatorOptions{});
  ASSERT_TRUE(communicator.ok());
  EXPECT_EQ((*communicator)->backend(), "single");
}

}  // namespace
}  // namespace trm
