// CRC-32C (Castagnoli), as TFRecord framing uses it, and TensorFlow's CRC masking.
#ifndef TRM_LOGGING_CRC32C_H_
#define TRM_LOGGING_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace trm {

// CRC-32C of `size` bytes, continuing from `crc` (0 for a fresh checksum).
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);
inline uint32_t Crc32c(const void* data, size_t size) { return Crc32cExtend(0, data, size); }

// TFRecord stores rotate-right-15 + 0xa282ead8 of the CRC, so that CRCs of CRCs stay well mixed.
inline uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc32c(uint32_t masked) {
  const uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace trm

#endif  // TRM_LOGGING_CRC32C_H_
