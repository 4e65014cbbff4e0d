#include "trm/data/numpy_random.h"

#include <numeric>

namespace trm {

void NumpyRandomState::Seed(uint32_t seed) {
  state_.key[0] = seed;
  for (int i = 1; i < kStateWords; ++i) {
    const uint32_t prev = state_.key[i - 1];
    state_.key[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<uint32_t>(i);
  }
  state_.pos = kStateWords;
}

void NumpyRandomState::SeedByArray(const std::vector<uint32_t>& key_in) {
  const std::vector<uint32_t> key = key_in.empty() ? std::vector<uint32_t>{0} : key_in;
  Seed(19650218U);
  uint32_t* mt = state_.key.data();
  size_t i = 1, j = 0;
  for (size_t k = std::max<size_t>(kStateWords, key.size()); k > 0; --k) {
    mt[i] =
        (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + static_cast<uint32_t>(j);
    ++i;
    ++j;
    if (i >= kStateWords) {
      mt[0] = mt[kStateWords - 1];
      i = 1;
    }
    if (j >= key.size()) j = 0;
  }
  for (size_t k = kStateWords - 1; k > 0; --k) {
    mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= kStateWords) {
      mt[0] = mt[kStateWords - 1];
      i = 1;
    }
  }
  mt[0] = 0x80000000U;  // non-zero initial state
  state_.pos = kStateWords;
}

void NumpyRandomState::Refill() {
  constexpr int kShift = 397;
  constexpr uint32_t kMatrix = 0x9908b0dfU, kUpper = 0x80000000U, kLower = 0x7fffffffU;
  uint32_t* mt = state_.key.data();
  int i = 0;
  for (; i < kStateWords - kShift; ++i) {
    const uint32_t y = (mt[i] & kUpper) | (mt[i + 1] & kLower);
    mt[i] = mt[i + kShift] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
  }
  for (; i < kStateWords - 1; ++i) {
    const uint32_t y = (mt[i] & kUpper) | (mt[i + 1] & kLower);
    mt[i] = mt[i + kShift - kStateWords] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
  }
  const uint32_t y = (mt[kStateWords - 1] & kUpper) | (mt[0] & kLower);
  mt[kStateWords - 1] = mt[kShift - 1] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
  state_.pos = 0;
}

uint64_t NumpyRandomState::Interval(uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t value;
  if (max <= 0xffffffffULL) {
    while ((value = (NextUint32() & mask)) > max) {
    }
  } else {
    while ((value = (NextUint64() & mask)) > max) {
    }
  }
  return value;
}

double NumpyRandomState::RandomSample() {
  const uint32_t a = NextUint32() >> 5;
  const uint32_t b = NextUint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

std::vector<int64_t> NumpyRandomState::Permutation(int64_t n) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), 0);
  Shuffle(values.data(), values.size());
  return values;
}

}  // namespace trm
