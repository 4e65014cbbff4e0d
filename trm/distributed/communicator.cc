#include "trm/distributed/communicator.h"

namespace trm {
namespace {

class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  std::string backend() const override { return "single"; }
  void AllReduceSum(std::vector<at::Tensor>&) override {}
  at::Tensor AllGather(const at::Tensor& tensor) override { return tensor.clone(); }
  void Broadcast(at::Tensor&, int) override {}
  std::vector<std::string> AllGatherBytes(const std::string& bytes) override { return {bytes}; }
  void Barrier() override {}
};

}  // namespace

std::unique_ptr<Communicator> MakeSingleProcessCommunicator() {
  return std::make_unique<SingleProcessCommunicator>();
}

}  // namespace trm
