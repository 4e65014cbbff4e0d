#include "trm/testing/fake_communicator.h"

#include <any>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace trm::testing {
namespace {

// Rendezvous of all ranks: each deposits a payload and receives everyone's, in rank order.
class World {
 public:
  explicit World(int size) : size_(size), slots_(size) {}
  int size() const { return size_; }

  std::vector<std::any> Exchange(int rank, std::any payload) {
    std::unique_lock<std::mutex> lock(mu_);
    const int64_t generation = generation_;
    slots_[rank] = std::move(payload);
    if (++arrived_ == size_) {
      // Every rank of this generation is inside Exchange, so none can have started the next one.
      results_ = std::move(slots_);
      slots_.assign(size_, std::any());
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return generation_ != generation; });
    }
    return results_;
  }

 private:
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::any> slots_;
  std::vector<std::any> results_;
  int arrived_ = 0;
  int64_t generation_ = 0;
};

class FakeCommunicator final : public Communicator {
 public:
  FakeCommunicator(std::shared_ptr<World> world, int rank)
      : world_(std::move(world)), rank_(rank) {}

  int rank() const override { return rank_; }
  int world_size() const override { return world_->size(); }
  std::string backend() const override { return "fake"; }

  void AllReduceSum(std::vector<at::Tensor>& tensors) override {
    std::vector<at::Tensor> copies;
    for (const at::Tensor& t : tensors) copies.push_back(t.clone());
    const std::vector<std::any> all = world_->Exchange(rank_, copies);
    for (size_t i = 0; i < tensors.size(); ++i) {
      at::Tensor sum = at::zeros_like(tensors[i]);
      for (const std::any& payload : all)
        sum += std::any_cast<const std::vector<at::Tensor>&>(payload)[i];
      tensors[i].copy_(sum);
    }
  }

  at::Tensor AllGather(const at::Tensor& tensor) override {
    std::vector<at::Tensor> parts;
    for (const std::any& payload : world_->Exchange(rank_, tensor.clone())) {
      parts.push_back(std::any_cast<const at::Tensor&>(payload));
    }
    return at::cat(parts, 0);
  }

  void Broadcast(at::Tensor& tensor, int root) override {
    const std::vector<std::any> all = world_->Exchange(rank_, tensor.clone());
    tensor.copy_(std::any_cast<const at::Tensor&>(all[root]));
  }

  std::vector<std::string> AllGatherBytes(const std::string& bytes) override {
    std::vector<std::string> out;
    for (const std::any& payload : world_->Exchange(rank_, bytes)) {
      out.push_back(std::any_cast<const std::string&>(payload));
    }
    return out;
  }

  void Barrier() override { world_->Exchange(rank_, std::any()); }

 private:
  std::shared_ptr<World> world_;
  int rank_;
};

}  // namespace

std::vector<std::unique_ptr<Communicator>> MakeFakeWorld(int world_size) {
  auto world = std::make_shared<World>(world_size);
  std::vector<std::unique_ptr<Communicator>> ranks;
  for (int rank = 0; rank < world_size; ++rank) {
    ranks.push_back(std::make_unique<FakeCommunicator>(world, rank));
  }
  return ranks;
}

void RunOnFakeWorld(int world_size, const std::function<void(int, Communicator&)>& body) {
  std::vector<std::unique_ptr<Communicator>> ranks = MakeFakeWorld(world_size);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world_size; ++rank) {
    threads.emplace_back([&, rank] { body(rank, *ranks[rank]); });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace trm::testing
