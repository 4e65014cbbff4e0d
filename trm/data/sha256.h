// SHA-256 (FIPS 180-4), used for the reference's grid and puzzle hashes (spec §7.6).
#ifndef TRM_DATA_SHA256_H_
#define TRM_DATA_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace trm {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(const std::string& bytes) { Update(bytes.data(), bytes.size()); }
  std::array<uint8_t, 32> Digest();
  // Lower-case hex of the digest (64 characters), as Python's hexdigest().
  std::string HexDigest();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string Sha256Hex(const std::string& bytes);

}  // namespace trm

#endif  // TRM_DATA_SHA256_H_
