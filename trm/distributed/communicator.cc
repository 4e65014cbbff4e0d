#include "trm/distributed/communicator.h"

#include "absl/strings/str_cat.h"

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

absl::Status AgreeOnStatus(Communicator& communicator, const absl::Status& local) {
  const std::vector<std::string> messages =
      communicator.AllGatherBytes(local.ok() ? std::string() : std::string(local.message()));
  for (size_t rank = 0; rank < messages.size(); ++rank) {
    if (messages[rank].empty()) continue;
    if (static_cast<int>(rank) == communicator.rank()) return local;
    return absl::AbortedError(absl::StrCat("rank ", rank, " failed: ", messages[rank]));
  }
  return absl::OkStatus();
}

}  // namespace trm
