#include "trm/distributed/c10d_communicator.h"

#include <cstdlib>
#include <cstring>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/version.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace trm {
namespace {

// What runs the collectives: LibTorch 2's ProcessGroupGloo and ProcessGroupNCCL are c10d::Backends,
// 1.13's are c10d::ProcessGroups.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

// Gloo in LibTorch 1.13 reduces and moves float, double, half and the integer types only; other
// dtypes travel as an exactly representable wider type.
at::ScalarType WireType(at::ScalarType type) {
  switch (type) {
    case at::kBool:
      return at::kByte;
    case at::kBFloat16:
      return at::kFloat;
    default:
      return type;
  }
}

class C10dCommunicator final : public Communicator {
 public:
  C10dCommunicator(int rank, int world_size, c10::intrusive_ptr<CollectiveGroup> cpu_group,
                   c10::intrusive_ptr<CollectiveGroup> device_group)
      : rank_(rank),
        world_size_(world_size),
        cpu_group_(std::move(cpu_group)),
        device_group_(std::move(device_group)) {}

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  std::string backend() const override {
    return device_group_ ? device_group_->getBackendName() : cpu_group_->getBackendName();
  }

  void AllReduceSum(std::vector<at::Tensor>& tensors) override {
    // Issue every reduction, then wait: the backend pipelines them.
    std::vector<at::Tensor> wire;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (at::Tensor& tensor : tensors) {
      std::vector<at::Tensor> one = {ToWire(tensor)};
      works.push_back(GroupFor(tensor).allreduce(one));
      wire.push_back(one[0]);
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
      works[i]->wait();
      FromWire(wire[i], tensors[i]);
    }
  }

  at::Tensor AllGather(const at::Tensor& tensor) override {
    std::vector<at::Tensor> input = {ToWire(tensor)};
    std::vector<std::vector<at::Tensor>> output(1);
    for (int r = 0; r < world_size_; ++r) output[0].push_back(at::empty_like(input[0]));
    GroupFor(tensor).allgather(output, input)->wait();
    return at::cat(output[0]).to(tensor.scalar_type());
  }

  void Broadcast(at::Tensor& tensor, int root) override {
    std::vector<at::Tensor> one = {ToWire(tensor)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    GroupFor(tensor).broadcast(one, options)->wait();
    FromWire(one[0], tensor);
  }

  std::vector<std::string> AllGatherBytes(const std::string& bytes) override {
    const at::Tensor length = at::tensor({static_cast<int64_t>(bytes.size())}, at::kLong);
    const at::Tensor lengths = AllGather(length);
    const int64_t longest = lengths.max().item<int64_t>();
    at::Tensor padded = at::zeros({std::max<int64_t>(longest, 1)}, at::kByte);
    std::memcpy(padded.data_ptr(), bytes.data(), bytes.size());
    const at::Tensor all = AllGather(padded).view({world_size_, -1});
    std::vector<std::string> out;
    for (int r = 0; r < world_size_; ++r) {
      const auto* data = static_cast<const char*>(all[r].data_ptr());
      out.emplace_back(data, static_cast<size_t>(lengths[r].item<int64_t>()));
    }
    return out;
  }

  void Barrier() override { cpu_group_->barrier()->wait(); }

 private:
  CollectiveGroup& GroupFor(const at::Tensor& tensor) {
    return (tensor.is_cuda() && device_group_) ? *device_group_ : *cpu_group_;
  }

  // A contiguous tensor of the wire type; the tensor itself when it already is one.
  static at::Tensor ToWire(const at::Tensor& tensor) {
    return tensor.to(WireType(tensor.scalar_type())).contiguous();
  }
  static void FromWire(const at::Tensor& wire, at::Tensor& tensor) {
    if (!wire.is_same(tensor)) tensor.copy_(wire);
  }

  int rank_;
  int world_size_;
  c10::intrusive_ptr<CollectiveGroup> cpu_group_;
  c10::intrusive_ptr<CollectiveGroup> device_group_;  // NCCL, or null
};

bool IsLoopback(const std::string& addr) {
  return addr == "localhost" || absl::StartsWith(addr, "127.") || addr == "::1";
}

std::shared_ptr<::gloo::transport::Device> GlooDevice(const DistributedEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname != nullptr && *ifname) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  if (IsLoopback(env.master_addr)) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

bool NcclAvailable() {
#ifdef USE_C10D_NCCL
  return true;
#else
  return false;
#endif
}

absl::StatusOr<std::unique_ptr<Communicator>> MakeCommunicator(
    const DistributedEnv& env, const CommunicatorOptions& options) {
  const bool cuda = absl::StartsWith(options.device, "cuda");
  if (options.backend != "auto" && options.backend != "gloo" && options.backend != "nccl") {
    return absl::InvalidArgumentError(absl::StrCat(
        "distributed backend '", options.backend, "' is not one of auto, gloo, nccl"));
  }
  // One process needs no collective: "auto" asks for NCCL only when there are others.
  const bool use_nccl =
      options.backend == "nccl" || (options.backend == "auto" && cuda && env.world_size > 1);
  // Never a silent Gloo fall-back: CUDA tensors over Gloo would be slow and need a Gloo with CUDA.
  if (use_nccl && !NcclAvailable()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "distributed backend '", options.backend, "' on device ", options.device,
        " needs NCCL, but this binary was built without it (USE_C10D_NCCL): build with "
        "--config=cuda and TRM_LIBTORCH set to a CUDA LibTorch, or set distributed.backend to "
        "\"gloo\""));
  }
  if (env.world_size == 1 && !options.process_group_for_one) {
    return MakeSingleProcessCommunicator();
  }
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(env.master_port);
    store_options.isServer = env.rank == 0 && !env.agent_hosts_store;
    store_options.numWorkers = env.agent_hosts_store ? c10::nullopt
                                                     : c10::optional<size_t>(env.world_size);
    store_options.waitWorkers = !env.agent_hosts_store;
    store_options.timeout = options.timeout;
    auto tcp_store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, store_options);
    auto gloo_store = c10::make_intrusive<c10d::PrefixStore>("trm/gloo", tcp_store);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
    gloo_options->devices.push_back(GlooDevice(env));
    c10::intrusive_ptr<CollectiveGroup> cpu_group = c10::make_intrusive<c10d::ProcessGroupGloo>(
        gloo_store, env.rank, env.world_size, gloo_options);
    c10::intrusive_ptr<CollectiveGroup> device_group;
#ifdef USE_C10D_NCCL
    if (use_nccl) {
      auto nccl_store = c10::make_intrusive<c10d::PrefixStore>("trm/nccl", tcp_store);
      auto nccl_options = c10d::ProcessGroupNCCL::Options::create();
      nccl_options->timeout = options.timeout;
      device_group = c10::make_intrusive<c10d::ProcessGroupNCCL>(nccl_store, env.rank,
                                                                 env.world_size, nccl_options);
    }
#endif
    return std::unique_ptr<Communicator>(std::make_unique<C10dCommunicator>(
        env.rank, env.world_size, std::move(cpu_group), std::move(device_group)));
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    return absl::UnavailableError(absl::StrCat("cannot join the process group at ",
                                               env.master_addr, ":", env.master_port, " as rank ",
                                               env.rank, " of ", env.world_size, ": ", what));
  }
}

}  // namespace trm
