// NumPy's legacy generator (`numpy.random.RandomState`, i.e. what `np.random.seed` and the
// `np.random.*` functions use): MT19937 with NumPy's seeding and its legacy algorithms for bounded
// integers, shuffles and doubles. The reference ARC builder draws everything from it (spec §14), so
// drawing the same values in the same order reproduces its datasets byte for byte.
//
//   np.random.seed(42)                 NumpyRandomState rng(42);
//   np.random.randint(0, 8)            rng.RandInt(0, 8)
//   np.random.permutation(9)           rng.Permutation(9)
//   np.random.shuffle(x)               rng.Shuffle(x.data(), x.size())
//   np.random.random_sample()          rng.RandomSample()
#ifndef TRM_DATA_NUMPY_RANDOM_H_
#define TRM_DATA_NUMPY_RANDOM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace trm {

class NumpyRandomState {
 public:
  static constexpr int kStateWords = 624;

  // The complete generator state (NumPy's `get_state()[1:3]`): copy it to snapshot the stream.
  struct State {
    std::array<uint32_t, kStateWords> key{};
    int pos = kStateWords;
    bool operator==(const State& other) const { return pos == other.pos && key == other.key; }
  };

  // np.random.seed(seed): MT19937 `init_genrand`.
  explicit NumpyRandomState(uint32_t seed = 0) { Seed(seed); }

  void Seed(uint32_t seed);
  // np.random.seed([k0, k1, ...]): MT19937 `init_by_array` (an empty key is treated as [0]).
  void SeedByArray(const std::vector<uint32_t>& key);

  const State& state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

  // One raw 32-bit output.
  uint32_t NextUint32() {
    if (state_.pos == kStateWords) Refill();
    uint32_t y = state_.key[state_.pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    return y ^ (y >> 18);
  }

  // Two raw outputs, high word first (NumPy's next_uint64 for MT19937).
  uint64_t NextUint64() {
    const uint64_t high = NextUint32();
    return (high << 32) | NextUint32();
  }

  // Uniform integer in [0, max]: draws words, masks them to the smallest all-ones mask covering
  // `max` and rejects values above it (NumPy's `random_interval`, used by shuffles). max = 0
  // draws nothing.
  uint64_t Interval(uint64_t max);

  // np.random.randint(low, high) for a scalar: uniform in [low, high), legacy masked rejection
  // (the same algorithm as Interval). high - low == 1 draws nothing. Requires low < high.
  int64_t RandInt(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Interval(static_cast<uint64_t>(high - low - 1)));
  }

  // np.random.random_sample(): 53-bit double in [0, 1) from two words.
  double RandomSample();

  // np.random.shuffle of a 1-D sequence: Fisher-Yates from the last element down to index 1.
  template <class T>
  void Shuffle(T* data, size_t n) {
    for (size_t i = n > 0 ? n - 1 : 0; i >= 1; --i) {
      const size_t j = static_cast<size_t>(Interval(i));
      std::swap(data[i], data[j]);
    }
  }

  // np.random.permutation(n).
  std::vector<int64_t> Permutation(int64_t n);

 private:
  void Refill();

  State state_;
};

}  // namespace trm

#endif  // TRM_DATA_NUMPY_RANDOM_H_
