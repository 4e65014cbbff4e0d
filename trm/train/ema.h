// Exponential moving average of the trainable parameters (spec §6.5): after every training step
// shadow <- (1 - mu) * param + mu * shadow, in float32. Buffers (puzzle table, H_init, L_init) are
// not averaged. Evaluation and saved weights use the shadows with the live buffers.
#ifndef TRM_TRAIN_EMA_H_
#define TRM_TRAIN_EMA_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/status.h"

namespace trm {

class ExponentialMovingAverage {
 public:
  // Shadows start as copies of `parameters` (name -> live tensor, kept by reference).
  ExponentialMovingAverage(std::vector<std::pair<std::string, at::Tensor>> parameters, double rate);

  void Update();

  // Copies the shadows into the live parameters until the returned guard is destroyed, which
  // puts the live values back bit-exactly (the reference deep-copies the model instead).
  class Swap {
   public:
    ~Swap();
    Swap(Swap&& other) noexcept
        : ema_(std::exchange(other.ema_, nullptr)), saved_(std::move(other.saved_)) {}
    Swap(const Swap&) = delete;
    Swap& operator=(const Swap&) = delete;

   private:
    friend class ExponentialMovingAverage;
    explicit Swap(ExponentialMovingAverage* ema);
    ExponentialMovingAverage* ema_;
    std::vector<at::Tensor> saved_;
  };
  Swap SwapIn();

  // "<name>" -> shadow, for checkpoints.
  std::vector<std::pair<std::string, at::Tensor>> ShadowTensors() const;
  // Restores shadows saved by ShadowTensors (all names, same shapes), or changes nothing.
  absl::Status LoadShadowTensors(const std::map<std::string, at::Tensor>& shadows);

  double rate() const { return rate_; }

 private:
  std::vector<std::pair<std::string, at::Tensor>> parameters_;
  std::vector<at::Tensor> shadows_;
  double rate_;
};

}  // namespace trm

#endif  // TRM_TRAIN_EMA_H_
